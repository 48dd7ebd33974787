import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import type { SystemMetricView } from '@su/contracts';
import { Database, SystemMetricsRepository } from '@su/db';
import { APP_CONFIG, ProcessStatsReporter, SERVICE_NAME } from '@su/platform';

/** Bytes under `dir` (files only; links are not followed). Unreadable entries count as 0. */
async function treeBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await treeBytes(p);
    else if (e.isFile()) total += (await lstat(p).catch(() => null))?.size ?? 0;
  }
  return total;
}

/** How many samples back the API reads by default, and how long samples are kept. */
const KEEP_DAYS = 30;

/**
 * One system_metrics row per interval, taken by the scheduler's leader (ADR 0035): the services' CPU and memory as
 * each last reported it, the database's and WAL's size, the data directory's size, running jobs and machines.
 */
@Injectable()
export class SystemMetricsSampler {
  private readonly self: ProcessStatsReporter;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SERVICE_NAME) service: string,
  ) {
    this.self = new ProcessStatsReporter(service, db);
  }

  async sample(): Promise<void> {
    const repo = new SystemMetricsRepository(this.db.prisma);
    await this.self.report();
    const stale = new Date(Date.now() - Math.max(3 * this.config.maintenance.systemMetricsSeconds, 60) * 1000);
    const services = await repo.processStatsSince(stale);
    const sum = (f: (s: (typeof services)[number]) => number) => services.reduce((a, s) => a + f(s), 0);
    const { dbBytes, walBytes } = await repo.databaseSizes();
    await repo.insert({
      cpuPercent: Math.round(sum((s) => s.cpuPercent) * 10) / 10,
      memoryRssBytes: sum((s) => s.rssBytes),
      memoryHeapBytes: sum((s) => s.heapUsedBytes),
      dbBytes,
      walBytes,
      dataDirBytes: await treeBytes(this.config.dataDir),
      ...(await repo.counts()),
      payload: { services: services.map(({ instance: _i, ...s }) => s) },
    });
    await repo.deleteProcessStatsBefore(stale);
    await repo.deleteBefore(new Date(Date.now() - KEEP_DAYS * 86_400_000));
  }

  async list(since: Date, limit: number): Promise<SystemMetricView[]> {
    const rows = await new SystemMetricsRepository(this.db.prisma).since(since, limit);
    const num = (v: bigint | null) => (v === null ? null : Number(v));
    return rows.map((r) => ({
      createdAt: r.createdAt.toISOString(),
      cpuPercent: r.cpuPercent,
      memoryRssBytes: num(r.memoryRssBytes),
      memoryHeapBytes: num(r.memoryHeapBytes),
      dbBytes: num(r.dbBytes),
      walBytes: num(r.walBytes),
      dataDirBytes: num(r.dataDirBytes),
      jobsRunning: r.jobsRunning,
      machinesCount: r.machinesCount,
      services: ((r.payloadJson ?? {}) as { services?: SystemMetricView['services'] }).services ?? [],
    }));
  }
}
