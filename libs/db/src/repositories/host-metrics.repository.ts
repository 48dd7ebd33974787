import {
  disksOverThreshold,
  type HostMetricsPoint,
  type HostMetricsSample,
  type HostMetricsSource,
} from '@su/contracts';
import type { DbClient } from '../database.ts';

/** The machines the periodic sample may visit now. */
export interface SampleCandidate {
  machineId: string;
}

export function hostMetricRow(machineId: string, source: Exclude<HostMetricsSource, 'hour'>, s: HostMetricsSample) {
  return {
    machineId,
    source,
    collectedAt: new Date(s.collectedAt),
    cpuLoad1: s.load.load1,
    cpuLoad5: s.load.load5,
    cpuLoad15: s.load.load15,
    cpuCores: s.cpuCores,
    memoryTotalBytes: BigInt(s.memory.totalBytes),
    memoryUsedBytes: BigInt(s.memory.usedBytes),
    memoryUsedPercent: s.memory.usedPercent,
    rootUsedPercent: s.rootUsedPercent,
    diskMaxUsedPercent: Math.max(...s.filesystems.map((f) => f.usedPercent)),
    filesystemsJson: s.filesystems,
    uptimeSeconds: s.uptimeSeconds,
  };
}

/**
 * host_metrics (issue 20, ADR 0044): one row per probe or periodic sample; retention folds old samples into one
 * row per machine and hour, then drops hourly rows past their own age. Range reads go through
 * (machine_id, collected_at DESC).
 */
export class HostMetricsRepository {
  constructor(private readonly db: DbClient) {}

  async insert(machineId: string, source: Exclude<HostMetricsSource, 'hour'>, s: HostMetricsSample): Promise<void> {
    await this.db.hostMetric.create({ data: hostMetricRow(machineId, source, s) });
  }

  /**
   * A periodic sample refreshes the latest values the tiles and the machine page read (machine_state,
   * machine_metrics_latest) where a probe already wrote them; the probe's own facts (snapshot, boot id, warnings) stay.
   * Disks are counted against the host-metrics threshold, as the disk messages are.
   */
  async refreshLatest(machineId: string, s: HostMetricsSample, diskThresholdPercent: number): Promise<void> {
    const at = new Date(s.collectedAt);
    await this.db.machineState.updateMany({
      where: { machineId },
      data: {
        metricsLastCollectedAt: at,
        cpuLoad1: s.load.load1,
        memoryUsedPercent: s.memory.usedPercent,
        rootUsedPercent: s.rootUsedPercent,
        diskWarningsCount: disksOverThreshold(s.filesystems, diskThresholdPercent).length,
      },
    });
    await this.db.machineMetricsLatest.updateMany({
      where: { machineId },
      data: {
        collectedAt: at,
        cpuLoad1: s.load.load1,
        cpuLoad5: s.load.load5,
        memoryTotalBytes: BigInt(s.memory.totalBytes),
        memoryUsedBytes: BigInt(s.memory.usedBytes),
        memoryAvailableBytes: BigInt(s.memory.totalBytes - s.memory.usedBytes),
        memoryUsedPercent: s.memory.usedPercent,
        filesystemsJson: s.filesystems,
        rootUsedPercent: s.rootUsedPercent,
        uptimeSeconds: s.uptimeSeconds,
      },
    });
  }

