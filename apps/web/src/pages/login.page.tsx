import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, ApiError, unwrap } from '../api/client.ts';
import { LanguageSwitch } from '../layout/preference-controls.tsx';
import { useT } from '../preferences/preferences.tsx';
import { ErrorNotice } from '../layout/error-notice.tsx';

interface LoginAnswer {
  user: { mustChangePassword: boolean };
}

/** Username and password (and a TOTP code when the API asks for one). The answer's token is never kept: the cookie is. */
export function LoginPage() {
  const t = useT();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totpCode, setTotpCode] = useState('');
  const [needsTotp, setNeedsTotp] = useState(false);
  const login = useMutation({
    mutationFn: () =>
      unwrap<LoginAnswer>(
        api.POST('/api/v1/auth/login', {
          body: { username, password, ...(needsTotp ? { totpCode } : {}) },
        }),
      ),
    onSuccess: async (answer) => {
      await queryClient.invalidateQueries();
      navigate(answer.user.mustChangePassword ? '/password' : '/', { replace: true });
    },
    onError: (e) => {
      if (e instanceof ApiError && e.reason === 'totp_required') setNeedsTotp(true);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  return (
    <Center mih="100vh" p="md" component="main" id="main">
      <Paper withBorder shadow="sm" p="xl" radius="md" w={380} maw="100%">
        <form onSubmit={submit} aria-labelledby="login-title">
          <Stack>
            <Title order={1} size="h2" id="login-title">
              {t('login.title')}
            </Title>
            <Text size="sm" c="dimmed">
              {t('app.title')}
            </Text>
            {login.error && !(login.error instanceof ApiError && login.error.reason === 'totp_required') && (
              <ErrorNotice error={login.error} title={t('login.failed')} />
            )}
            <TextInput
              label={t('login.username')}
              autoComplete="username"
              required
              value={username}
              onChange={(e) => setUsername(e.currentTarget.value)}
            />
            <PasswordInput
              label={t('login.password')}
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            {needsTotp && (
              <TextInput
                label={t('login.totp')}
                description={t('login.totpHint')}
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                value={totpCode}
                onChange={(e) => setTotpCode(e.currentTarget.value)}
              />
            )}
            <Button type="submit" loading={login.isPending}>
              {t('login.submit')}
            </Button>
            <Alert variant="light" color="gray" icon={<IconAlertTriangle size={16} aria-hidden />}>
              {t('login.firstRunHint')}
            </Alert>
            <LanguageSwitch />
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
