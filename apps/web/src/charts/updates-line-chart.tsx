import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { usePreferences } from '../preferences/preferences.tsx';
import { axis, legendText, SERIES, tooltipStyle } from './chart-frame.tsx';

/**
 * Pending and security updates over time, the one line chart the dashboard (the fleet, one point a day, no dots) and
 * the machine page (one point an analysis) both draw.
 */
export function UpdatesLineChart({
  data,
  dots,
}: {
  data: readonly { label: string; pending: number; security: number }[];
  dots: boolean;
}) {
  const { t } = usePreferences();
  const line = (dataKey: 'pending' | 'security') => (
    <Line
      isAnimationActive={false}
      dataKey={dataKey}
      name={t(`charts.${dataKey}`)}
      stroke={SERIES[dataKey]}
      strokeWidth={2}
      {...(dots ? {} : { dot: false })}
    />
  );
  return (
    <ResponsiveContainer>
      <LineChart data={[...data]} accessibilityLayer={false}>
        <CartesianGrid stroke={SERIES.grid} strokeDasharray="3 3" />
        <XAxis dataKey="label" tick={axis} stroke={SERIES.grid} />
        <YAxis allowDecimals={false} tick={axis} stroke={SERIES.grid} width={40} />
        <Tooltip {...tooltipStyle} />
        <Legend formatter={legendText} />
        {line('pending')}
        {line('security')}
      </LineChart>
    </ResponsiveContainer>
  );
}
