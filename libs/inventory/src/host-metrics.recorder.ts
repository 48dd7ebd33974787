import { disksOverThreshold, type FilesystemUsage, type HostMetricsSample } from '@su/contracts';
import { HostMetricsRepository, type ImportantMessageInput, ImportantMessagesRepository, type Tx } from '@su/db';
import { readHostMetricsSettings } from './host-metrics-settings.service.ts';

const CATEGORY = 'disk_usage';
const keyOf = (mount: string) => `disk_usage:${mount}`;

/**
 * Keeps one sample (a probe's or a periodic one) in host_metrics, inside the caller's transaction, and raises or
 * clears the disk messages it implies. `thresholdPercent`: the setting when the caller has read it already.
 */
export async function recordHostMetrics(
  tx: Tx,
  machineId: string,
  source: 'probe' | 'sample',
  sample: HostMetricsSample,
  thresholdPercent?: number,
): Promise<void> {
  await new HostMetricsRepository(tx).insert(machineId, source, sample);
  const threshold = thresholdPercent ?? (await readHostMetricsSettings(tx)).diskThresholdPercent;
  await recordDiskUsage(tx, machineId, sample.filesystems, threshold);
}

/**
 * A file system at or above the threshold raises one important message per crossing: a message already open for it
 * is left as it is (an acknowledged one stays acknowledged while the disk stays full); once the disk is back under,
 * the message is resolved, and the next crossing opens it again as news.
 */
export async function recordDiskUsage(
  tx: Tx,
  machineId: string,
  filesystems: readonly FilesystemUsage[],
  thresholdPercent: number,
): Promise<void> {
  const messages = new ImportantMessagesRepository(tx);
  const { categories, raised } = diskUsageConditions(machineId, filesystems, thresholdPercent);
  const open = new Set(await messages.openKeys(machineId, CATEGORY));
  for (const m of raised) if (!open.has(m.dedupKey)) await messages.upsert(m);
  await messages.resolveGone(
    machineId,
    categories,
    raised.map((m) => m.dedupKey),
  );
}

/** The disk messages a sample implies: one per file system at or above the threshold, keyed by its mount. */
export function diskUsageConditions(
  machineId: string,
  filesystems: readonly FilesystemUsage[],
  thresholdPercent: number,
): { categories: string[]; raised: ImportantMessageInput[] } {
  const raised = disksOverThreshold(filesystems, thresholdPercent).map((f): ImportantMessageInput => ({
    machineId,
    source: 'system',
    category: CATEGORY,
    severity: f.usedPercent >= 98 ? 'error' : 'warning',
    message: `${f.mount} is ${f.usedPercent}% full (threshold ${thresholdPercent}%)`,
    dedupKey: keyOf(f.mount),
    component: f.mount,
    payload: { mount: f.mount, usedPercent: f.usedPercent, thresholdPercent, availableBytes: f.availableBytes },
  }));
  return { categories: [CATEGORY], raised };
}
