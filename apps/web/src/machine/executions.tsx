import { Accordion, Badge, Button, Card, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { ExecutionResult } from '@su/contracts';
import { api, unwrap } from '../api/client.ts';
import type { MessageKey } from '../i18n/en.ts';
import { isMessageKey } from '../i18n/translate.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { ScrollRegion } from '../layout/scroll-region.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { RawLogViewer } from './raw-log-viewer.tsx';

export interface Execution {
  id: string;
  action: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  errorKind: string | null;
  errorMessage: string | null;
  rawArtifactId: string | null;
  result: Partial<ExecutionResult> | null;
}

interface Message {
  executionId: string | null;
  message: string;
}

const STATUS_COLOR: Record<string, string> = { ok: 'teal', warning: 'yellow', error: 'red', running: 'blue' };

/** The machine's executions: what each really changed (the dpkg diff), reboots, errors, and the raw log. */
export function Executions({ machineId }: { machineId: string }) {
  const { t } = usePreferences();
  const path = { params: { path: { id: machineId } } };
  const list = useQuery({
    queryKey: ['machine', machineId, 'executions'],
    queryFn: () => unwrap<Execution[]>(api.GET('/api/v1/machines/{id}/executions', path)),
  });
  const messages = useQuery({
    queryKey: ['machine', machineId, 'messages', 'all'],
    queryFn: () =>
      unwrap<Message[]>(
        api.GET('/api/v1/machines/{id}/important-messages', {
          params: { path: { id: machineId }, query: { acknowledged: 'true' } },
        }),
      ),
  });
  return (
    <Card withBorder component="section" aria-labelledby="executions-title">
      <Title order={2} size="h4" id="executions-title" mb="xs">
        {t('executions.title')}
      </Title>
      {list.isPending && <Loader size="sm" role="status" aria-label={t('common.loading')} />}
      {list.error && <ErrorNotice error={list.error} />}
      {messages.error && !messages.data && <ErrorNotice error={messages.error} />}
      {list.data?.length === 0 && <Text c="dimmed">{t('executions.empty')}</Text>}
      {list.data && list.data.length > 0 && (
        <Accordion variant="separated" chevronPosition="left">
          {list.data.map((e) => (
            <ExecutionItem
              key={e.id}
              machineId={machineId}
              execution={e}
              messages={(messages.data ?? []).filter((m) => m.executionId === e.id).map((m) => m.message)}
            />
          ))}
        </Accordion>
      )}
    </Card>
  );
}

function ExecutionItem({
  machineId,
  execution: e,
  messages,
}: {
  machineId: string;
  execution: Execution;
  messages: string[];
}) {
  const { t, prefs } = usePreferences();
  const [showLog, setShowLog] = useState(false);
  const actionKey = `machine.action.${e.action}`;
  const statusKey = `executions.st.${e.status}`;
  const reboot = e.result?.apt?.rebootRequiredAfterRun ?? e.result?.rebootRequiredAfterRun;
  return (
    <Accordion.Item value={e.id} data-testid="execution">
      <Accordion.Control>
        <Group gap="xs" wrap="wrap">
          <Text fw={500} size="sm">
            {isMessageKey(actionKey) ? t(actionKey) : e.action}
          </Text>
          <Badge color={STATUS_COLOR[e.status] ?? 'gray'} variant="light" size="sm">
            {isMessageKey(statusKey) ? t(statusKey) : e.status}
          </Badge>
          {reboot && (
            <Badge color="orange" variant="light" size="sm">
              {t('tile.reboot')}
            </Badge>
          )}
          <Text size="xs" c="dimmed">
            {new Date(e.startedAt).toLocaleString(prefs.language)}
          </Text>
        </Group>
      </Accordion.Control>
      <Accordion.Panel>
        <Stack gap="sm">
          {e.errorKind && (
            <Text size="sm" c="red.8" style={{ overflowWrap: 'anywhere' }}>
              {t('error.kind', { kind: e.errorKind })}: {e.errorMessage}
            </Text>
          )}
          {e.result?.apt && <Diff applied={e.result.apt.applied} />}
          {e.result?.reboot && <RebootSummary reboot={e.result.reboot} />}
          {e.rawArtifactId && (
            <div>
              <Button size="xs" variant="default" onClick={() => setShowLog((v) => !v)} aria-expanded={showLog}>
                {showLog ? t('log.hide') : t('log.show')}
              </Button>
              {showLog && <RawLogViewer machineId={machineId} artifactId={e.rawArtifactId} messages={messages} />}
            </div>
          )}
        </Stack>
      </Accordion.Panel>
    </Accordion.Item>
  );
}

function Diff({ applied }: { applied: NonNullable<ExecutionResult['apt']>['applied'] }) {
  const t = usePreferences().t;
  if (applied.length === 0) return <Text size="sm">{t('executions.noChange')}</Text>;
  return (
    <ScrollRegion label={t('executions.diff')} minWidth={420}>
      <Table aria-label={t('executions.diff')} data-testid="execution-diff">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('packages.name')}</Table.Th>
            <Table.Th scope="col">{t('packages.change')}</Table.Th>
            <Table.Th scope="col">{t('executions.operation')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {applied.map((c) => (
            <Table.Tr key={`${c.name}:${c.arch ?? ''}`}>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{c.name}</Table.Td>
              <Table.Td>
                {c.fromVersion ?? '∅'} → {c.toVersion ?? '∅'}
              </Table.Td>
              <Table.Td>{t(`executions.op.${c.operation}` as MessageKey)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollRegion>
  );
}

function RebootSummary({ reboot: r }: { reboot: NonNullable<ExecutionResult['reboot']> }) {
  const { t, prefs } = usePreferences();
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(prefs.language) : '—');
  return (
    <Text size="sm" data-testid="reboot-summary">
      {t('reboot.summary', {
        status: r.status,
        down: when(r.sshWentDownAt),
        back: when(r.sshCameBackAt),
        seconds: Math.round(r.waitedSeconds),
        before: r.beforeBootId?.slice(0, 8) ?? '—',
        after: r.afterBootId?.slice(0, 8) ?? '—',
      })}
    </Text>
  );
}
