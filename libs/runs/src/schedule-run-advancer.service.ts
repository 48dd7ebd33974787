import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  describePackageChange,
  isAnalysisBound,
  isPlanBound,
  isRiskyAction,
  MACHINE_ACTIONS,
  plannedChangeOf,
  type AnalysisBoundAction,
  type PlannedChange,
  parseJobPayload,
  planHash,
  resolveMaintenanceOptions,
  type JobKind,
  type JobMessage,
  type MachineAction,
} from '@su/contracts';
import {
  ActionRequestsRepository,
  type Database,
  JobsRepository,
  ScheduleRunsRepository,
  sqlExecutor,
  type RunLink,
  type RunMachineRow,
  type RunRow,
  type Tx,
} from '@su/db';
import { JobQueue } from '@su/queue';
import { actionOfJobKind } from './action-job.ts';
import { planOfLatestAnalysis } from './analysis-plan.ts';
import { dockerApplyPlan } from './docker-plan.ts';
import { maintenancePlanOf } from './maintenance/maintenance-plan.ts';

/** What a schedule's approval gate binds its request to; `missing` says why it binds to no change at all. */
interface GatePlan {
  snapshotId: string | null;
  changes: PlannedChange[];
  lines: string[];
  noun: string;
  missing: string | null;
}

const OK = new Set(['ok', 'warning']);

/** A released step as the queue carries it; a stored payload is read back through its kind's schema. */
function messageOf(j: { id: string; kind: string; machineId: string | null; payload: unknown }): JobMessage<JobKind> {
  const kind = j.kind as JobKind;
  return { jobId: j.id, kind, machineId: j.machineId, payload: parseJobPayload(kind, j.payload) };
}
/** A request made by a schedule with no maintenance window waits this long for a person. */
const DEFAULT_REQUEST_TTL_MS = 24 * 3600_000;

/**
 * Moves a schedule run forward. Every change happens inside the transaction of the event that causes it (a job
 * closing, an approval, a fan-out) and under the run row's lock, so that across any number of workers:
 *  - at most `concurrency` of the run's machines are `running` (a machine holds its slot from its first step to its
 *    last, including a reboot);
 *  - a machine's steps go one after the other, the next released only when the previous ended ok; a failure skips the
 *    machine's later steps;
 *  - no machine starts after the maintenance window ends (machines already started finish);
 *  - under the `require_approval` policy a risky step waits for a person (an action request), freeing its slot.
 */
@Injectable()
export class ScheduleRunAdvancer {
  private readonly logger = new Logger('ScheduleRuns');

  constructor(@Inject(JobQueue) private readonly queue: JobQueue) {}

  /** Starts machines while the run has free slots; finishes the run when nothing is left. */
  async fill(tx: Tx, runId: string): Promise<void> {
    const runs = new ScheduleRunsRepository(tx);
    const run = await runs.lockRun(runId);
    if (!run || run.status !== 'running') return;
    const toSend: JobMessage<JobKind>[] = [];
    for (;;) {
      const counts = await runs.countByStatus(runId);
      const free = run.concurrency - (counts['running'] ?? 0);
      const windowClosed = run.windowEndsAt !== null && Date.now() >= run.windowEndsAt.getTime();
      if (windowClosed && (await runs.skipUnstarted(runId, 'window_closed', 'the maintenance window had ended'))) {
        this.logger.log(`run ${runId}: maintenance window ended; machines not started are skipped`);
      }
      // Without an approval gate, machines start in one statement whatever their number; the per-machine path
      // below is for gated runs (a risky step may become a request) and machines with no step left.
      if (run.approvalPolicy !== 'require_approval') {
        const released = await runs.startPending(runId, free, windowClosed);
        if (released.length) {
          for (const j of released) toSend.push(messageOf(j));
          continue;
        }
      }
      const next = await runs.nextPending(runId, free, windowClosed);
      if (next.length === 0) break;
      for (const m of next) await this.advanceMachine(tx, run, m, toSend);
    }
    await this.send(tx, toSend);
    await this.finishIfDone(tx, run);
  }

  /**
   * The run step a job is, with its run locked and its machine read under that lock (another transaction may have
   * moved the machine meanwhile); null for a job that is no run step.
   */
  private async lockedStep(tx: Tx, jobId: string, known?: RunLink | null) {
    const link = known === undefined ? await new JobsRepository(tx).runLink(jobId) : known;
    if (!link?.runMachineId) return null;
    const runs = new ScheduleRunsRepository(tx);
    const before = await runs.findMachine(link.runMachineId);
    const run = before && (await runs.lockRun(before.runId));
    const m = run && (await runs.findMachine(link.runMachineId));
    return run && m ? { link, run, m } : null;
  }

