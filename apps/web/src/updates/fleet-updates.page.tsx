import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { IconChecks, IconCircleCheck } from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { useMachines } from '../dashboard/dashboard.page.tsx';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { useT } from '../preferences/preferences.tsx';
import { pairKey, requestsOf, type PendingGroup } from './fleet-selection.ts';

/**
 * The fleet's pending changes grouped by dedup key ("openssl 3.0.15 → 3.0.17 · 12 machines"), security first (the
 * API's order); choose machines per change, then request the apply: one approval request per machine.
 */
export function FleetUpdatesPage() {
  const t = useT();
  const queryClient = useQueryClient();
  const groups = useQuery({
    queryKey: ['machines', 'pending-updates'],
    queryFn: () => unwrap<PendingGroup[]>(api.GET('/api/v1/updates/pending', { params: { query: { limit: 500 } } })),
  });
  const machines = useMachines();
  const names = useMemo(
    () => new Map((machines.data?.items ?? []).map((m) => [m.id, m.name] as const)),
    [machines.data],
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const requests = useMemo(() => requestsOf(groups.data ?? [], selected), [groups.data, selected]);
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
      {groups.data?.length === 0 && (
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
      {groups.data?.map((g) => {
        const keys = g.machineIds.map((m) => pairKey(g.dedupKey, m));
        const chosen = keys.filter((k) => selected.has(k)).length;
        const titleId = `change-${g.dedupKey}`;
        return (
          <Card key={g.dedupKey} withBorder component="article" aria-labelledby={titleId} data-testid="pending-change">
            <Group justify="space-between" wrap="wrap" mb="xs">
              <Title order={2} size="h5" id={titleId} style={{ overflowWrap: 'anywhere' }}>
                {t(g.machineCount === 1 ? 'fleet.changeOne' : 'fleet.change', {
                  name: g.name,
                  from: g.currentVersion ?? '∅',
                  to: g.targetVersion ?? '∅',
                  count: g.machineCount,
                })}
              </Title>
              <Group gap={6}>
                {g.security && (
                  <Badge color="red" variant="light">
                    {t('flag.security')}
                  </Badge>
                )}
                {g.held && (
                  <Badge color="grape" variant="light">
                    {t('flag.held')}
                  </Badge>
                )}
                {g.origin && (
                  <Text size="xs" c="dimmed">
                    {g.origin}
                  </Text>
                )}
              </Group>
            </Group>
            {g.held ? (
              <Text size="sm" c="dimmed">
                {t('flag.held.why')}
              </Text>
            ) : (
              <Stack gap={4}>
                <Checkbox
                  label={t('fleet.allMachines')}
                  checked={chosen === keys.length}
                  indeterminate={chosen > 0 && chosen < keys.length}
                  onChange={(e) => toggle(keys, e.currentTarget.checked)}
                  aria-label={t('fleet.allMachinesFor', { name: g.name })}
                />
                <Group gap="md" pl="lg">
                  {g.machineIds.map((m) => (
                    <Checkbox
                      key={m}
                      label={names.get(m) ?? m}
                      checked={selected.has(pairKey(g.dedupKey, m))}
                      onChange={(e) => toggle([pairKey(g.dedupKey, m)], e.currentTarget.checked)}
                    />
                  ))}
                </Group>
              </Stack>
            )}
          </Card>
        );
      })}
      {groups.data && groups.data.length > 0 && (
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
