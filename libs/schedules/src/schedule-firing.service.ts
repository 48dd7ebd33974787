import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import { METRICS } from '@su/telemetry';
import type { MachineAction, MaintenanceOptions } from '@su/contracts';
import { Database, PgListener, ScheduleRunsRepository, SchedulesRepository, type Tx } from '@su/db';
import { APP_CONFIG, PLATFORM_OPTIONS, type PlatformOptions } from '@su/platform';
import { actionsOfRun, insertRunSteps, ScheduleRunAdvancer } from '@su/runs';
import { nextRuns } from './cron-spec.ts';

/** At most this many missed slots of one schedule are recorded one by one; older ones are summed up in a reason. */
const MAX_RECORDED_MISSED = 50;
/** Re-read the schedules at least this often even without a notification (a lost NOTIFY must not stop firing). */
const MAX_SLEEP_MS = 30_000;

/**
 * Fires schedules at their instants, while this process leads (see AdvisoryLeader). A timer is armed for the
 * earliest next_run_at, re-armed at once when a schedule changes (NOTIFY su_schedules). Each (schedule, slot) fires
 * exactly once: the schedule row is locked while its slot is handled, and schedule_runs has a unique key on
 * (schedule_id, slot_at), so even two schedulers that both believe they lead cannot fire a slot twice.
 */
