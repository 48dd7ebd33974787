import { Badge, Button, Card, Checkbox, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { useT } from '../preferences/preferences.tsx';
import { pairKey, type PendingGroup } from './fleet-selection.ts';
import { fetchPendingMachines, pendingMachinesKey } from './pending-machines.ts';

interface Props {
  group: PendingGroup;
  selected: ReadonlySet<string>;
  toggle: (keys: string[], on: boolean) => void;
}

/**
 * One pending change: how many machines need it, and — read only when asked, by "choose machines" or "all these
 * machines" — which ones, each to tick.
 */
export function PendingChangeCard({ group: g, selected, toggle }: Props) {
  const t = useT();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const machines = useQuery({
    queryKey: pendingMachinesKey(g),
    queryFn: () => fetchPendingMachines(g),
    enabled: open && !g.held,
  });
  const keys = (machines.data ?? []).map((m) => pairKey(g.dedupKey, m.id));
  const chosen = keys.filter((k) => selected.has(k)).length;
  const chooseAll = async (on: boolean) => {
    setOpen(true);
    const all = await queryClient.fetchQuery({ queryKey: pendingMachinesKey(g), queryFn: () => fetchPendingMachines(g) });
    toggle(
      all.map((m) => pairKey(g.dedupKey, m.id)),
      on,
    );
  };
  const titleId = `change-${g.held ? 'held-' : ''}${g.dedupKey}`;
  return (
    <Card withBorder component="article" aria-labelledby={titleId} data-testid="pending-change">
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
          <Group gap="md">
            <Checkbox
              label={t('fleet.allMachines')}
              checked={keys.length > 0 && chosen === keys.length}
              indeterminate={chosen > 0 && chosen < keys.length}
              onChange={(e) => void chooseAll(e.currentTarget.checked)}
              aria-label={t('fleet.allMachinesFor', { name: g.name })}
            />
            <Button
              variant="subtle"
              size="compact-sm"
              onClick={() => setOpen((o) => !o)}
              aria-expanded={open}
              aria-label={t('fleet.chooseMachinesFor', { name: g.name })}
            >
              {t('fleet.chooseMachines')}
            </Button>
          </Group>
          {machines.isFetching && !machines.data && <Loader size="sm" role="status" aria-label={t('common.loading')} />}
          {machines.error && <ErrorNotice error={machines.error} />}
          {open && machines.data && (
            <Group gap="md" pl="lg">
              {machines.data.map((m) => (
                <Checkbox
                  key={m.id}
                  label={m.name}
                  checked={selected.has(pairKey(g.dedupKey, m.id))}
                  onChange={(e) => toggle([pairKey(g.dedupKey, m.id)], e.currentTarget.checked)}
                />
              ))}
            </Group>
          )}
        </Stack>
      )}
    </Card>
  );
}
