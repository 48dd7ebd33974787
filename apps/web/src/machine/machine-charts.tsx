import { SimpleGrid } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, unwrap } from '../api/client.ts';
import { axis, ChartFrame, SERIES, tooltipStyle } from '../charts/chart-frame.tsx';
import { UpdatesLineChart } from '../charts/updates-line-chart.tsx';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { HostMetricsCharts } from './host-metrics-charts.tsx';

interface MachineStats {
  updates: { at: string; pending: number; security: number }[];
  reboots: { at: string; seconds: number }[];
}

/**
 * One machine's charts: pending updates at each analysis, how long each verified reboot took, and its host metrics.
 */
export default function MachineCharts({ machineId }: { machineId: string }) {
  const { t, prefs } = usePreferences();
  const stats = useQuery({
    queryKey: ['machine', machineId, 'stats'],
    queryFn: () =>
      unwrap<MachineStats>(api.GET('/api/v1/machines/{id}/stats', { params: { path: { id: machineId } } })),
  });
  if (stats.error) return <ErrorNotice error={stats.error} />;
  const when = (iso: string) =>
    new Date(iso).toLocaleString(prefs.language, {
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
  const updates = (stats.data?.updates ?? []).map((u) => ({ ...u, label: when(u.at) }));
  const reboots = (stats.data?.reboots ?? []).map((r) => ({ ...r, label: when(r.at) }));
  const lastUpdate = updates.at(-1);
  const lastReboot = reboots.at(-1);
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} component="section" aria-label={t('charts.machineLabel')}>
      <ChartFrame
        title={t('charts.history')}
        summary={
          lastUpdate
            ? t('charts.historySummary', {
                count: updates.length,
                pending: lastUpdate.pending,
                security: lastUpdate.security,
              })
            : t('charts.noHistory')
        }
        testId="chart-history"
      >
        <UpdatesLineChart data={updates} dots />
      </ChartFrame>
      <ChartFrame
        title={t('charts.reboots')}
        summary={
          lastReboot
            ? t('charts.rebootsSummary', { count: reboots.length, seconds: lastReboot.seconds })
            : t('charts.noReboots')
        }
        testId="chart-reboots"
      >
        <ResponsiveContainer>
          <BarChart data={reboots} accessibilityLayer={false}>
            <CartesianGrid stroke={SERIES.grid} strokeDasharray="3 3" />
            <XAxis dataKey="label" tick={axis} stroke={SERIES.grid} />
            <YAxis allowDecimals={false} tick={axis} stroke={SERIES.grid} width={40} unit=" s" />
            <Tooltip {...tooltipStyle} />
            <Bar isAnimationActive={false} dataKey="seconds" name={t('charts.seconds')} fill={SERIES.bar} />
          </BarChart>
        </ResponsiveContainer>
      </ChartFrame>
      <HostMetricsCharts machineId={machineId} />
    </SimpleGrid>
  );
}