@Injectable()
export class ScheduleFiringService {
  private readonly logger = new Logger('Scheduler');
  private timer: NodeJS.Timeout | null = null;
  private listener: PgListener | null = null;
  private running = false;
  private ticking: Promise<void> | null = null;
  private again = false;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PLATFORM_OPTIONS) private readonly platform: PlatformOptions,
    @Inject(ScheduleRunAdvancer) private readonly advancer: ScheduleRunAdvancer,
  ) {}

  private get instance(): string {
    return `scheduler:${process.pid}`;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.listener = new PgListener(
      this.platform.databaseUrl,
      'su_schedules',
      () => this.wake(),
      () => this.wake(),
    );
    await this.listener.start();
    this.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.listener?.stop();
    this.listener = null;
    await this.ticking;
  }

  /** Handle what is due now, then sleep until the next instant. Ticks never overlap; a wake during one runs another. */
  private wake(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.ticking = this.tick()
      .catch((e: Error) => {
        this.logger.error(`firing schedules: ${e.message}`);
        return 1000;
      })
      .then((sleepMs) => {
        this.ticking = null;
        if (!this.running) return;
        if (this.again) {
          this.again = false;
          this.wake();
          return;
        }
        this.timer = setTimeout(() => this.wake(), sleepMs);
        this.timer.unref();
      });
  }

  /** Fires every due schedule; returns how long to sleep until the next one. */
  private async tick(): Promise<number> {
    const schedules = new SchedulesRepository(this.db.prisma);
    for (const s of await schedules.enabledWithoutNextRun()) {
      await schedules.setNextRun(s.id, nextRuns(s.cron, s.timezone, new Date())[0] ?? null);
    }
    let soonest = Infinity;
    for (const s of await schedules.enabledNextRuns()) {
      if (!s.nextRunAt) continue;
      if (s.nextRunAt.getTime() <= Date.now()) {
        const next = await this.fire(s.id);
        if (next) soonest = Math.min(soonest, next.getTime());
      } else {
        soonest = Math.min(soonest, s.nextRunAt.getTime());
      }
    }
    // setTimeout may wake a millisecond early; fire() then finds nothing due and the next tick comes right after.
    return Math.max(0, Math.min(soonest - Date.now(), MAX_SLEEP_MS));
  }

  /**
   * Handles a due schedule in one transaction: the latest due slot fires if it is within the grace period (or the
   * maintenance window), earlier missed slots are recorded as skipped; next_run_at moves past now. Returns the new
   * next_run_at.
   */
  async fire(scheduleId: string): Promise<Date | null> {
    const now = new Date();
    const next = await this.db.transaction(
      async (tx) => {
        const s = await new SchedulesRepository(tx).lockDue(scheduleId, now);
        if (!s) return undefined;
        const runs = new ScheduleRunsRepository(tx);
        const graceMs = Math.max(this.config.scheduler.graceSeconds, (s.windowMinutes ?? 0) * 60) * 1000;
        // The slot to fire: the latest one at or before now that is still within the grace period (normally the one
        // the timer woke for).
        let latest: Date | null = null;
        let cursor = new Date(Math.max(s.nextRunAt.getTime(), now.getTime() - graceMs) - 1);
        for (let i = 0; i < 100_000; i++) {
          const after = nextRuns(s.cron, s.timezone, cursor)[0];
          if (!after || after.getTime() > now.getTime()) break;
          latest = after;
          cursor = after;
        }
        // Earlier slots since next_run_at were missed (no scheduler ran): recorded as skipped, at most
        // MAX_RECORDED_MISSED of them, the last of which says how many more there were.
        const missed: Date[] = [];
        let more = false;
        cursor = new Date(s.nextRunAt.getTime() - 1);
        for (;;) {
          const after = nextRuns(s.cron, s.timezone, cursor)[0];
          if (!after || after.getTime() > now.getTime() || (latest && after.getTime() >= latest.getTime())) break;
          if (missed.length === MAX_RECORDED_MISSED) {
            more = true;
            break;
          }
          missed.push(after);
          cursor = after;
        }
        const base = {
          scheduleId: s.id,
          firedBy: this.instance,
          concurrency: s.concurrency,
          actions: s.actions,
          approvalPolicy: s.approvalPolicy,
          windowEndsAt: null,
        };
        for (const [i, slot] of missed.entries()) {
          const late = Math.round((now.getTime() - slot.getTime()) / 1000);
          await runs.insertOnce({
            ...base,
            slotAt: slot,
            status: 'skipped',
            reason:
              `missed: no scheduler fired it in time (now ${late} s late, grace period ${graceMs / 1000} s)` +
              (more && i === missed.length - 1 ? '; later missed slots were not recorded one by one' : ''),
          });
        }
        if (latest) {
          await this.fanOut(tx, s, latest);
          METRICS.schedulerFiringDelaySeconds.observe((Date.now() - latest.getTime()) / 1000);
        }
        const following = nextRuns(s.cron, s.timezone, now)[0] ?? null;
        await new SchedulesRepository(tx).setNextRun(s.id, following);
        return following;
      },
      { timeoutMs: 60_000 },
    );
    return next ?? null;
  }

  /**
   * The run of one slot, recorded once (the exactly-once key), then handed to runs: every machine of the scope and
   * every step of each written in one batch as `waiting` jobs, the first `concurrency` machines released, all in the
   * caller's transaction.
   */
  private async fanOut(
    tx: Tx,
    s: {
      id: string;
      scope: object;
      actions: string[];
      windowMinutes: number | null;
      approvalPolicy: string;
      concurrency: number;
      maintenance?: MaintenanceOptions | null;
    },
    slot: Date,
  ): Promise<void> {
    const runs = new ScheduleRunsRepository(tx);
    const actions = actionsOfRun(s.actions as MachineAction[], s.approvalPolicy);
    const runId = await runs.insertOnce({
      scheduleId: s.id,
      slotAt: slot,
      // Nothing left to run (only risky actions under analyse_only): the slot is recorded, and why.
      ...(actions.length
        ? { status: 'running' as const }
        : { status: 'skipped' as const, reason: 'analyse_only leaves none of its actions to run' }),
      firedBy: this.instance,
      windowEndsAt: s.windowMinutes ? new Date(slot.getTime() + s.windowMinutes * 60_000) : null,
      concurrency: s.concurrency,
      actions,
      approvalPolicy: s.approvalPolicy,
    });
    if (!runId || !actions.length) return;
    const actor = { type: 'schedule' as const, id: s.id, label: `schedule ${s.id}` };
    const machineCount = await insertRunSteps(tx, {
      runId,
      scheduleId: s.id,
      scope: s.scope,
      actions,
      actor,
      options: s.maintenance ? { maintenance: s.maintenance } : {},
    });
    await this.advancer.fill(tx, runId);
    this.logger.log(
      `schedule ${s.id} slot ${slot.toISOString()}: run ${runId}, ${machineCount} machine(s) × ${actions.length} step(s)`,
    );
  }
}
