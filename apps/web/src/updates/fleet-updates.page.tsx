import { Alert, Anchor, Button, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { IconChecks, IconCircleCheck } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { useT } from '../preferences/preferences.tsx';
import { requestsOf, type PendingGroup } from './fleet-selection.ts';
import { PendingChangeCard } from './pending-change-card.tsx';

/** The widest changes shown at once (the API's page); the rest is said, not listed. */
const GROUPS_SHOWN = 500;

/**
 * The fleet's pending changes grouped by dedup key ("openssl 3.0.15 → 3.0.17 · 12 machines"), security first (the
 * API's order, counts only); choose machines per change (read on demand), then request the apply: one approval
 * request per machine.
 */
export function FleetUpdatesPage() {
  const t = useT();
  const queryClient = useQueryClient();
  const groups = useQuery({
    queryKey: ['machines', 'pending-updates'],
    queryFn: () =>
      unwrap<{ items: PendingGroup[]; total: number }>(
        api.GET('/api/v1/updates/pending', { params: { query: { limit: GROUPS_SHOWN } } }),
      ),
  });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const requests = useMemo(() => requestsOf(groups.data?.items ?? [], selected), [groups.data, selected]);
  const toggle = (keys: string[], on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      for (const k of keys)
        if (on) next.add(k);
        else next.delete(k);
      return next;
    });
  const request = useMutation({
    mutationFn: async () => {
      for (const r of requests) {
        await unwrap(
          api.POST('/api/v1/action-requests', {
            body: {
              machineId: r.machineId,
              action: 'apt_upgrade',
              options: { packages: r.packages },
              expiresInMinutes: 1440,
              allowPlanSuperset: false,
            },
          }),
        );
      }
      return requests.length;
    },
    onSuccess: () => {
      setSelected(new Set());
      void queryClient.invalidateQueries({ queryKey: ['action-requests'] });
    },
  });
  const packageCount = new Set(requests.flatMap((r) => r.packages)).size;
  return (
    <Stack>
      <Title order={1} size="h2">
        {t('fleet.title')}
      </Title>
      {groups.isPending && <Loader role="status" aria-label={t('common.loading')} />}
      {groups.error && <ErrorNotice error={groups.error} />}
      {groups.data?.total === 0 && (
        <Alert icon={<IconCircleCheck aria-hidden />} title={t('fleet.empty')} variant="light">
          {t('fleet.emptyNext')}
        </Alert>
      )}
      {request.isSuccess && (
        <Alert color="green" variant="light" icon={<IconChecks aria-hidden />} role="status">
          {t('fleet.requested', { count: request.data })}{' '}
          <Anchor component={Link} to="/approvals">
            {t('nav.approvals')}
          </Anchor>
        </Alert>
      )}
      {request.error && <ErrorNotice error={request.error} />}
      {groups.data && groups.data.total > groups.data.items.length && (
        <Text size="sm" c="dimmed">
          {t('fleet.partial', { shown: groups.data.items.length, total: groups.data.total })}
        </Text>
      )}
      {groups.data?.items.map((g) => (
        <PendingChangeCard key={`${g.held}|${g.dedupKey}`} group={g} selected={selected} toggle={toggle} />
      ))}
      {groups.data && groups.data.items.length > 0 && (
        <Group justify="flex-end" pos="sticky" bottom={0} py="sm" bg="var(--mantine-color-body)">
          <Text size="sm">{t('fleet.selection', { packages: packageCount, machines: requests.length })}</Text>
          <Button disabled={requests.length === 0} loading={request.isPending} onClick={() => request.mutate()}>
            {t('fleet.request')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
