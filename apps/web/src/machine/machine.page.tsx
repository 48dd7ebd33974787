import { Alert, Anchor, Card, Group, Loader, SimpleGrid, Stack, Table, Title } from '@mantine/core';
import { IconArrowLeft } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, ApiError, unwrap } from '../api/client.ts';
import type { MachineView } from '../api/types.ts';
import { isMessageKey } from '../i18n/translate.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { Executions, type Execution } from './executions.tsx';
import { HostKeys } from './host-keys.tsx';
import { lastBoot } from './last-boot.ts';
import { MachineActions } from './machine-actions.tsx';
import { MachineTimeline } from './machine-timeline.tsx';
import { PendingPackages } from './pending-packages.tsx';
import { ReplaceCredentials } from './replace-credentials.tsx';
import { Reports } from './reports.tsx';
import { ImportantMessages } from './important-messages.tsx';
import { MachineChartsSlot } from './machine-charts-slot.tsx';
import { TerminalCard } from '../terminal/terminal-card.tsx';

/** One machine: its probe summary, the low-risk actions, important messages and its timeline, all kept live. */
export function MachinePage() {
  const { t } = usePreferences();
  const { id = '' } = useParams();
  const machine = useQuery({
    queryKey: ['machine', id],
    queryFn: () => unwrap<MachineView>(api.GET('/api/v1/machines/{id}', { params: { path: { id } } })),
  });
  if (machine.isPending) return <Loader role="status" aria-label={t('common.loading')} />;
  // A failed refresh (a live event's) keeps the page and says so above it: replacing the page would close every open
  // panel (an execution's raw log, a confirmation) the person was reading.
  if (machine.error && (!machine.data || isNotFound(machine.error))) {
    return isNotFound(machine.error) ? (
      <Alert color="gray">{t('machine.notFound')}</Alert>
    ) : (
      <ErrorNotice error={machine.error} />
    );
  }
  const m = machine.data;
  return (
    <Stack>
      {machine.error && <ErrorNotice error={machine.error} />}
      <Anchor component={Link} to="/" size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} aria-hidden />
          {t('nav.back')}
        </Group>
      </Anchor>
      <Title order={1} size="h2" style={{ overflowWrap: 'anywhere' }}>
        {m.name}
      </Title>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Summary machine={m} />
        <MachineActions machineId={m.id} />
      </SimpleGrid>
      <TerminalCard machineId={m.id} />
      <PendingPackages machineId={m.id} />
      <MachineChartsSlot machineId={m.id} />
      <ImportantMessages machineId={m.id} />
      <Executions machineId={m.id} />
      <Reports machineId={m.id} />
      <HostKeys machineId={m.id} />
      <ReplaceCredentials machine={m} />
      <MachineTimeline machineId={m.id} />
    </Stack>
  );
}

const isNotFound = (e: Error) => e instanceof ApiError && e.status === 404;

function Summary({ machine: m }: { machine: MachineView }) {
  const { t, prefs } = usePreferences();
  const executions = useQuery({
    queryKey: ['machine', m.id, 'executions'],
    queryFn: () => unwrap<Execution[]>(api.GET('/api/v1/machines/{id}/executions', { params: { path: { id: m.id } } })),
  });
  const boot = lastBoot(m, executions.data ?? []);
  const kindKey = `kind.${m.machineKind}`;
  const gib = (bytes: number | null | undefined) => (bytes ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : '—');
  const rows: [string, string][] = [
    [t('machine.host'), `${m.username}@${m.hostname}:${m.port}`],
    [t('machine.os'), [m.osFamily, m.osVersion, m.osCodename, m.arch].filter(Boolean).join(' ')],
    [t('machine.kind'), isMessageKey(kindKey) ? t(kindKey) : m.machineKind],
    [t('machine.virtualization'), m.virtualization ?? '—'],
    [t('machine.cpu'), m.hardware?.cpuModel ? `${m.hardware.cpuModel} × ${m.hardware.cpuCores ?? '?'}` : '—'],
    [t('machine.memory'), gib(m.hardware?.memoryBytes)],
    [
      t('machine.disks'),
      m.metrics?.filesystems.map((f) => `${f.mount} ${f.usedPercent}% / ${gib(f.sizeBytes)}`).join(', ') || '—',
    ],
    [
      t('machine.lastBoot'),
      boot
        ? `${boot.at.toLocaleString(prefs.language)}${boot.bootId ? ` · ${t('machine.bootId', { id: boot.bootId.slice(0, 8) })}` : ''}`
        : '—',
    ],
    [t('machine.rebootRequired'), m.state?.aptRebootRequired ? t('tile.reboot') : t('machine.rebootNotRequired')],
    [
      t('machine.lastProbe'),
      m.state?.lastProbeAt ? new Date(m.state.lastProbeAt).toLocaleString(prefs.language) : t('machine.never'),
    ],
  ];
  return (
    <Card withBorder component="section" aria-labelledby="summary-title">
      <Title order={2} size="h4" id="summary-title" mb="xs">
        {t('machine.summary')}
      </Title>
      <Table>
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th scope="row">{label}</Table.Th>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}
