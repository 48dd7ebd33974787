import promClient, { type PrometheusContentType, type Registry as PromRegistry } from 'prom-client';
import { processRegistry } from './process-metrics.ts';

// See process-metrics.ts: CommonJS, so from the default export.
const { AggregatorRegistry, contentType, Gauge, Registry } = promClient;

/** One process's metrics as prom-client serialises them (`getMetricsAsJSON`), the form other processes publish. */
export type MetricsSnapshot = Awaited<ReturnType<PromRegistry['getMetricsAsJSON']>>;

/** The Prometheus text format's content type (version 0.0.4). */
export const METRICS_CONTENT_TYPE: string = contentType;

export function snapshotProcessMetrics(): Promise<MetricsSnapshot> {
  return processRegistry.getMetricsAsJSON();
}

/** A gauge computed at scrape time from the database (job facts), not kept in any process. */
export interface DerivedGauge {
  name: string;
  help: string;
  labelNames: string[];
  series: { labels: Record<string, string>; value: number }[];
}

/**
 * The text served at /metrics: the processes' snapshots added up (prom-client's cluster aggregation: counters and
 * histograms summed per label set, so one series per kind whatever the number of workers) and the derived gauges.
 * A snapshot that is not a list (a row written by something else) is left out rather than failing the scrape.
 */
export async function renderExposition(snapshots: unknown[], derived: DerivedGauge[]): Promise<string> {
  const merged = AggregatorRegistry.aggregate<PrometheusContentType>(
    snapshots.filter(Array.isArray) as MetricsSnapshot[],
  );
  const computed = new Registry();
  for (const d of derived) {
    const gauge = new Gauge({ name: d.name, help: d.help, labelNames: d.labelNames, registers: [computed] });
    for (const s of d.series) gauge.set(s.labels, s.value);
  }
  return Registry.merge([merged, computed]).metrics();
}
