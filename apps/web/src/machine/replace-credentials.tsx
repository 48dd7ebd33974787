import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client.ts';
import type { MachineView } from '../api/types.ts';
import type { MessageKey } from '../i18n/en.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { fieldErrorsOf } from '../layout/field-errors.ts';
import { usePreferences } from '../preferences/preferences.tsx';
import { credentialsBody, CredentialsFields, EMPTY_CREDENTIALS, type CredentialsInput } from './credentials-fields.tsx';

/** Replace the machine's credentials: write-only (what exists is shown, never a value); the form forgets on success. */
export function ReplaceCredentials({ machine }: { machine: MachineView }) {
  const { t, prefs } = usePreferences();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [creds, setCreds] = useState<CredentialsInput>(EMPTY_CREDENTIALS);
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT('/api/v1/machines/{id}/credentials', {
          params: { path: { id: machine.id } },
          body: credentialsBody(creds),
        }),
      ),
    onSuccess: () => {
      setCreds(EMPTY_CREDENTIALS);
      setOpen(false);
      void queryClient.invalidateQueries({ queryKey: ['machine', machine.id] });
    },
  });
  const c = machine.credentials;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const close = () => {
    setCreds(EMPTY_CREDENTIALS);
    setOpen(false);
  };
  // The button that opened the form is gone: the keyboard's focus goes to the form's first field, not to the page.
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (open) form.current?.querySelector<HTMLElement>('input:not([type=hidden]), textarea')?.focus();
  }, [open]);
  return (
    <Card withBorder component="section" aria-labelledby="creds-title">
      <Stack gap="xs">
        <Title order={2} size="h4" id="creds-title">
          {t('creds.title')}
        </Title>
        <Text size="sm">
          {c
            ? t('creds.current', {
                method: t(`creds.method.${c.authMethod}` as MessageKey),
                sudo: t(`creds.sudo.${c.sudoMode}` as MessageKey),
                when: new Date(c.updatedAt).toLocaleString(prefs.language),
              })
            : t('creds.none')}
        </Text>
        {save.isSuccess && !open && (
          <Alert color="green" variant="light" icon={<IconCheck aria-hidden />} role="status">
            {t('creds.saved')}
          </Alert>
        )}
        {!open ? (
          <Button variant="default" size="xs" onClick={() => setOpen(true)} style={{ alignSelf: 'flex-start' }}>
            {t('creds.replace')}
          </Button>
        ) : (
          <form ref={form} onSubmit={submit} noValidate>
            <Stack gap="sm">
              {save.error && <ErrorNotice error={save.error} />}
              <CredentialsFields value={creds} onChange={setCreds} errors={fieldErrorsOf(save.error)} prefix="" />
              <Group gap="xs">
                <Button type="submit" loading={save.isPending}>
                  {t('creds.save')}
                </Button>
                <Button variant="default" onClick={close}>
                  {t('common.cancel')}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </Card>
  );
}
