import { Button, Card, Group, Text } from '@mantine/core';
import { IconSearch, IconSend, IconX } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';

const REQUEST_TTL_MINUTES = 1440;
const SHOWN_REFUSALS = 3;

/**
 * What to do with the selected machines: analyse them now (a low-risk read), or request an upgrade of each, which
 * creates action requests a person approves in the inbox (never an apply without approval from here).
 */
export function SelectionBar({ ids, onClear }: { ids: string[]; onClear: () => void }) {
  const { t } = usePreferences();
  const queryClient = useQueryClient();
  const analyse = useMutation({
    mutationFn: () =>
      Promise.all(
        ids.map((id) =>
          unwrap(
            api.POST('/api/v1/machines/{id}/actions', {
              params: { path: { id } },
              body: { action: 'apt_update_analyze' },
            }),
          ),
        ),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['jobs'] }),
  });
  // One request per machine; some may be refused (no analysis to bind the plan to): say which and why.
  const request = useMutation({
    mutationFn: async () => {
      const outcomes = await Promise.allSettled(
        ids.map((machineId) =>
          unwrap(
            api.POST('/api/v1/action-requests', {
              // The API's defaults, spelled out (the generated types make defaulted fields required).
              body: {
                machineId,
                action: 'apt_upgrade',
                expiresInMinutes: REQUEST_TTL_MINUTES,
                allowPlanSuperset: false,
              },
            }),
          ),
        ),
      );
      return {
        created: outcomes.filter((o) => o.status === 'fulfilled').length,
        refused: outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : [])),
      };
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['action-requests'] }),
  });
  if (ids.length === 0) return null;
  const done = analyse.isSuccess
    ? t('selection.analysing', { count: ids.length })
    : request.data
      ? t('selection.requested', { count: request.data.created })
      : null;
  return (
    // Sticky above the tiles, and before them in the DOM: Shift+Tab from a tile reaches it at once.
    <Card
      withBorder
      shadow="md"
      padding="sm"
      component="section"
      aria-label={t('selection.label')}
      style={{ position: 'sticky', top: 'calc(var(--app-shell-header-height, 56px) + 8px)', zIndex: 150 }}
    >
      <Group gap="xs">
        <Text fw={600} data-testid="selection-count">
          {t('selection.count', { count: ids.length })}
        </Text>
        <Button
          size="xs"
          leftSection={<IconSearch size={14} aria-hidden />}
          onClick={() => analyse.mutate()}
          loading={analyse.isPending}
        >
          {t('selection.analyse')}
        </Button>
        <Button
          size="xs"
          variant="light"
          leftSection={<IconSend size={14} aria-hidden />}
          onClick={() => request.mutate()}
          loading={request.isPending}
        >
          {t('selection.requestUpgrade')}
        </Button>
        <Button size="xs" variant="subtle" leftSection={<IconX size={14} aria-hidden />} onClick={onClear}>
          {t('selection.clear')}
        </Button>
      </Group>
      {done && (
        <Text size="sm" role="status" mt={4}>
          {done}
        </Text>
      )}
      {analyse.error && <ErrorNotice error={analyse.error} />}
      {request.data?.refused.slice(0, SHOWN_REFUSALS).map((e, i) => (
        <ErrorNotice key={i} error={e} title={t('selection.refused')} />
      ))}
    </Card>
  );
}
