import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import { Database, ProcessMetricsRepository } from '@su/db';
import { snapshotProcessMetrics } from '@su/telemetry';
import { APP_CONFIG } from './tokens.ts';

/** This process in `process_metrics` (one registry per process, whatever the services it hosts). */
export const PROCESS_INSTANCE = `${hostname()}:${process.pid}`;

/**
 * Publishes this process's metrics every SU_METRICS_PUBLISH_SECONDS, so the gateway's /metrics covers the workers
 * and the scheduler, which serve no HTTP (docs/adr/0034). A failed publish is skipped: the next one catches up
 * (counters are totals, not increments).
 */
@Injectable()
export class ProcessMetricsPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private timer: NodeJS.Timeout | null = null;
  private service = '';

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async start(service: string): Promise<void> {
    this.service = service;
    await this.publishOnce();
    this.timer = setInterval(() => void this.publishOnce(), this.config.telemetry.metricsPublishSeconds * 1000);
    this.timer.unref();
  }

  async publishOnce(): Promise<void> {
    try {
      const metrics = await snapshotProcessMetrics();
      await new ProcessMetricsRepository(this.db.prisma).publish({ instance: PROCESS_INSTANCE, service: this.service, metrics });
    } catch (e) {
      this.logger.warn(`publishing metrics failed: ${(e as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    await new ProcessMetricsRepository(this.db.prisma).remove(PROCESS_INSTANCE).catch(() => undefined);
  }
}
