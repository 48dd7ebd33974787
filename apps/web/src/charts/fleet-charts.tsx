import '@mantine/core/styles/SimpleGrid.layer.css';
import { Loader, SimpleGrid } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, unwrap } from '../api/client.ts';
import type { MachineView } from '../api/types.ts';
import { isMessageKey } from '../i18n/translate.ts';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';
import { axis, ChartFrame, legendText, SERIES, tooltipStyle } from './chart-frame.tsx';
import { UpdatesLineChart } from './updates-line-chart.tsx';

interface FleetDay {
  day: string;
  pending: number;
  security: number;
  ok: number;
  failed: number;
  cancelled: number;
}

const DAYS = 14;

/** Counts of machines per value (OS, kind), largest first. */
function countBy(machines: MachineView[], key: (m: MachineView) => string): { name: string; machines: number }[] {
  const counts = new Map<string, number>();
  for (const m of machines) counts.set(key(m), (counts.get(key(m)) ?? 0) + 1);
  return [...counts].map(([name, n]) => ({ name, machines: n })).sort((a, b) => b.machines - a.machines);
}

/**
 * The dashboard's charts (loaded on their own, after the tiles): updates over time, job outcomes per day, machines by
 * OS and by kind. Live like the rest: job and machine events refresh 'stats'.
 */
export default function FleetCharts({ machines }: { machines: MachineView[] }) {
  const { t, prefs } = usePreferences();
  const days = useQuery({
    queryKey: ['stats', 'fleet'],
    queryFn: () => unwrap<FleetDay[]>(api.GET('/api/v1/stats/fleet', { params: { query: { days: DAYS } } })),
  });
  const dayLabel = (d: string) =>
    new Date(`${d}T12:00:00Z`).toLocaleDateString(prefs.language, { day: 'numeric', month: 'short' });
  const data = (days.data ?? []).map((d) => ({ ...d, label: dayLabel(d.day) }));
  const last = data.at(-1);
  const byOs = countBy(machines, (m) => m.osFamily);
  const byKind = countBy(machines, (m) => {
    const key = `kind.${m.machineKind}`;
    return isMessageKey(key) ? t(key) : m.machineKind;
  });
  const jobsTotal = data.reduce((n, d) => n + d.ok + d.failed + d.cancelled, 0);
  const failedTotal = data.reduce((n, d) => n + d.failed, 0);
  if (days.error) return <ErrorNotice error={days.error} />;
  if (days.isPending) return <Loader size="sm" role="status" aria-label={t('common.loading')} />;
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} component="section" aria-label={t('charts.label')}>
      <ChartFrame
        title={t('charts.updates')}
        summary={t('charts.updatesSummary', { pending: last?.pending ?? 0, security: last?.security ?? 0 })}
        testId="chart-updates"
      >
        <UpdatesLineChart data={data} dots={false} />
      </ChartFrame>
      <ChartFrame
        title={t('charts.jobs')}
        summary={t('charts.jobsSummary', { days: DAYS, total: jobsTotal, failed: failedTotal })}
        testId="chart-jobs"
      >
        <ResponsiveContainer>
          <BarChart data={data} accessibilityLayer={false}>
            <CartesianGrid stroke={SERIES.grid} strokeDasharray="3 3" />
            <XAxis dataKey="label" tick={axis} stroke={SERIES.grid} />
            <YAxis allowDecimals={false} tick={axis} stroke={SERIES.grid} width={40} />
            <Tooltip {...tooltipStyle} />
            <Legend formatter={legendText} />
            <Bar isAnimationActive={false} dataKey="ok" stackId="j" name={t('charts.ok')} fill={SERIES.ok} />
            <Bar
              isAnimationActive={false}
              dataKey="failed"
              stackId="j"
              name={t('charts.failed')}
              fill={SERIES.failed}
            />
            <Bar
              isAnimationActive={false}
              dataKey="cancelled"
              stackId="j"
              name={t('charts.cancelled')}
              fill={SERIES.cancelled}
            />
          </BarChart>
        </ResponsiveContainer>
      </ChartFrame>
      <CountChart title={t('charts.byOs')} rows={byOs} testId="chart-os" />
      <CountChart title={t('charts.byKind')} rows={byKind} testId="chart-kind" />
    </SimpleGrid>
  );
}

function CountChart(props: { title: string; rows: { name: string; machines: number }[]; testId: string }) {
  const { t } = usePreferences();
  const summary = props.rows.map((r) => `${r.name} ${r.machines}`).join(', ') || t('common.none');
  return (
    <ChartFrame title={props.title} summary={summary} testId={props.testId}>
      <ResponsiveContainer>
        <BarChart data={props.rows} layout="vertical" margin={{ left: 16 }} accessibilityLayer={false}>
          <CartesianGrid stroke={SERIES.grid} strokeDasharray="3 3" horizontal={false} />
          <XAxis type="number" allowDecimals={false} tick={axis} stroke={SERIES.grid} />
          <YAxis type="category" dataKey="name" tick={axis} stroke={SERIES.grid} width={110} />
          <Tooltip {...tooltipStyle} />
          <Bar isAnimationActive={false} dataKey="machines" name={t('charts.machines')} fill={SERIES.bar} />
        </BarChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}
