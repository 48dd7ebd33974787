import { useQuery } from '@tanstack/react-query';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, unwrap } from '../api/client.ts';
import { axis, ChartFrame, legendText, tooltipStyle, SERIES } from '../charts/chart-frame.tsx';
import { ErrorNotice } from '../layout/error-notice.tsx';
import { usePreferences } from '../preferences/preferences.tsx';

interface HostMetricsPoint {
  at: string;
  load1: number;
  load5: number;
  memoryUsedPercent: number;
  rootUsedPercent: number;
  diskMaxUsedPercent: number;
  uptimeSeconds: number;
}

type Series = { key: keyof HostMetricsPoint; label: string; color: string };

const round1 = (v: number) => Math.round(v * 10) / 10;

function MetricsLines({ data, series, percent }: { data: object[]; series: Series[]; percent: boolean }) {
  return (
    <ResponsiveContainer>
      <LineChart data={data} accessibilityLayer={false}>
        <CartesianGrid stroke={SERIES.grid} strokeDasharray="3 3" />
        <XAxis dataKey="label" tick={axis} stroke={SERIES.grid} minTickGap={24} />
        <YAxis tick={axis} stroke={SERIES.grid} width={40} {...(percent ? { domain: [0, 100], unit: '%' } : {})} />
        <Tooltip {...tooltipStyle} />
        <Legend formatter={legendText} />
        {series.map((s) => (
          <Line key={s.key} isAnimationActive={false} dataKey={s.key} name={s.label} stroke={s.color} dot={false} strokeWidth={2} />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}

/** The machine's host metrics over the last 24 hours (ADR 0044): CPU load, then memory and disk use. */
export function HostMetricsCharts({ machineId }: { machineId: string }) {
  const { t, prefs } = usePreferences();
  const metrics = useQuery({
    queryKey: ['machine', machineId, 'metrics'],
    queryFn: () =>
      unwrap<{ points: HostMetricsPoint[] }>(
        api.GET('/api/v1/machines/{id}/metrics', { params: { path: { id: machineId }, query: {} } }),
      ),
  });
  if (metrics.error) return <ErrorNotice error={metrics.error} />;
  const time = (iso: string) => new Date(iso).toLocaleTimeString(prefs.language, { hour: '2-digit', minute: '2-digit' });
  const points = (metrics.data?.points ?? []).map((p) => ({
    ...p,
    label: time(p.at),
    load1: round1(p.load1),
    load5: round1(p.load5),
    memoryUsedPercent: round1(p.memoryUsedPercent),
    rootUsedPercent: round1(p.rootUsedPercent),
    diskMaxUsedPercent: round1(p.diskMaxUsedPercent),
  }));
  const last = points.at(-1);
  return (
    <>
      <ChartFrame
        title={t('charts.load')}
        summary={
          last
            ? t('charts.loadSummary', { count: points.length, load: last.load1, hours: Math.floor(last.uptimeSeconds / 3600) })
            : t('charts.noMetrics')
        }
        testId="chart-load"
      >
        <MetricsLines
          data={points}
          percent={false}
          series={[
            { key: 'load1', label: t('charts.load1'), color: SERIES.bar },
            { key: 'load5', label: t('charts.load5'), color: SERIES.cancelled },
          ]}
        />
      </ChartFrame>
      <ChartFrame
        title={t('charts.usage')}
        summary={
          last
            ? t('charts.usageSummary', {
                memory: last.memoryUsedPercent,
                root: last.rootUsedPercent,
                disk: last.diskMaxUsedPercent,
              })
            : t('charts.noMetrics')
        }
        testId="chart-usage"
      >
        <MetricsLines
          data={points}
          percent
          series={[
            { key: 'memoryUsedPercent', label: t('charts.memory'), color: SERIES.ok },
            { key: 'rootUsedPercent', label: t('charts.root'), color: SERIES.pending },
            { key: 'diskMaxUsedPercent', label: t('charts.diskMax'), color: SERIES.failed },
          ]}
        />
      </ChartFrame>
    </>
  );
}
