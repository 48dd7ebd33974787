import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconArrowLeft, IconCheck } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, ApiError, unwrap } from '../api/client.ts';
import type { MachineView } from '../api/types.ts';
import { isMessageKey } from '../i18n/translate.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { MachineTimeline } from './machine-timeline.tsx';
import { ImportantMessages } from './important-messages.tsx';
import { MachineChartsSlot } from './machine-charts-slot.tsx';

const LOW_RISK_ACTIONS = ['machine_probe', 'apt_update_analyze'] as const;

/** One machine: its probe summary, the low-risk actions, important messages and its timeline, all kept live. */
export function MachinePage() {
  const { t } = usePreferences();
  const { id = '' } = useParams();
  const machine = useQuery({
    queryKey: ['machine', id],
    queryFn: () => unwrap<MachineView>(api.GET('/api/v1/machines/{id}', { params: { path: { id } } })),
  });
  if (machine.isPending) return <Loader aria-label={t('common.loading')} />;
  if (machine.error) {
    const missing = machine.error instanceof ApiError && machine.error.status === 404;
    return missing ? <Alert color="gray">{t('machine.notFound')}</Alert> : <ErrorNotice error={machine.error} />;
  }
  const m = machine.data;
  return (
    <Stack>
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
        <Actions machineId={m.id} />
      </SimpleGrid>
      <MachineChartsSlot machineId={m.id} />
      <ImportantMessages machineId={m.id} />
      <MachineTimeline machineId={m.id} />
    </Stack>
  );
}

function Summary({ machine: m }: { machine: MachineView }) {
  const { t, prefs } = usePreferences();
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

function Actions({ machineId }: { machineId: string }) {
  const { t } = usePreferences();
  const queryClient = useQueryClient();
  const run = useMutation({
    mutationFn: (action: (typeof LOW_RISK_ACTIONS)[number]) =>
      unwrap(api.POST('/api/v1/machines/{id}/actions', { params: { path: { id: machineId } }, body: { action } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['machine', machineId] }),
  });
  return (
    <Card withBorder component="section" aria-labelledby="actions-title">
      <Stack gap="xs">
        <Title order={2} size="h4" id="actions-title">
          {t('machine.actions')}
        </Title>
        {LOW_RISK_ACTIONS.map((a) => (
          <Group key={a} justify="space-between" wrap="nowrap">
            <Button variant="light" onClick={() => run.mutate(a)} loading={run.isPending && run.variables === a}>
              {t(`machine.action.${a}`)}
            </Button>
            <Badge color="teal" variant="light">
              {t('machine.risk.low')}
            </Badge>
          </Group>
        ))}
        {run.isSuccess && (
          <Text size="sm" role="status">
            <IconCheck size={14} aria-hidden /> {t('machine.queued')}
          </Text>
        )}
        {run.error && <ErrorNotice error={run.error} />}
      </Stack>
    </Card>
  );
}
