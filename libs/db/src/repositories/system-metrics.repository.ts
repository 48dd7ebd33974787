import type { DbClient } from '../database.ts';

export interface ProcessStat {
  instance: string;
  service: string;
  pid: number;
  host: string;
  cpuPercent: number;
  rssBytes: number;
  heapUsedBytes: number;
}

export interface NewSystemMetric {
  cpuPercent: number | null;
  memoryRssBytes: number | null;
  memoryHeapBytes: number | null;
  dbBytes: number | null;
  walBytes: number | null;
  dataDirBytes: number | null;
  jobsRunning: number;
  machinesCount: number;
  payload: object;
}

/** system_metrics samples, the services' own process stats, and the database's sizes (ADR 0035). */
export class SystemMetricsRepository {
  constructor(private readonly db: DbClient) {}

  async upsertProcessStat(s: ProcessStat): Promise<void> {
    const data = { ...s, rssBytes: BigInt(s.rssBytes), heapUsedBytes: BigInt(s.heapUsedBytes), updatedAt: new Date() };
    await this.db.serviceProcessStat.upsert({ where: { instance: s.instance }, create: data, update: data });
  }

  async processStatsSince(since: Date): Promise<ProcessStat[]> {
    const rows = await this.db.serviceProcessStat.findMany({ where: { updatedAt: { gte: since } }, orderBy: { service: 'asc' } });
    return rows.map(({ updatedAt: _u, ...r }) => ({ ...r, rssBytes: Number(r.rssBytes), heapUsedBytes: Number(r.heapUsedBytes) }));
  }

  async deleteProcessStatsBefore(before: Date): Promise<void> {
    await this.db.serviceProcessStat.deleteMany({ where: { updatedAt: { lt: before } } });
  }

  /** The database's size, and its WAL's when this role may read it (pg_ls_waldir needs pg_monitor or superuser). */
  async databaseSizes(): Promise<{ dbBytes: number; walBytes: number | null }> {
    const [db] = await this.db.$queryRaw<{ bytes: number }[]>`SELECT pg_database_size(current_database())::float8 AS bytes`;
    const wal = await this.db
      .$queryRaw<{ bytes: number }[]>`SELECT coalesce(sum(size), 0)::float8 AS bytes FROM pg_ls_waldir()`
      .then((r) => r[0]?.bytes ?? null)
      .catch(() => null);
    return { dbBytes: db?.bytes ?? 0, walBytes: wal };
  }

  async counts(): Promise<{ jobsRunning: number; machinesCount: number }> {
    const [r] = await this.db.$queryRaw<{ jobsRunning: number; machinesCount: number }[]>`
      SELECT (SELECT count(*)::int FROM jobs WHERE status = 'running') AS "jobsRunning",
             (SELECT count(*)::int FROM machines) AS "machinesCount"`;
    return r ?? { jobsRunning: 0, machinesCount: 0 };
  }

  async insert(m: NewSystemMetric): Promise<void> {
    const big = (v: number | null) => (v === null ? null : BigInt(Math.round(v)));
    await this.db.systemMetric.create({
      data: {
        cpuPercent: m.cpuPercent,
        memoryRssBytes: big(m.memoryRssBytes),
        memoryHeapBytes: big(m.memoryHeapBytes),
        dbBytes: big(m.dbBytes),
        walBytes: big(m.walBytes),
        dataDirBytes: big(m.dataDirBytes),
        jobsRunning: m.jobsRunning,
        machinesCount: m.machinesCount,
        payloadJson: m.payload,
      },
    });
  }

  async since(since: Date, limit: number) {
    return this.db.systemMetric.findMany({ where: { createdAt: { gte: since } }, orderBy: { createdAt: 'desc' }, take: limit });
  }

  async deleteBefore(before: Date): Promise<number> {
    return (await this.db.systemMetric.deleteMany({ where: { createdAt: { lt: before } } })).count;
  }
}
