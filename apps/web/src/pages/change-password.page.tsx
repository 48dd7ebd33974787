import { Alert, Button, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { useT } from '../preferences/preferences.tsx';
import { useMe } from '../session/session.ts';

/** Own password change; the first login lands here (the API answers 403 password_change_required until done). */
export function ChangePasswordPage() {
  const t = useT();
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [confirm, setConfirm] = useState('');
  const mismatch = confirm.length > 0 && confirm !== newPassword;
  const change = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/auth/password', { body: { currentPassword, newPassword } })),
    onSuccess: async () => {
      const forced = me.data?.mustChangePassword === true;
      await queryClient.invalidateQueries();
      setCurrent('');
      setNew('');
      setConfirm('');
      if (forced) navigate('/', { replace: true });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!mismatch) change.mutate();
  };
  return (
    <Paper withBorder p="xl" radius="md" maw={460} mx="auto">
      <form onSubmit={submit} aria-labelledby="password-title">
        <Stack>
          <Title order={1} size="h2" id="password-title">
            {t('password.title')}
          </Title>
          {me.data?.mustChangePassword && (
            <Alert color="yellow" variant="light">
              {t('password.required')}
            </Alert>
          )}
          {change.isSuccess && (
            <Alert color="green" variant="light" icon={<IconCheck aria-hidden />} role="status">
              {t('password.done')}
            </Alert>
          )}
          {change.error && <ErrorNotice error={change.error} />}
          <PasswordInput
            label={t('password.current')}
            autoComplete="current-password"
            required
            value={currentPassword}
            onChange={(e) => setCurrent(e.currentTarget.value)}
          />
          <PasswordInput
            label={t('password.new')}
            description={t('password.rules')}
            autoComplete="new-password"
            required
            value={newPassword}
            onChange={(e) => setNew(e.currentTarget.value)}
          />
          <PasswordInput
            label={t('password.confirm')}
            autoComplete="new-password"
            required
            value={confirm}
            error={mismatch ? t('password.mismatch') : undefined}
            onChange={(e) => setConfirm(e.currentTarget.value)}
          />
          <Button type="submit" loading={change.isPending} disabled={mismatch}>
            {t('password.submit')}
          </Button>
          <Text size="xs" c="dimmed">
            {me.data?.label}
          </Text>
        </Stack>
      </form>
    </Paper>
  );
}
