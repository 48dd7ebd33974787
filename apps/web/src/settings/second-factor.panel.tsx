import { Alert, Button, Code, Group, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { QRCodeSVG } from 'qrcode.react';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';

interface Enrolment {
  secret: string;
  otpauthUri: string;
}

/**
 * The caller's second factor: enrol (password → QR code and secret, shown once and only in this page's memory; a
 * code from the app turns it on) or turn it off (password and a current code).
 */
export function SecondFactorPanel() {
  const { t } = usePreferences();
  return (
    <Stack component="section" aria-labelledby="totp-title">
      <Title order={2} size="h4" id="totp-title">
        {t('totp.title')}
      </Title>
      <Text size="sm">{t('totp.intro')}</Text>
      <Enrol />
      <Disable />
    </Stack>
  );
}

function Enrol() {
  const { t } = usePreferences();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const start = useMutation({
    mutationFn: () => unwrap<Enrolment>(api.POST('/api/v1/auth/totp', { body: { password } })),
    onSuccess: () => setPassword(''),
  });
  const confirm = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/totp/confirm', { body: { code } })),
  });
  const submitStart = (e: FormEvent) => {
    e.preventDefault();
    start.mutate();
  };
  const submitConfirm = (e: FormEvent) => {
    e.preventDefault();
    confirm.mutate();
  };
  if (confirm.isSuccess)
    return (
      <Alert color="teal" variant="light" role="status">
        {t('totp.enabled')}
      </Alert>
    );
  if (!start.data)
    return (
      <Stack component="form" onSubmit={submitStart} gap="sm" aria-label={t('totp.enrol')}>
        <PasswordInput
          label={t('password.current')}
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          required
          autoComplete="current-password"
        />
        <Group>
          <Button type="submit" loading={start.isPending}>
            {t('totp.enrol')}
          </Button>
        </Group>
        {start.error && <ErrorNotice error={start.error} />}
      </Stack>
    );
  return (
    <Stack component="form" onSubmit={submitConfirm} gap="sm" aria-label={t('totp.confirm')}>
      <Text size="sm">{t('totp.scan')}</Text>
      <div
        role="img"
        aria-label={t('totp.qr')}
        data-testid="totp-qr"
        style={{ background: 'white', width: 'fit-content' }}
      >
        <QRCodeSVG value={start.data.otpauthUri} size={176} marginSize={2} aria-hidden />
      </div>
      <Text size="sm">
        {t('totp.orSecret')} <Code data-testid="totp-secret">{start.data.secret}</Code>
      </Text>
      <TextInput
        label={t('login.totp')}
        value={code}
        onChange={(e) => setCode(e.currentTarget.value)}
        inputMode="numeric"
        autoComplete="one-time-code"
        required
      />
      <Group>
        <Button type="submit" loading={confirm.isPending}>
          {t('totp.confirm')}
        </Button>
      </Group>
      {confirm.error && <ErrorNotice error={confirm.error} />}
    </Stack>
  );
}

function Disable() {
  const { t } = usePreferences();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const disable = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/totp/disable', { body: { password, code } })),
    onSuccess: () => {
      setPassword('');
      setCode('');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    disable.mutate();
  };
  return (
    <Stack component="form" onSubmit={submit} gap="sm" aria-labelledby="totp-off-title">
      <Title order={3} size="h5" id="totp-off-title">
        {t('totp.disable')}
      </Title>
      <Group align="flex-end">
        <PasswordInput
          label={t('password.current')}
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          autoComplete="current-password"
          required
        />
        <TextInput
          label={t('login.totp')}
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          inputMode="numeric"
          required
        />
        <Button type="submit" variant="light" color="red" loading={disable.isPending}>
          {t('totp.disableSubmit')}
        </Button>
      </Group>
      {disable.isSuccess && (
        <Text size="sm" role="status">
          {t('totp.disabled')}
        </Text>
      )}
      {disable.error && <ErrorNotice error={disable.error} />}
    </Stack>
  );
}
