import { Card, Text, Title } from '@mantine/core';
import { useId, type ReactNode } from 'react';

/**
 * A chart with its title and a one-line summary in words: what a screen reader reads instead of the drawing, which is
 * hidden from it and never takes the focus (the charts are built with recharts' accessibility layer off).
 */
export function ChartFrame(props: { title: string; summary: string; children: ReactNode; testId?: string }) {
  const id = useId();
  return (
    <Card withBorder component="figure" m={0} aria-labelledby={id} data-testid={props.testId}>
      <Title order={3} size="h5" id={id}>
        {props.title}
      </Title>
      <Text size="xs" c="dimmed" mb="xs" component="figcaption">
        {props.summary}
      </Text>
      <div aria-hidden style={{ width: '100%', height: 220 }}>
        {props.children}
      </div>
    </Card>
  );
}

/** Series colours that read in light and dark (Mantine's palette, through its CSS variables). */
export const SERIES = {
  pending: 'var(--mantine-color-yellow-6)',
  security: 'var(--mantine-color-orange-7)',
  ok: 'var(--mantine-color-teal-6)',
  failed: 'var(--mantine-color-red-6)',
  cancelled: 'var(--mantine-color-gray-5)',
  bar: 'var(--mantine-color-indigo-5)',
  grid: 'var(--mantine-color-default-border)',
  text: 'var(--mantine-color-dimmed)',
} as const;

/** Axis ticks, in the dimmed text colour. */
export const axis = { stroke: SERIES.text, fontSize: 11 };

/** Legend labels in the body's text colour (the series colour stays on the swatch): readable on light and dark. */
export const legendText = (value: string) => <span style={{ color: 'var(--mantine-color-text)' }}>{value}</span>;

/** Tooltip text in the body's colours, for the same reason. */
export const tooltipStyle = {
  itemStyle: { color: 'var(--mantine-color-text)' },
  contentStyle: { background: 'var(--mantine-color-body)', color: 'var(--mantine-color-text)' },
} as const;
