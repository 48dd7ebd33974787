import { Alert, Badge, Button, Code, Group, Loader, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { IconUserPlus } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { UserRole } from '@su/contracts';

const USER_ROLES: UserRole[] = ['viewer', 'operator', 'admin'];
import { api, unwrap } from '../api/client.ts';
import type { UserView } from '../api/admin-types.ts';
import { ScrollRegion } from '../layout/scroll-region.tsx';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { ConfirmButton } from '../layout/confirm-button.tsx';

/** Users and their roles (admins only): create (the generated password shown once), change role, deactivate. */
export function UsersPanel() {
  const { t } = usePreferences();
  const users = useQuery({ queryKey: ['users'], queryFn: () => unwrap<UserView[]>(api.GET('/api/v1/users')) });
  return (
    <Stack>
      <CreateUserForm />
      <Title order={2} size="h4">
        {t('users.list')}
      </Title>
      {users.isPending && <Loader aria-label={t('common.loading')} />}
      {users.error && <ErrorNotice error={users.error} />}
      {users.data && (
        <ScrollRegion label={t('users.list')} minWidth={560}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('login.username')}</Table.Th>
                <Table.Th>{t('users.role')}</Table.Th>
                <Table.Th>{t('users.state')}</Table.Th>
                <Table.Th>{t('jobs.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.map((u) => (
                <UserRow key={u.id} user={u} />
              ))}
            </Table.Tbody>
          </Table>
        </ScrollRegion>
      )}
    </Stack>
  );
}

function UserRow({ user: u }: { user: UserView }) {
  const { t } = usePreferences();
  const queryClient = useQueryClient();
  const done = () => queryClient.invalidateQueries({ queryKey: ['users'] });
  const setRole = useMutation({
    mutationFn: (role: UserRole) =>
      unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id: u.id } }, body: { role } })),
    onSuccess: done,
  });
  const deactivate = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/users/{id}/deactivate', { params: { path: { id: u.id } } })),
    onSuccess: done,
  });
  return (
    <Table.Tr data-testid="user-row">
      <Table.Td style={{ overflowWrap: 'anywhere' }}>{u.username}</Table.Td>
      <Table.Td>
        <Select
          aria-label={t('users.roleOf', { user: u.username })}
          data={USER_ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))}
          value={u.role}
          onChange={(v) => v && setRole.mutate(v as UserRole)}
          disabled={!u.isActive}
          allowDeselect={false}
          w={160}
        />
        {setRole.error && <ErrorNotice error={setRole.error} />}
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          <Badge color={u.isActive ? 'teal' : 'gray'} variant="light">
            {u.isActive ? t('users.active') : t('users.inactive')}
          </Badge>
          {u.totpEnabled && <Badge variant="outline">{t('users.totp')}</Badge>}
          {u.mustChangePassword && <Badge variant="outline">{t('users.mustChange')}</Badge>}
        </Group>
      </Table.Td>
      <Table.Td>
        {u.isActive && (
          <ConfirmButton
            label={t('users.deactivate')}
            confirmLabel={t('users.confirmDeactivate')}
            onConfirm={() => deactivate.mutate()}
            loading={deactivate.isPending}
          />
        )}
        {deactivate.error && <ErrorNotice error={deactivate.error} />}
      </Table.Td>
    </Table.Tr>
  );
}

function CreateUserForm() {
  const { t } = usePreferences();
  const queryClient = useQueryClient();
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<UserRole>('viewer');
  const create = useMutation({
    mutationFn: () => unwrap<UserView & { password?: string }>(api.POST('/api/v1/users', { body: { username, role } })),
    onSuccess: () => {
      setUsername('');
      void queryClient.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Stack component="form" onSubmit={submit} gap="sm" aria-labelledby="new-user-title">
      <Title order={2} size="h4" id="new-user-title">
        {t('users.create')}
      </Title>
      <Group align="flex-end">
        <TextInput
          label={t('login.username')}
          value={username}
          onChange={(e) => setUsername(e.currentTarget.value)}
          required
        />
        <Select
          label={t('users.role')}
          data={USER_ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))}
          value={role}
          onChange={(v) => v && setRole(v as UserRole)}
          allowDeselect={false}
        />
        <Button type="submit" loading={create.isPending} leftSection={<IconUserPlus size={16} aria-hidden />}>
          {t('users.createSubmit')}
        </Button>
      </Group>
      {create.error && <ErrorNotice error={create.error} />}
      {create.data?.password && (
        <Alert color="teal" variant="light" title={t('users.created', { user: create.data.username })} role="status">
          {t('users.passwordOnce')} <Code>{create.data.password}</Code>
        </Alert>
      )}
    </Stack>
  );
}