  /**
   * Moves on runs whose machines were left `running` with nothing queued or running (a job's end recorded without
   * its run's step, after a failure). Returns how many machines it moved.
   */
  async sweepStalled(db: Database): Promise<number> {
    let moved = 0;
    for (const s of await db.transaction((tx) => new ScheduleRunsRepository(tx).stalled(100))) {
      await db.transaction((tx) => this.jobClosed(tx, s.jobId));
      moved++;
    }
    if (moved) this.logger.warn(`moved on ${moved} stalled schedule-run machine(s)`);
    return moved;
  }

  /**
   * A job closed (any outcome). Steps of schedule runs move their machine and run forward; other jobs are ignored.
   * `known`: the job's run link when the caller has already read it (the close hooks do, on every job).
   */
  async jobClosed(tx: Tx, jobId: string, known?: RunLink | null): Promise<void> {
    const step = await this.lockedStep(tx, jobId, known);
    if (!step) return;
    const { link, run, m } = step;
    const toSend: JobMessage<JobKind>[] = [];
    if (OK.has(link.status)) {
      if (m.status === 'running') await this.advanceMachine(tx, run, m, toSend);
    } else {
      const reason = `step ${(link.step ?? 0) + 1} ended ${link.status}`;
      await new JobsRepository(tx).skipWaiting(m.id, 'previous_step_failed', reason);
      if (m.status === 'running' || m.status === 'pending' || m.status === 'awaiting_approval')
        await this.finishMachine(tx, m);
    }
    await this.send(tx, toSend);
    await this.fill(tx, run.id);
  }

  /** A person approved the request of a waiting step: the machine may go on (it waits for a free slot). */
  async approved(tx: Tx, jobId: string): Promise<void> {
    const step = await this.lockedStep(tx, jobId);
    if (!step) return;
    if (step.m.status === 'awaiting_approval')
      await new ScheduleRunsRepository(tx).setMachine(step.m.id, { status: 'pending' });
    await this.fill(tx, step.run.id);
  }

  /** The request of a waiting step was rejected or expired: that step and the machine's later ones never run. */
  async declined(
    tx: Tx,
    jobId: string,
    errorKind: 'approval_rejected' | 'approval_expired',
    message: string,
  ): Promise<void> {
    const step = await this.lockedStep(tx, jobId);
    if (!step) return;
    await new JobsRepository(tx).skipWaiting(step.m.id, errorKind, message);
    await this.finishMachine(tx, step.m);
    await this.fill(tx, step.run.id);
  }

  /**
   * Releases the machine's next waiting step, or stops at an approval gate, or ends the machine when no step is left.
   */
  private async advanceMachine(tx: Tx, run: RunRow, m: RunMachineRow, toSend: JobMessage<JobKind>[]): Promise<void> {
    const jobs = new JobsRepository(tx);
    const runs = new ScheduleRunsRepository(tx);
    const next = await jobs.nextWaitingStep(m.id);
    if (!next) {
      await this.finishMachine(tx, m);
      return;
    }
    const action = actionOfJobKind(next.kind);
    const step = next.step ?? 0;
    if (run.approvalPolicy === 'require_approval' && action && isRiskyAction(action)) {
      const link = await jobs.runLink(next.id);
      if (!link?.requestId) {
        await this.requestApproval(tx, run, m, next.id, action);
        await runs.setMachine(m.id, {
          status: 'awaiting_approval',
          currentStep: step,
          ...(m.startedAt ? {} : { started: true }),
        });
        return;
      }
    }
    const released = await jobs.release(next.id);
    if (!released) return;
    toSend.push(messageOf(released));
    await runs.setMachine(m.id, { status: 'running', currentStep: step, ...(m.startedAt ? {} : { started: true }) });
  }

  /** The machine is done: its status says how its steps went (the first that did not end ok decides). */
  private async finishMachine(tx: Tx, m: RunMachineRow): Promise<void> {
    const steps = await new ScheduleRunsRepository(tx).jobStatuses(m.id);
    const bad = steps.find((s) => !OK.has(s.status));
    await new ScheduleRunsRepository(tx).setMachine(m.id, {
      status: !bad ? 'ok' : bad.status === 'skipped' ? 'skipped' : bad.status === 'cancelled' ? 'cancelled' : 'error',
      finished: true,
      errorKind: bad?.errorKind ?? null,
      errorMessage: bad?.errorMessage ?? null,
    });
  }

  private async finishIfDone(tx: Tx, run: RunRow): Promise<void> {
    const counts = await new ScheduleRunsRepository(tx).countByStatus(run.id);
    if ((counts['running'] ?? 0) + (counts['pending'] ?? 0) + (counts['awaiting_approval'] ?? 0) > 0) return;
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const ok = counts['ok'] ?? 0;
    const status = ok === total ? 'ok' : ok === 0 ? 'error' : 'partial';
    await new ScheduleRunsRepository(tx).finishRun(run.id, run.scheduleId, status);
    this.logger.log(`run ${run.id} finished ${status} (${ok}/${total} machines ok)`);
  }

