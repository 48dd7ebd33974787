import { Alert, Badge, Card, Group, Loader, Progress, Stack, Table, Text, Title } from '@mantine/core';
import { IconHistory } from '@tabler/icons-react';
import type { RunMachineView, RunView } from '../api/admin-types.ts';
import { useMachines } from '../dashboard/use-machines.ts';
import { isMessageKey } from '../i18n/translate.ts';
import { ScrollRegion } from '../layout/scroll-region.tsx';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { useSteppedStatus } from '../live/use-stepped-status.ts';
import { usePreferences } from '../preferences/preferences.tsx';
import { runProgress, runStatusColor } from './run-status.ts';
import { useScheduleRuns } from './use-schedules.ts';

/** The schedule's latest runs, each machine's status and step; moved by the one SSE connection, never polled. */
export function ScheduleRuns({ scheduleId }: { scheduleId: string }) {
  const { t } = usePreferences();
  const runs = useScheduleRuns(scheduleId);
  return (
    <Stack component="section" aria-labelledby="runs-title">
      <Title order={2} size="h3" id="runs-title">
        {t('runs.title')}
      </Title>
      {runs.isPending && <Loader aria-label={t('common.loading')} />}
      {runs.error && <ErrorNotice error={runs.error} />}
      {runs.data?.length === 0 && (
        <Alert variant="light" icon={<IconHistory aria-hidden />} title={t('runs.empty')}>
          {t('runs.emptyNext')}
        </Alert>
      )}
      {runs.data?.map((r) => (
        <RunCard key={r.id} run={r} />
      ))}
    </Stack>
  );
}

/** A run machine's status, stepped through what it passed while on screen (as a followed job's is). */
function MachineStatusBadge({ machine }: { machine: RunMachineView }) {
  return <StatusBadge status={useSteppedStatus(machine.status, machine.startedAt)} />;
}

function StatusBadge({ status }: { status: string }) {
  const { t } = usePreferences();
  const key = `runs.st.${status}`;
  return (
    <Badge color={runStatusColor(status)} variant="light" data-testid="run-status">
      {isMessageKey(key) ? t(key) : status}
    </Badge>
  );
}

function StepName({ action }: { action: string | undefined }) {
  const { t } = usePreferences();
  const key = `action.${action ?? ''}`;
  return <>{isMessageKey(key) ? t(key) : (action ?? '—')}</>;
}

function RunCard({ run }: { run: RunView }) {
  const { t, prefs } = usePreferences();
  const machines = useMachines();
  const names = new Map(machines.data?.items.map((m) => [m.id, m.name]));
  const progress = runProgress(run.machines);
  const slot = new Date(run.slotAt).toLocaleString(prefs.language);
  return (
    <Card
      withBorder
      component="article"
      aria-label={t('runs.of', { slot })}
      data-testid="schedule-run"
      data-run-id={run.id}
    >
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600}>{t('runs.of', { slot })}</Text>
          <StatusBadge status={run.status} />
        </Group>
        <Progress value={progress} aria-label={t('runs.progress', { percent: progress })} />
        {run.reason && <Text size="sm">{run.reason}</Text>}
        <ScrollRegion label={t('runs.of', { slot })} minWidth={480}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('jobs.machine')}</Table.Th>
                <Table.Th>{t('jobs.status')}</Table.Th>
                <Table.Th>{t('runs.step')}</Table.Th>
                <Table.Th>{t('jobs.error')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {run.machines.map((m) => (
                <Table.Tr key={m.machineId} data-testid="run-machine" data-machine-id={m.machineId}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{names.get(m.machineId) ?? m.machineId}</Table.Td>
                  <Table.Td>
                    <MachineStatusBadge machine={m} />
                  </Table.Td>
                  <Table.Td>
                    <StepName action={run.actions[m.currentStep]} />{' '}
                    <Text span size="xs" c="dimmed">
                      ({Math.min(m.currentStep + 1, run.actions.length)}/{run.actions.length})
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{m.errorKind ?? ''}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollRegion>
      </Stack>
    </Card>
  );
}
