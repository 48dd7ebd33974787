import { Alert, Anchor, Badge, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { IconCalendarPlus, IconCalendarTime } from '@tabler/icons-react';
import { Link } from 'react-router';
import { ScrollRegion } from '../layout/scroll-region.tsx';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { useMe } from '../session/session.ts';
import { cronInWords } from './cron-words.ts';
import { useSchedules } from './use-schedules.ts';

/** Every schedule: what it runs, when (in words and its next run), on its time zone. */
export function ScheduleList() {
  const { t, prefs } = usePreferences();
  const schedules = useSchedules();
  const isAdmin = useMe().data?.scopes.includes('admin') ?? false;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('schedules.title')}
        </Title>
        {isAdmin && (
          <Button component={Link} to="/schedules/new" leftSection={<IconCalendarPlus size={16} aria-hidden />}>
            {t('schedules.new')}
          </Button>
        )}
      </Group>
      {schedules.isPending && <Loader aria-label={t('common.loading')} />}
      {schedules.error && <ErrorNotice error={schedules.error} />}
      {schedules.data?.length === 0 && (
        <Alert variant="light" icon={<IconCalendarTime aria-hidden />} title={t('schedules.empty')}>
          {t('schedules.emptyNext')}
        </Alert>
      )}
      {!!schedules.data?.length && (
        <ScrollRegion label={t('schedules.title')} minWidth={640}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('schedules.name')}</Table.Th>
                <Table.Th>{t('schedules.when')}</Table.Th>
                <Table.Th>{t('schedules.nextRun')}</Table.Th>
                <Table.Th>{t('schedules.steps')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {schedules.data.map((s) => (
                <Table.Tr key={s.id} data-testid="schedule-row">
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    <Anchor component={Link} to={`/schedules/${s.id}`}>
                      {s.name}
                    </Anchor>{' '}
                    {!s.enabled && <Badge variant="outline">{t('schedules.disabled')}</Badge>}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{cronInWords(s.cron, prefs.language) ?? s.cron}</Text>
                    <Text size="xs" c="dimmed">
                      {s.cron} · {s.timezone}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {s.nextRunAt
                      ? new Date(s.nextRunAt).toLocaleString(prefs.language, {
                          timeZone: s.timezone,
                          timeZoneName: 'short',
                        })
                      : '—'}
                  </Table.Td>
                  <Table.Td>{s.actions.map((a) => t(`action.${a}`)).join(' → ')}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollRegion>
      )}
    </Stack>
  );
}
