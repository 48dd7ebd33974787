import { Inject, Injectable, Logger } from '@nestjs/common';
import { Database, HostMetricsRepository } from '@su/db';
import { JobsService } from '@su/platform';
import { readHostMetricsSettings } from './host-metrics-settings.service.ts';

/** At most this many samples queued per pass; the rest are picked up by the next pass. */
const BATCH = 1000;

/**
 * The scheduler leader's periodic sample (ADR 0044): checked every `tickMs`, it queues, when the configured interval
 * has passed, one machine.metrics_sample per online machine that is neither locked nor already being sampled, in one
 * batch (two statements whatever their number). Blocked and offline machines are not visited; a locked one waits for
 * the next pass rather than queueing behind its job.
 */
@Injectable()
export class MetricsSampleScheduler {
  private readonly logger = new Logger('MetricsSample');
  private lastPass = 0;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  /** Queues a pass when one is due; returns the number of samples queued (0 when not due or turned off). */
  async tick(now = Date.now()): Promise<number> {
    const { sampleIntervalSeconds } = await readHostMetricsSettings(this.db.prisma);
    if (sampleIntervalSeconds <= 0 || now - this.lastPass < sampleIntervalSeconds * 1000) return 0;
    this.lastPass = now;
    return this.queuePass();
  }

  /** One pass now, whatever the interval. */
  async queuePass(): Promise<number> {
    const candidates = await new HostMetricsRepository(this.db.prisma).sampleCandidates(BATCH);
    if (candidates.length === 0) return 0;
    await this.jobs.enqueueMany(
      'machine.metrics_sample',
      candidates.map((c) => ({ payload: {}, machineId: c.machineId })),
      { type: 'system', id: 'scheduler', label: 'metrics sample' },
    );
    this.logger.log(`queued ${candidates.length} metrics samples`);
    return candidates.length;
  }
}
