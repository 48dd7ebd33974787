import { Card, Loader, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import type { MachineEventView } from '../api/types.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { ScrollRegion } from '../layout/scroll-region.tsx';
import { usePreferences } from '../preferences/preferences.tsx';

/** The machine's events, newest first (refreshed by the live stream through the 'machine' query key). */
export function MachineTimeline({ machineId }: { machineId: string }) {
  const { t, prefs } = usePreferences();
  const events = useQuery({
    queryKey: ['machine', machineId, 'events'],
    queryFn: () =>
      unwrap<MachineEventView[]>(api.GET('/api/v1/machines/{id}/events', { params: { path: { id: machineId } } })),
  });
  return (
    <Card withBorder component="section" aria-labelledby="timeline-title">
      <Title order={2} size="h4" id="timeline-title" mb="xs">
        {t('machine.timeline')}
      </Title>
      {events.isPending && <Loader size="sm" role="status" aria-label={t('common.loading')} />}
      {events.error && <ErrorNotice error={events.error} />}
      {events.data?.length === 0 && <Text c="dimmed">{t('machine.timelineEmpty')}</Text>}
      {events.data && events.data.length > 0 && (
        <ScrollRegion label={t('machine.timeline')} minWidth={500}>
          <Table striped>
            <Table.Tbody>
              {events.data.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {new Date(e.createdAt).toLocaleString(prefs.language)}
                  </Table.Td>
                  <Table.Td>
                    <code>{e.eventType}</code>
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{e.message}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollRegion>
      )}
    </Card>
  );
}
