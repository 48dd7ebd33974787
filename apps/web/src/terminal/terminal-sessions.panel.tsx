import { Anchor, Badge, Button, List, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { isMessageKey } from '../i18n/translate.ts';
import { ConfirmButton } from '../layout/confirm-button.tsx';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { ScrollRegion } from '../layout/scroll-region.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import type { TerminalCommandView, TerminalSessionView } from '@su/contracts';

/** Admins: every recorded terminal session, newest first; close an open one, read a session's input lines. */
export function TerminalSessionsPanel() {
  const { t, prefs } = usePreferences();
  const queryClient = useQueryClient();
  const [shown, setShown] = useState<string | null>(null);
  const sessions = useQuery({
    queryKey: ['terminal-sessions'],
    queryFn: () => unwrap<TerminalSessionView[]>(api.GET('/api/v1/terminal/sessions', { params: { query: {} } })),
    refetchInterval: 5_000,
  });
  const close = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/v1/terminal/sessions/{id}/close', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['terminal-sessions'] }),
  });
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(prefs.language) : '—');
  const reason = (r: string | null) => {
    const key = `terminal.reason.${r ?? ''}`;
    return r && isMessageKey(key) ? t(key) : (r ?? '');
  };
  return (
    <Stack component="section" aria-labelledby="terminal-sessions-title">
      <Title order={2} size="h4" id="terminal-sessions-title">
        {t('terminalSessions.title')}
      </Title>
      {sessions.isPending && <Loader aria-label={t('common.loading')} />}
      {(sessions.error ?? close.error) && <ErrorNotice error={sessions.error ?? close.error} />}
      {sessions.data?.length === 0 && <Text c="dimmed">{t('terminalSessions.empty')}</Text>}
      {!!sessions.data?.length && (
        <ScrollRegion label={t('terminalSessions.title')} minWidth={720}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('terminalSessions.machine')}</Table.Th>
                <Table.Th>{t('terminalSessions.user')}</Table.Th>
                <Table.Th>{t('terminalSessions.opened')}</Table.Th>
                <Table.Th>{t('terminalSessions.closedAt')}</Table.Th>
                <Table.Th>{t('terminalSessions.duration')}</Table.Th>
                <Table.Th>{t('terminalSessions.end')}</Table.Th>
                <Table.Th>{t('jobs.actions')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sessions.data.map((s) => (
                <Table.Tr key={s.id} data-testid="terminal-session-row" data-session-id={s.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/machines/${s.machineId}`}>
                      {s.machineName}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    {s.openedBy.label} → {s.sshUsername}
                  </Table.Td>
                  <Table.Td>{when(s.openedAt)}</Table.Td>
                  <Table.Td>{when(s.closedAt)}</Table.Td>
                  <Table.Td>{s.durationMs === null ? '—' : `${Math.round(s.durationMs / 1000)} s`}</Table.Td>
                  <Table.Td>
                    {s.status === 'open' ? (
                      <Badge color="teal" variant="light">
                        {t('terminalSessions.open')}
                      </Badge>
                    ) : (
                      reason(s.endReason)
                    )}
                  </Table.Td>
                  <Table.Td>
                    {s.status === 'open' && (
                      <ConfirmButton
                        label={t('terminalSessions.closeSession')}
                        confirmLabel={t('terminalSessions.confirmClose')}
                        onConfirm={() => close.mutate(s.id)}
                      />
                    )}
                    {s.inputLogging && (
                      <Button variant="subtle" size="xs" onClick={() => setShown(shown === s.id ? null : s.id)}>
                        {t('terminalSessions.commands')}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollRegion>
      )}
      {shown && <SessionCommands sessionId={shown} />}
    </Stack>
  );
}

function SessionCommands({ sessionId }: { sessionId: string }) {
  const { t } = usePreferences();
  const commands = useQuery({
    queryKey: ['terminal-sessions', sessionId, 'commands'],
    queryFn: () =>
      unwrap<TerminalCommandView[]>(
        api.GET('/api/v1/terminal/sessions/{id}/commands', { params: { path: { id: sessionId } } }),
      ),
  });
  if (commands.isPending) return <Loader aria-label={t('common.loading')} />;
  if (commands.error) return <ErrorNotice error={commands.error} />;
  return (
    <Stack gap="xs" data-testid="terminal-commands">
      <Title order={3} size="h5">
        {t('terminalSessions.commands')}
      </Title>
      {commands.data.length === 0 && <Text c="dimmed">{t('terminalSessions.noCommands')}</Text>}
      <List type="ordered">
        {commands.data.map((c) => (
          <List.Item key={c.seq}>
            {c.hidden ? <Text c="dimmed">{t('terminalSessions.hiddenLine')}</Text> : <code>{c.line}</code>}
          </List.Item>
        ))}
      </List>
    </Stack>
  );
}
