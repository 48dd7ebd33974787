import { Alert, Anchor, Badge, Button, Group, Loader, Select, Stack, Table, Text, Title } from '@mantine/core';
import {
  IconAlertTriangle,
  IconBan,
  IconCircleCheck,
  IconClock,
  IconListCheck,
  IconLoader2,
  IconPlayerSkipForward,
  type Icon,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import type { JobStatus, JobSummaryView } from '../api/types.ts';
import { useMachines } from '../dashboard/use-machines.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { isJobKind, JOB_KINDS_SHOWN } from './job-kinds.ts';

// Type-only imports from the contracts lib keep Node code out of the bundle: the list is repeated, checked by type.
const STATUSES = [
  'waiting',
  'queued',
  'running',
  'ok',
  'warning',
  'error',
  'cancelled',
  'skipped',
] as const satisfies readonly JobStatus[];

const LOOK: Record<JobStatus, { color: string; icon: Icon }> = {
  waiting: { color: 'gray', icon: IconClock },
  queued: { color: 'gray', icon: IconClock },
  running: { color: 'blue', icon: IconLoader2 },
  ok: { color: 'teal', icon: IconCircleCheck },
  warning: { color: 'yellow', icon: IconAlertTriangle },
  error: { color: 'red', icon: IconAlertTriangle },
  cancelled: { color: 'gray', icon: IconBan },
  skipped: { color: 'gray', icon: IconPlayerSkipForward },
};

const isStatus = (v: string | null): v is JobStatus => v !== null && (STATUSES as readonly string[]).includes(v);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The list's filters, read from the address (anything that is not a status, kind or machine id is ignored). */
function useJobFilters() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status');
  const kind = params.get('kind');
  const machineId = params.get('machine');
  const filters = {
    ...(isStatus(status) ? { status } : {}),
    ...(isJobKind(kind) ? { kind } : {}),
    ...(machineId && UUID.test(machineId) ? { machineId } : {}),
  };
  // From the address as it is now: a select may call back with the closure of an earlier render, whose parameters are
  // stale (a filter cleared since would come back).
  const set = (name: 'status' | 'kind' | 'machine', value: string | null) => {
    const next = new URLSearchParams(window.location.search);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  return { filters, set };
}

/** Jobs, newest first, kept live by the event stream ('jobs' query key); the filters are in the URL. */
export function JobsPage() {
  const { t } = usePreferences();
  const { filters, set } = useJobFilters();
  const machines = useMachines();
  // Mantine leaves a select's clear button out of the Tab order; a filter must be clearable from the keyboard too.
  const clearButton = (filter: string) => ({
    tabIndex: 0,
    'aria-hidden': false,
    'aria-label': t('jobs.clearFilter', { filter }),
  });
  const jobs = useQuery({
    queryKey: ['jobs', filters],
    queryFn: () =>
      unwrap<JobSummaryView[]>(api.GET('/api/v1/jobs', { params: { query: { limit: 200, ...filters } } })),
  });
  return (
    <Stack>
      <Title order={1} size="h2">
        {t('jobs.title')}
      </Title>
      <Group align="flex-end" wrap="wrap">
        <Select
          label={t('jobs.status')}
          clearButtonProps={clearButton(t('jobs.status'))}
          placeholder={t('jobs.allStatuses')}
          data={STATUSES.map((s) => ({ value: s, label: t(`jobs.st.${s}`) }))}
          value={filters.status ?? null}
          onChange={(v) => set('status', v)}
          clearable
          w={220}
        />
        <Select
          label={t('jobs.kind')}
          clearButtonProps={clearButton(t('jobs.kind'))}
          placeholder={t('jobs.allKinds')}
          data={[...JOB_KINDS_SHOWN]}
          value={filters.kind ?? null}
          onChange={(v) => set('kind', v)}
          clearable
          searchable
          w={240}
        />
        <Select
          label={t('jobs.machine')}
          clearButtonProps={clearButton(t('jobs.machine'))}
          placeholder={t('jobs.allMachines')}
          data={(machines.data?.items ?? []).map((m) => ({ value: m.id, label: m.name }))}
          value={filters.machineId ?? null}
          onChange={(v) => set('machine', v)}
          clearable
          searchable
          limit={50}
          w={240}
        />
      </Group>
      {jobs.isPending && <Loader role="status" aria-label={t('common.loading')} />}
      {jobs.error && <ErrorNotice error={jobs.error} />}
      {jobs.data?.length === 0 && (
        <Alert icon={<IconListCheck aria-hidden />} title={t('jobs.empty')} variant="light">
          {t('jobs.emptyNext')}
        </Alert>
      )}
      {jobs.data && jobs.data.length > 0 && <JobsTable jobs={jobs.data} />}
    </Stack>
  );
}

function JobsTable({ jobs }: { jobs: JobSummaryView[] }) {
  const { t, prefs } = usePreferences();
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('jobs.kind')}</Table.Th>
            <Table.Th>{t('jobs.status')}</Table.Th>
            <Table.Th>{t('jobs.machine')}</Table.Th>
            <Table.Th>{t('jobs.created')}</Table.Th>
            <Table.Th>{t('jobs.error')}</Table.Th>
            <Table.Th>{t('jobs.actions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {jobs.map((j) => (
            <Table.Tr key={j.id} data-testid="job-row" data-job-id={j.id}>
              <Table.Td>
                <code>{j.kind}</code>
              </Table.Td>
              <Table.Td>
                <JobStatusBadge status={j.status} />
              </Table.Td>
              <Table.Td>
                {j.machineId ? (
                  <Anchor component={Link} to={`/machines/${j.machineId}`} size="sm">
                    {j.machineId.slice(0, 8)}
                  </Anchor>
                ) : (
                  '—'
                )}
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                {new Date(j.createdAt).toLocaleString(prefs.language)}
              </Table.Td>
              <Table.Td>
                {j.errorKind && (
                  <Text size="sm" title={j.errorMessage ?? undefined}>
                    {j.errorKind}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <JobActions job={j} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function JobStatusBadge({ status }: { status: JobStatus }) {
  const { t } = usePreferences();
  const look = LOOK[status];
  return (
    <Badge
      color={look.color}
      variant="light"
      leftSection={<look.icon size={12} aria-hidden />}
      data-testid="job-status"
    >
      {t(`jobs.st.${status}`)}
    </Badge>
  );
}

/** Cancel asks once more before acting (destructive); retry makes a new linked job. */
function JobActions({ job }: { job: JobSummaryView }) {
  const { t } = usePreferences();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const done = () => queryClient.invalidateQueries({ queryKey: ['jobs'] });
  const path = { params: { path: { id: job.id } } };
  const cancel = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/jobs/{id}/cancel', path)), onSettled: done });
  const retry = useMutation({ mutationFn: () => unwrap(api.POST('/api/v1/jobs/{id}/retry', path)), onSettled: done });
  const cancellable = job.status === 'queued' || job.status === 'running' || job.status === 'waiting';
  const retryable = job.status === 'error' || job.status === 'cancelled';
  return (
    <Group gap="xs" wrap="nowrap" onKeyDown={(e) => e.key === 'Escape' && setConfirming(false)}>
      {/* One button that asks once more: the same element keeps the keyboard focus when it turns into the question. */}
      {cancellable && (
        <Button
          size="xs"
          variant={confirming ? 'filled' : 'default'}
          color={confirming ? 'red' : undefined}
          loading={cancel.isPending}
          onClick={() => (confirming ? cancel.mutate() : setConfirming(true))}
        >
          {confirming ? t('jobs.confirmCancel') : t('jobs.cancel')}
        </Button>
      )}
      {retryable && (
        <Button size="xs" variant="default" loading={retry.isPending} onClick={() => retry.mutate()}>
          {t('jobs.retry')}
        </Button>
      )}
      {(cancel.error ?? retry.error) && <ErrorNotice error={cancel.error ?? retry.error} />}
    </Group>
  );
}
