import type { DbClient } from '../database.ts';

export interface ProcessMetricsRow {
  instance: string;
  service: string;
  /** prom-client's `getMetricsAsJSON()` of that process. */
  metrics: unknown;
}

/** Each service process's last published metrics (docs/adr/0034). */
export class ProcessMetricsRepository {
  constructor(private readonly db: DbClient) {}

  async publish(row: ProcessMetricsRow): Promise<void> {
    const data = { service: row.service, metricsJson: row.metrics as object, updatedAt: new Date() };
    await this.db.processMetrics.upsert({ where: { instance: row.instance }, create: { instance: row.instance, ...data }, update: data });
  }

  /** Rows published since `since`, except the caller's own process (it reads its registry live). */
  async freshExcept(instance: string, since: Date): Promise<ProcessMetricsRow[]> {
    const rows = await this.db.processMetrics.findMany({
      where: { updatedAt: { gte: since }, instance: { not: instance } },
      orderBy: { instance: 'asc' },
    });
    return rows.map((r) => ({ instance: r.instance, service: r.service, metrics: r.metricsJson }));
  }

  /** A stopping process takes its row with it (its counters would otherwise count until the row goes stale). */
  async remove(instance: string): Promise<void> {
    await this.db.processMetrics.deleteMany({ where: { instance } });
  }
}
