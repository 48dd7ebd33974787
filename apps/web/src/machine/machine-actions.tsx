import { Anchor, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import type { MachineAction } from '@su/contracts';
import { api, unwrap } from '../api/client.ts';
import type { MessageKey } from '../i18n/en.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { useT } from '../preferences/preferences.tsx';
import { ACTION_RISK, isDestructive, MACHINE_PAGE_ACTIONS, needsApproval } from './action-risk.ts';

const RISK_COLOR = { low: 'teal', medium: 'orange', high: 'red' } as const;

type Outcome = { kind: 'queued' } | { kind: 'requested' };

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
        await unwrap(
          api.POST('/api/v1/machines/{id}/actions', { params: { path: { id: machineId } }, body: { action } }),
        );
        return { kind: 'queued' };
      }
      // The API's defaults, spelled out: a day to decide, and never a plan that grew since the analysis.
      await unwrap(
        api.POST('/api/v1/action-requests', {
          body: { machineId, action, expiresInMinutes: 1440, allowPlanSuperset: false },
        }),
      );
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
            <Group key={a} justify="space-between" wrap="wrap" gap="xs" data-testid={`action-${a}`}>
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
                  color={asking ? 'red' : undefined}
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
        {outcome?.kind === 'queued' && (
          <Text size="sm" role="status">
            <IconCheck size={14} aria-hidden /> {t('machine.queued')}
          </Text>
        )}
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
