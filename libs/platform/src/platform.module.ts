import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import { Database } from '@su/db';
import { JobQueue } from '@su/queue';
import { registerPoolMetrics } from '@su/telemetry';
import { loadOrCreateMasterKey, SecretBox, secretBoxFor } from '@su/security';
import { JobRunner } from './job-runner.ts';
import { MachineLockService } from './machine-lock.service.ts';
import { ReportWriter } from './report-writer.ts';
import { JobOutcomeRecorder } from './job-outcome.recorder.ts';
import { JobsService } from './jobs.service.ts';
import { JobCloseHooks } from './job-close.hooks.ts';
import { MetricsExpositionService } from './metrics-exposition.service.ts';
import { ProcessMetricsPublisher } from './process-metrics.publisher.ts';
import { APP_CONFIG, PLATFORM_OPTIONS, SERVICE_NAME } from './tokens.ts';

/** Closes what the platform opened, queue first (it may still be finishing a job that writes to the database). */
@Injectable()
class PlatformShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(Database) private readonly db: Database,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.queue.stop().catch((e) => new Logger('Platform').warn(`queue stop: ${(e as Error).message}`));
    await this.db.close();
  }
}

/**
 * Connections of a service's pool. The apt-worker's was 10 + one per 8 read-only jobs (18 by default, ADR 0047),
 * when a busy machine's job and its close went through Prisma transactions; they no longer do (ADR 0062), and every
 * connection is a PostgreSQL backend that warms its caches and plans anew: with three workers the larger pools cost
 * PostgreSQL about a fifth more CPU per pass (ADR 0062).
 */
export const DATABASE_POOL_SIZE = 10;

export interface PlatformOptions {
  service: string;
  config: AppConfig;
  /** The database URL to use (the config's, or the embedded server's given by the launcher). */
  databaseUrl: string;
}

/**
 * What every service needs: configuration, the database, the queue, the secret box, jobs. Global, so feature
 * modules can inject these without re-importing.
 */
@Module({})
export class PlatformModule {
  static forService(opts: PlatformOptions): DynamicModule {
    const logger = new Logger('Queue');
    return {
      module: PlatformModule,
      global: true,
      providers: [
        { provide: APP_CONFIG, useValue: opts.config },
        { provide: SERVICE_NAME, useValue: opts.service },
        { provide: PLATFORM_OPTIONS, useValue: opts },
        {
          provide: Database,
          useFactory: () => {
            const db = Database.connect({
              url: opts.databaseUrl,
              applicationName: `su-${opts.service}`,
              maxConnections: DATABASE_POOL_SIZE,
            });
            registerPoolMetrics(opts.service, db.pool);
            return db;
          },
        },
        {
          provide: JobQueue,
          useFactory: async () => {
            const queue = new JobQueue({
              url: opts.databaseUrl,
              applicationName: `su-${opts.service}-queue`,
              listenNotify: opts.config.queue.listenNotify,
              pollingIntervalSeconds: opts.config.queue.pollingIntervalSeconds,
              onError: (e) => logger.error(`pg-boss: ${(e as Error).message}`),
            });
            await queue.start();
            return queue;
          },
        },
        {
          provide: SecretBox,
          useFactory: () => {
            const { key } = loadOrCreateMasterKey({ envKey: opts.config.masterKey, dataDir: opts.config.dataDir });
            return secretBoxFor(key, opts.config.dataDir);
          },
        },
        JobsService,
        JobRunner,
        MachineLockService,
        ReportWriter,
        JobOutcomeRecorder,
        JobCloseHooks,
        ProcessMetricsPublisher,
        MetricsExpositionService,
        PlatformShutdown,
      ],
      exports: [
        APP_CONFIG,
        SERVICE_NAME,
        PLATFORM_OPTIONS,
        Database,
        JobQueue,
        SecretBox,
        JobsService,
        JobRunner,
        MachineLockService,
        ReportWriter,
        JobOutcomeRecorder,
        JobCloseHooks,
        ProcessMetricsPublisher,
        MetricsExpositionService,
      ],
    };
  }
}