  /**
   * The request a person answers before a schedule's risky step. For an APT apply it is bound to the plan of the
   * analysis on record (normally the run's own analyse step just before), for a docker_apply to the registry digests
   * the latest check saw; the waiting job carries that plan so the worker refuses with plan_drifted if the machine
   * would now do something else.
   */
  private async requestApproval(tx: Tx, run: RunRow, m: RunMachineRow, jobId: string, action: MachineAction) {
    const plan =
      action === 'maintenance'
        ? await this.maintenanceGate(tx, m.machineId, jobId)
        : isAnalysisBound(action)
          ? await this.analysedPlan(tx, m.machineId, action)
          : isPlanBound(action)
            ? await this.checkedDigests(tx, m.machineId)
            : null;
    const hash = plan ? planHash(plan.changes) : null;
    const expiresAt = run.windowEndsAt ?? new Date(Date.now() + DEFAULT_REQUEST_TTL_MS);
    const summary = !plan
      ? `${action} (schedule run)`
      : plan.missing
        ? `${action} (schedule run): ${plan.missing}`
        : `${action} (schedule run): ${plan.lines.length} ${plan.noun}` +
          (plan.lines.length ? `: ${plan.lines.slice(0, 5).join(', ')}${plan.lines.length > 5 ? ', …' : ''}` : '');
    const req = await new ActionRequestsRepository(tx).insert({
      machineId: m.machineId,
      requestedByType: 'schedule',
      requestedById: run.scheduleId,
      requestedByLabel: `schedule run ${run.id}`,
      action,
      risk: MACHINE_ACTIONS[action].risk,
      summary,
      payload: plan ? { plan: plan.changes, scheduleRunId: run.id } : { scheduleRunId: run.id },
      expiresAt,
      jobId,
      scheduleRunId: run.id,
      planHash: hash,
      snapshotId: plan?.snapshotId ?? null,
    });
    await new JobsRepository(tx).bindRequest(
      jobId,
      req.id,
      plan && hash ? { requestId: req.id, hash, changes: plan.changes, allowSuperset: false } : null,
    );
  }

  /** The plan of the machine's latest analysis for this apply; without a usable analysis, the empty plan. */
  private async analysedPlan(tx: Tx, machineId: string, action: AnalysisBoundAction): Promise<GatePlan> {
    const plan = await planOfLatestAnalysis(tx, machineId, action);
    const noun = 'package change(s)';
    if (plan.kind !== 'plan')
      return {
        snapshotId: null,
        changes: [],
        lines: [],
        noun,
        missing:
          'no usable APT analysis on record, so the approval covers no package change (anything the machine would change is refused as plan_drifted); analyse first',
      };
    return {
      snapshotId: plan.snapshotId,
      changes: plan.packages.map(plannedChangeOf),
      lines: plan.packages.map(describePackageChange),
      noun,
      missing: null,
    };
  }

  /**
   * A scheduled docker_apply (every enabled stack's services with an update on record, as a schedule step carries no
   * options): the registry digests the latest check saw, the plan a person's request is bound to as well.
   */
  private async checkedDigests(tx: Tx, machineId: string): Promise<GatePlan> {
    const plan = await dockerApplyPlan(tx, machineId, {});
    const noun = 'service update(s)';
    if (plan.kind === 'refused' || plan.targets.some((t) => !t.candidateDigest))
      return {
        snapshotId: null,
        changes: [],
        lines: [],
        noun,
        missing: `no registry check on record for every service to update${plan.kind === 'refused' ? ` (${plan.reason})` : ''}, so the approval covers no image change (anything that would change is refused as plan_drifted); check first (docker_check)`,
      };
    return {
      snapshotId: null,
      changes: plan.changes,
      lines: plan.targets.map((t) => `${t.stack.name}/${t.service} → ${t.toRef}`),
      noun,
      missing: null,
    };
  }

  /**
   * A scheduled maintenance run, with the options its waiting job carries (the schedule's): the combined plan of the
   * latest analysis and registry check (ADR 0031), the one a person's request is bound to as well.
   */
  private async maintenanceGate(tx: Tx, machineId: string, jobId: string): Promise<GatePlan> {
    const job = await new JobsRepository(tx).findView(jobId);
    const { options } = parseJobPayload('machine.maintenance', job?.payload ?? {});
    const plan = await maintenancePlanOf(tx, machineId, resolveMaintenanceOptions(options));
    return {
      snapshotId: plan.snapshotId,
      changes: plan.changes,
      lines: [...plan.aptLines, ...plan.dockerLines],
      noun: 'change(s)',
      missing: plan.problems.length
        ? `${plan.problems.join('; ')}: the approval covers only what is on record (anything else is refused as plan_drifted)`
        : null,
    };
  }

  private async send(tx: Tx, messages: JobMessage<JobKind>[]): Promise<void> {
    const byKind = new Map<JobKind, JobMessage<JobKind>[]>();
    for (const msg of messages) byKind.set(msg.kind, [...(byKind.get(msg.kind) ?? []), msg]);
    for (const [kind, batch] of byKind) await this.queue.sendMany(kind, batch, { executor: sqlExecutor(tx) });
  }
}
