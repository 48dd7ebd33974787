import type { FilesystemUsage } from './machine-probe.ts';

/**
 * Host metrics over time (issue 20, ADR 0044). One sample as kept in `host_metrics`: every value was read on the
 * machine; a sample missing one is refused, never completed with zeros.
 */
export interface HostMetricsSample {
  collectedAt: string;
  load: { load1: number; load5: number; load15: number };
  cpuCores: number | null;
  memory: { totalBytes: number; usedBytes: number; usedPercent: number };
  filesystems: FilesystemUsage[];
  rootUsedPercent: number;
  uptimeSeconds: number;
}

export const HOST_METRICS_SOURCES = ['probe', 'sample', 'hour'] as const;
export type HostMetricsSource = (typeof HOST_METRICS_SOURCES)[number];

/** The settings in `app_settings` (key `host_metrics`); what is not set takes its default. */
export interface HostMetricsSettings {
  /** How often the scheduler samples each reachable machine; 0 turns the periodic sample off (probes still record). */
  sampleIntervalSeconds: number;
  /** A file system at or above this use raises an important message, once per crossing. */
  diskThresholdPercent: number;
}

export const DEFAULT_HOST_METRICS_SETTINGS: HostMetricsSettings = {
  sampleIntervalSeconds: 300,
  diskThresholdPercent: 90,
};

/**
 * The file systems at or above the disk threshold: one rule for the `disk_usage` messages and the machine's
 * `diskWarningsCount`, so the two always agree.
 */
export function disksOverThreshold<F extends Pick<FilesystemUsage, 'usedPercent'>>(
  filesystems: readonly F[],
  thresholdPercent: number,
): F[] {
  return filesystems.filter((f) => f.usedPercent >= thresholdPercent);
}

/** The resolutions the history route answers in: each point is the average of its bucket. */
export const HOST_METRICS_RESOLUTIONS = { raw: 0, '5m': 300, '1h': 3600, '1d': 86_400 } as const;
export type HostMetricsResolution = keyof typeof HOST_METRICS_RESOLUTIONS;

/** One point of the history: a bucket's averages (and the highest use each file system reached in it). */
export interface HostMetricsPoint {
  at: string;
  samples: number;
  load1: number;
  load5: number;
  load15: number;
  memoryUsedPercent: number;
  rootUsedPercent: number;
  diskMaxUsedPercent: number;
  uptimeSeconds: number;
  /** mount → highest used percent in the bucket. */
  filesystems: Record<string, number>;
}

export interface HostMetricsHistory {
  machineId: string;
  from: string;
  to: string;
  resolution: HostMetricsResolution;
  points: HostMetricsPoint[];
}
