import { Anchor, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { MachineAction } from '@su/contracts';
import type { components } from '../api/schema';
import type { JobSummaryView } from '../api/types.ts';

type CreateActionRequest = components['schemas']['CreateActionRequestDto'];
import { JobStatusBadge } from '../jobs/jobs.page.tsx';
import { api, unwrap } from '../api/client.ts';
import type { MessageKey } from '../i18n/en.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { useSteppedStatus } from '../live/use-stepped-status.ts';
import { useT } from '../preferences/preferences.tsx';
import { ACTION_RISK, isDestructive, MACHINE_PAGE_ACTIONS, needsApproval } from './action-risk.ts';

/**
 * A request with the API's defaults (a day to decide; a plan-bound action never applies a plan that grew since the
 * analysis). The document marks the defaulted fields required, but the API refuses `allowPlanSuperset` on actions
 * without a plan, so it is left out: the default applies.
 */
function requestBody(machineId: string, action: MachineAction): CreateActionRequest {
  return { machineId, action, expiresInMinutes: 1440 } as CreateActionRequest;
}

const RISK_COLOR = { low: 'teal', medium: 'orange', high: 'red' } as const;

type Outcome = { kind: 'queued'; job: JobSummaryView } | { kind: 'requested' };

/**
 * Every action with its risk and whether it needs approval. Low-risk ones run at once; the others become an action
 * request bound to the current plan, approved in the inbox; those ask "really?" first.
 */
export function MachineActions({ machineId }: { machineId: string }) {
  const t = useT();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<MachineAction | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const run = useMutation({
    mutationFn: async (action: MachineAction): Promise<Outcome> => {
      if (!needsApproval(action)) {
        const job = await unwrap<JobSummaryView>(
          api.POST('/api/v1/machines/{id}/actions', { params: { path: { id: machineId } }, body: { action } }),
        );
        return { kind: 'queued', job };
      }
      await unwrap(api.POST('/api/v1/action-requests', { body: requestBody(machineId, action) }));
      return { kind: 'requested' };
    },
    onSuccess: (o) => {
      setConfirming(null);
      setOutcome(o);
      void queryClient.invalidateQueries({
        queryKey: o.kind === 'queued' ? ['machine', machineId] : ['action-requests'],
      });
    },
  });
  const start = (action: MachineAction) => {
    setOutcome(null);
    if (isDestructive(action) && confirming !== action) setConfirming(action);
    else run.mutate(action);
  };
  return (
    <Card withBorder component="section" aria-labelledby="actions-title">
      <Stack gap="xs">
        <Title order={2} size="h4" id="actions-title">
          {t('machine.actions')}
        </Title>
        {MACHINE_PAGE_ACTIONS.map((a) => {
          const risk = ACTION_RISK[a];
          const asking = confirming === a;
          return (
            <Group
              key={a}
              justify="space-between"
              wrap="wrap"
              gap="xs"
              data-testid={`action-${a}`}
              onKeyDown={(e) => asking && e.key === 'Escape' && setConfirming(null)}
            >
              <Stack gap={0}>
                <Text fw={500} size="sm">
                  {t(`machine.action.${a}` as MessageKey)}
                </Text>
                <Group gap={6}>
                  <Badge color={RISK_COLOR[risk]} variant="light" size="sm">
                    {t(`risk.${risk}` as MessageKey)}
                  </Badge>
                  <Text size="xs" c="dimmed">
                    {needsApproval(a) ? t('actions.needsApproval') : t('actions.runsAtOnce')}
                  </Text>
                </Group>
              </Stack>
              <Group gap="xs">
                {asking && (
                  <Button size="xs" variant="default" onClick={() => setConfirming(null)}>
                    {t('common.cancel')}
                  </Button>
                )}
                <Button
                  size="xs"
                  variant={asking ? 'filled' : 'light'}
                  color={asking ? 'red.8' : undefined}
                  loading={run.isPending && run.variables === a}
                  onClick={() => start(a)}
                  aria-label={
                    asking
                      ? t('actions.confirm', { action: t(`machine.action.${a}` as MessageKey) })
                      : `${needsApproval(a) ? t('actions.request') : t('actions.run')}: ${t(`machine.action.${a}` as MessageKey)}`
                  }
                >
                  {asking ? t('actions.confirmShort') : needsApproval(a) ? t('actions.request') : t('actions.run')}
                </Button>
              </Group>
            </Group>
          );
        })}
        {outcome?.kind === 'queued' && <FollowedJob job={outcome.job} />}
        {outcome?.kind === 'requested' && (
          <Text size="sm" role="status">
            <IconCheck size={14} aria-hidden /> {t('actions.requested')}{' '}
            <Anchor component={Link} to="/approvals">
              {t('nav.approvals')}
            </Anchor>
          </Text>
        )}
        {run.error && <ErrorNotice error={run.error} />}
      </Stack>
    </Card>
  );
}

/**
 * The job an action just queued, followed live: it starts from the API's own answer (queued) and each job event
 * refreshes it through the one event stream ('jobs' queries).
 */
function FollowedJob({ job }: { job: JobSummaryView }) {
  const t = useT();
  const live = useQuery({
    queryKey: ['jobs', job.id],
    queryFn: () => unwrap<JobSummaryView>(api.GET('/api/v1/jobs/{id}', { params: { path: { id: job.id } } })),
    initialData: job,
  });
  const status = useSteppedStatus(live.data.status, live.data.startedAt);
  return (
    <Group gap="xs" role="status" data-testid="followed-job">
      <IconCheck size={14} aria-hidden />
      <Text size="sm">{t('machine.queued')}</Text>
      <JobStatusBadge status={status} />
    </Group>
  );
}
