import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import { Database, JobMetricsRepository, ProcessMetricsRepository } from '@su/db';
import { renderExposition, snapshotProcessMetrics, type DerivedGauge } from '@su/telemetry';
import { PROCESS_INSTANCE } from './process-metrics.publisher.ts';
import { APP_CONFIG, SERVICE_NAME } from './tokens.ts';

/**
 * What /metrics serves (docs/adr/0034): this process's registry live, the other processes' as they last published
 * it (rows older than a few publish intervals are a stopped process and left out), and the job facts counted in the
 * database, which no single process knows.
 */
@Injectable()
export class MetricsExpositionService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SERVICE_NAME) private readonly service: string,
  ) {}

  async render(): Promise<string> {
    const staleMs = Math.max(60, 4 * this.config.telemetry.metricsPublishSeconds) * 1000;
    const jobs = new JobMetricsRepository(this.db.prisma);
    const [own, others, counts, depths] = await Promise.all([
      snapshotProcessMetrics(),
      new ProcessMetricsRepository(this.db.prisma).freshExcept(PROCESS_INSTANCE, new Date(Date.now() - staleMs)),
      jobs.countsByKindAndStatus(),
      jobs.queueDepths(),
    ]);
    const derived: DerivedGauge[] = [
      {
        name: 'su_jobs',
        help: 'Jobs recorded, by kind and status (the jobs table; finished ones until retention removes them).',
        labelNames: ['kind', 'status'],
        series: counts.map((c) => ({ labels: { kind: c.kind, status: c.status }, value: c.count })),
      },
      {
        name: 'su_queue_depth',
        help: 'Jobs queued and not yet started, by kind.',
        labelNames: ['kind'],
        series: depths.map((d) => ({ labels: { kind: d.kind }, value: d.queued })),
      },
      {
        name: 'su_queue_oldest_age_seconds',
        help: 'Age of the oldest queued job, by kind.',
        labelNames: ['kind'],
        series: depths.map((d) => ({ labels: { kind: d.kind }, value: d.oldestAgeSeconds })),
      },
      {
        name: 'su_metrics_processes',
        help: 'Service processes whose metrics this answer includes, by service.',
        labelNames: ['service'],
        series: countByService([this.service, ...others.map((o) => o.service)]),
      },
    ];
    return renderExposition([own, ...others.map((o) => o.metrics)], derived);
  }
}

function countByService(services: string[]): DerivedGauge['series'] {
  const counts = new Map<string, number>();
  for (const s of services) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([service, value]) => ({ labels: { service }, value }));
}
