import { Badge, Button, Group, Loader, Stack, Table, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import type { SessionView } from '../api/admin-types.ts';
import { ScrollRegion } from '../layout/scroll-region.tsx';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { ConfirmButton } from '../layout/confirm-button.tsx';

/** The caller's own sign-in sessions: where they are signed in, end one or all the others. */
export function SessionsPanel() {
  const { t, prefs } = usePreferences();
  const queryClient = useQueryClient();
  const sessions = useQuery({
    queryKey: ['sessions'],
    queryFn: () => unwrap<SessionView[]>(api.GET('/api/v1/auth/sessions')),
  });
  const done = () => queryClient.invalidateQueries({ queryKey: ['sessions'] });
  const end = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/auth/sessions/{id}', { params: { path: { id } } })),
    onSuccess: done,
  });
  const endOthers = useMutation({ mutationFn: () => unwrap(api.DELETE('/api/v1/auth/sessions')), onSuccess: done });
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(prefs.language) : '—');
  return (
    <Stack component="section" aria-labelledby="sessions-title">
      <Group justify="space-between">
        <Title order={2} size="h4" id="sessions-title">
          {t('sessions.title')}
        </Title>
        <Button variant="light" size="xs" onClick={() => endOthers.mutate()} loading={endOthers.isPending}>
          {t('sessions.endOthers')}
        </Button>
      </Group>
      {sessions.isPending && <Loader aria-label={t('common.loading')} />}
      {(sessions.error ?? end.error ?? endOthers.error) && (
        <ErrorNotice error={sessions.error ?? end.error ?? endOthers.error} />
      )}
      {sessions.data && (
        <ScrollRegion label={t('sessions.title')} minWidth={480}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('sessions.created')}</Table.Th>
                <Table.Th>{t('sessions.lastSeen')}</Table.Th>
                <Table.Th>{t('sessions.expires')}</Table.Th>
                <Table.Th>{t('jobs.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sessions.data.map((s) => (
                <Table.Tr key={s.id} data-testid="session-row">
                  <Table.Td>
                    {when(s.createdAt)}{' '}
                    {s.current && (
                      <Badge variant="light" color="teal">
                        {t('sessions.current')}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{when(s.lastSeenAt)}</Table.Td>
                  <Table.Td>{when(s.expiresAt)}</Table.Td>
                  <Table.Td>
                    {!s.current && (
                      <ConfirmButton
                        label={t('sessions.end')}
                        confirmLabel={t('sessions.confirmEnd')}
                        onConfirm={() => end.mutate(s.id)}
                      />
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollRegion>
      )}
    </Stack>
  );
}