  /**
   * The machine's points in [from, to), one per bucket of `bucketSeconds` (0: each row as stored), oldest first.
   * Values are the bucket's averages weighted by the samples each row stands for; file systems keep their highest use.
   * Over `limit` buckets, the newest are kept.
   */
  async history(machineId: string, from: Date, to: Date, bucketSeconds: number, limit: number) {
    // A bucket of a microsecond keeps each row apart without a second query shape.
    const bucket = bucketSeconds > 0 ? `${bucketSeconds} seconds` : '1 microsecond';
    return this.db.$queryRaw<HostMetricsPoint[]>`
      SELECT to_char(b.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, b.samples, b.load1, b.load5,
             b.load15, b."memoryUsedPercent", b."rootUsedPercent", b."diskMaxUsedPercent", b."uptimeSeconds",
             coalesce((SELECT jsonb_object_agg(x.mount, x.pct) FROM (
                 SELECT f.fe->>'mount' AS mount, max((f.fe->>'usedPercent')::float8) AS pct
                 FROM jsonb_array_elements(b.fs) AS l(list), jsonb_array_elements(l.list) AS f(fe) GROUP BY 1) x),
               '{}'::jsonb)
               AS filesystems
      FROM (
        SELECT date_bin(${bucket}::interval, h.collected_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS at,
               sum(h.samples)::int AS samples,
               sum(h.cpu_load1 * h.samples) / sum(h.samples) AS load1,
               sum(h.cpu_load5 * h.samples) / sum(h.samples) AS load5,
               sum(h.cpu_load15 * h.samples) / sum(h.samples) AS load15,
               sum(h.memory_used_percent * h.samples) / sum(h.samples) AS "memoryUsedPercent",
               sum(h.root_used_percent * h.samples) / sum(h.samples) AS "rootUsedPercent",
               max(h.disk_max_used_percent) AS "diskMaxUsedPercent",
               max(h.uptime_seconds) AS "uptimeSeconds",
               jsonb_agg(h.filesystems_json) AS fs
        FROM host_metrics h
        WHERE h.machine_id = ${machineId}::uuid AND h.collected_at >= ${from} AND h.collected_at < ${to}
        GROUP BY 1 ORDER BY 1 DESC LIMIT ${limit}) b
      ORDER BY b.at`;
  }

  /**
   * Retention's fold: every probe and sample older than `before` becomes part of one `hour` row per machine and hour
   * (averages weighted by samples, the hour's last file-system list), then goes. Returns the rows folded.
   */
  async foldOlderThan(before: Date): Promise<number> {
    await this.db.$executeRaw`
      INSERT INTO host_metrics (machine_id, collected_at, source, cpu_load1, cpu_load5, cpu_load15, cpu_cores,
        memory_total_bytes, memory_used_bytes, memory_used_percent, root_used_percent, disk_max_used_percent,
        filesystems_json, uptime_seconds, samples)
      SELECT h.machine_id, date_trunc('hour', h.collected_at), 'hour', avg(h.cpu_load1), avg(h.cpu_load5),
             avg(h.cpu_load15), max(h.cpu_cores), max(h.memory_total_bytes), avg(h.memory_used_bytes)::bigint,
             avg(h.memory_used_percent), avg(h.root_used_percent), max(h.disk_max_used_percent),
             (array_agg(h.filesystems_json ORDER BY h.collected_at DESC))[1], max(h.uptime_seconds), count(*)::int
      FROM host_metrics h WHERE h.source <> 'hour' AND h.collected_at < ${before}
      GROUP BY h.machine_id, date_trunc('hour', h.collected_at)`;
    return this.db.$executeRaw`DELETE FROM host_metrics WHERE source <> 'hour' AND collected_at < ${before}`;
  }

  async deleteHourlyOlderThan(before: Date): Promise<number> {
    return this.db.$executeRaw`DELETE FROM host_metrics WHERE source = 'hour' AND collected_at < ${before}`;
  }

  /** What a clean-up would remove (samples folded, hourly rows expired) and the rows' own size. */
  async retentionCounts(rawBefore: Date, hourlyBefore: Date): Promise<{ rows: number; bytes: number }> {
    const [r] = await this.db.$queryRaw<{ rows: number; bytes: number }[]>`
      SELECT count(*)::int AS "rows", coalesce(sum(pg_column_size(h.*)), 0)::float8 AS bytes FROM host_metrics h
      WHERE (h.source <> 'hour' AND h.collected_at < ${rawBefore}) OR (h.source = 'hour' AND h.collected_at < ${hourlyBefore})`;
    return r ?? { rows: 0, bytes: 0 };
  }

  /**
   * Machines to sample now: not deleted, online (reached by the last job: not blocked, not offline), no job holding
   * their lock, and no sample of theirs still queued or running (a slow machine never piles samples up).
   */
  async sampleCandidates(limit: number): Promise<SampleCandidate[]> {
    return this.db.$queryRaw<SampleCandidate[]>`
      SELECT m.id::text AS "machineId" FROM machines m JOIN machine_state s ON s.machine_id = m.id
      WHERE m.deleted_at IS NULL AND s.status = 'online'
        AND NOT EXISTS (SELECT 1 FROM machine_locks l WHERE l.machine_id = m.id)
        AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.machine_id = m.id AND j.kind = 'machine.metrics_sample'
                          AND j.status IN ('queued', 'running'))
      ORDER BY m.id LIMIT ${limit}`;
  }
}
