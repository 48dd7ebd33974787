import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import { AdvisoryLeader } from '@su/db';
import { APP_CONFIG, PLATFORM_OPTIONS, type PlatformOptions } from '@su/platform';
import { ScheduleFiringService } from './schedule-firing.service.ts';

/** The advisory lock key of scheduler leadership (distinct from the migrations lock, 72707370). */
export const SCHEDULER_LEADER_LOCK = 72707371;

interface Task {
  name: string;
  everyMs: number;
  run: () => Promise<unknown>;
  timer?: NodeJS.Timeout;
  busy?: boolean;
}

/**
 * Scheduler processes elect one leader; only the leader fires schedules and runs the maintenance tasks (expire
 * action requests, reclaim expired machine locks, prune live events). A standby takes over within
 * SU_LEADER_RETRY_SECONDS of the leader's death.
 */
@Injectable()
export class SchedulerLeaderService implements OnApplicationShutdown {
  private readonly logger = new Logger('SchedulerLeader');
  private readonly tasks: Task[] = [];
  private leader: AdvisoryLeader | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PLATFORM_OPTIONS) private readonly platform: PlatformOptions,
    @Inject(ScheduleFiringService) private readonly firing: ScheduleFiringService,
  ) {}

  get isLeader(): boolean {
    return this.leader?.isLeader ?? false;
  }

  /** A maintenance task run every `everyMs` while this process leads (never two runs of one task at once). */
  addTask(name: string, everyMs: number, run: () => Promise<unknown>): void {
    this.tasks.push({ name, everyMs, run });
  }

  start(): void {
    this.leader = new AdvisoryLeader(
      this.platform.databaseUrl,
      SCHEDULER_LEADER_LOCK,
      {
        onElected: async () => {
          this.logger.log(`scheduler ${process.pid} is the leader`);
          await this.firing.start();
          for (const t of this.tasks) {
            t.timer = setInterval(() => void this.runTask(t), t.everyMs);
            t.timer.unref();
            void this.runTask(t);
          }
        },
        onLost: async () => {
          this.logger.warn(`scheduler ${process.pid} is no longer the leader`);
          for (const t of this.tasks) if (t.timer) clearInterval(t.timer);
          await this.firing.stop();
        },
        onError: (e) => this.logger.warn(`leader election: ${e.message}`),
      },
      { retryMs: this.config.scheduler.leaderRetrySeconds * 1000, applicationName: 'su-scheduler-leader' },
    );
    this.leader.start();
    this.logger.log(`scheduler ${process.pid} started; waiting to lead`);
  }

  private async runTask(t: Task): Promise<void> {
    if (t.busy) return;
    t.busy = true;
    try {
      await t.run();
    } catch (e) {
      this.logger.warn(`${t.name}: ${(e as Error).message}`);
    } finally {
      t.busy = false;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.leader?.stop();
  }
}
