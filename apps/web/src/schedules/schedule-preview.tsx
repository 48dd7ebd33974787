import { Badge, Card, Group, List, Loader, Stack, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import type { SchedulePreview as Preview } from '../api/admin-types.ts';
import { useMachines } from '../dashboard/use-machines.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { cronInWords } from './cron-words.ts';
import { scopeOf, type ScheduleForm } from './schedule-form.ts';

const SHOWN_MACHINES = 12;

/**
 * What the schedule being written means: the cron in words, its next 5 runs in its time zone (from the gateway,
 * computed by the scheduler's own library) and the machines its scope matches right now.
 */
export function SchedulePreviewCard({ form }: { form: ScheduleForm }) {
  const { t, prefs } = usePreferences();
  const [draft] = useDebouncedValue({ cron: form.cron, timezone: form.timezone, scope: scopeOf(form) }, 300);
  const preview = useQuery({
    queryKey: ['schedule-preview', draft],
    queryFn: () => unwrap<Preview>(api.POST('/api/v1/schedules/preview', { body: { ...draft, count: 5 } })),
    retry: false,
  });
  const machines = useMachines();
  const names = new Map(machines.data?.items.map((m) => [m.id, m.name]));
  const words = cronInWords(form.cron, prefs.language);
  return (
    <Card withBorder component="section" aria-labelledby="preview-title" data-testid="schedule-preview">
      <Stack gap="sm">
        <Title order={2} size="h4" id="preview-title">
          {t('schedules.preview')}
        </Title>
        <Text fw={500} data-testid="cron-words">
          {words ?? t('schedules.cronUnreadable')}
        </Text>
        {preview.isPending && <Loader size="sm" aria-label={t('common.loading')} />}
        {preview.error && <ErrorNotice error={preview.error} />}
        {preview.data && (
          <>
            <Text size="sm" fw={500}>
              {t('schedules.nextRuns', { zone: draft.timezone })}
            </Text>
            <List size="sm" data-testid="next-runs">
              {preview.data.nextRuns.map((iso) => (
                <List.Item key={iso}>
                  {new Date(iso).toLocaleString(prefs.language, {
                    timeZone: draft.timezone,
                    dateStyle: 'full',
                    timeStyle: 'short',
                  })}
                </List.Item>
              ))}
            </List>
            <Text size="sm" fw={500}>
              {t('schedules.matches', { count: preview.data.machineIds.length })}
            </Text>
            <Group gap={4} data-testid="matched-machines">
              {preview.data.machineIds.slice(0, SHOWN_MACHINES).map((id) => (
                <Badge key={id} variant="default" style={{ textTransform: 'none' }}>
                  {names.get(id) ?? id}
                </Badge>
              ))}
              {preview.data.machineIds.length > SHOWN_MACHINES && (
                <Text size="xs">
                  {t('schedules.andMore', { count: preview.data.machineIds.length - SHOWN_MACHINES })}
                </Text>
              )}
            </Group>
          </>
        )}
      </Stack>
    </Card>
  );
}
