import { hostname } from 'node:os';
import type { AppConfig } from '@su/config';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  JOB_DEFINITIONS,
  jobKindsOwnedBy,
  parseJobPayload,
  READ_ONLY_SSH_JOB_KINDS,
  type JobKind,
  type JobMessage,
} from '@su/contracts';
import {
  Database,
  ExecutionsRepository,
  JobClaimRepository,
  JobsRepository,
  MachineEventsRepository,
  type QueuedJob,
  type Tx,
} from '@su/db';
import { JobQueue } from '@su/queue';
import { inSpan, markFailed, METRICS, secondsSince, SPAN_ATTR, withJobContext, type Span } from '@su/telemetry';
import type { JobHandler } from './job-handler.ts';
import { JobCloseHooks } from './job-close.hooks.ts';
import { LocalReleases } from './local-releases.ts';
import { MachineLockService, type Claim, type HeldLock } from './machine-lock.service.ts';
import { redeliverStranded } from './stranded-deliveries.ts';
import { withRetries } from './transient-retry.ts';

/** Tries to hand a job back to the queue (0.5 + 1 + 2 + 4 s between them: a database blip, not an outage). */
const REQUEUE_ATTEMPTS = 5;
/**
 * A read-only job whose machine is busy waits in its slot this long before going back to the queue: in a pass its
 * machine is most often held by the same pass's probe, done within a second, and a requeue would cost it
 * `SU_LOCK_RETRY_SECONDS` (ADR 0047). Read-only slots are many, so the wait holds nothing scarce. It polls with the
 * one-statement claim (ADR 0062), and is woken at once when the holder is a job of this process (LocalReleases).
 */
const READ_LOCK_WAIT_MS = 3000;
const READ_LOCK_POLL_MS = 200;

/** Jobs of one kind a worker runs at once: `readOnly` for READ_ONLY_SSH_JOB_KINDS, `other` for the rest. */
export interface WorkerConcurrency {
  other: number;
  readOnly: number;
}

/** A worker service's settings: `SU_WORKER_CONCURRENCY` and `SU_WORKER_READ_CONCURRENCY`. */
export function workerConcurrency(config: AppConfig): WorkerConcurrency {
  return { other: config.queue.workerConcurrency, readOnly: config.queue.readConcurrency };
}

export function concurrencyOf(kind: JobKind, c: WorkerConcurrency): number {
  return READ_ONLY_SSH_JOB_KINDS.has(kind) ? c.readOnly : c.other;
}

export class HandlerRegistrationError extends Error {}

/**
 * Checks, before anything is consumed, that the service has exactly one handler for each kind it owns and none for
 * kinds it does not own. A missing handler would leave jobs queued forever; two would make the outcome depend on
 * registration order. Both are programming errors, so the service refuses to start.
 */
export function checkHandlers(service: string, handlers: readonly JobHandler[]): Map<JobKind, JobHandler> {
  const problems: string[] = [];
  const byKind = new Map<JobKind, JobHandler>();
  for (const h of handlers) {
    if (!Object.hasOwn(JOB_DEFINITIONS, h.kind)) problems.push(`handler for unknown job kind "${h.kind}"`);
    else if (JOB_DEFINITIONS[h.kind].owner !== service)
      problems.push(`handler for "${h.kind}", which belongs to ${JOB_DEFINITIONS[h.kind].owner}, not ${service}`);
    if (byKind.has(h.kind)) problems.push(`two handlers for "${h.kind}"`);
    byKind.set(h.kind, h);
  }
  for (const kind of jobKindsOwnedBy(service)) {
    if (!byKind.has(kind)) problems.push(`no handler for "${kind}"`);
  }
  if (problems.length) throw new HandlerRegistrationError(`${service}: ${problems.join('; ')}`);
  return byKind;
}

/**
 * Consumes the service's queues and keeps the `jobs` rows true: queued → running → ok | error, with the result or a
 * classified error. A handler that throws never leaves its job `running`.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger('JobRunner');

  /** Jobs running in this process, to abort on a cancel request. */
  private readonly running = new Map<string, AbortController>();
  private readonly releases = new LocalReleases();
  private handlers = new Map<JobKind, JobHandler>();
  /** The kinds a job of this process may take after another on the same machine (read-only SSH kinds, ADR 0063). */
  private chainKinds: JobKind[] = [];

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(MachineLockService) private readonly locks: MachineLockService,
    @Inject(JobCloseHooks) private readonly hooks: JobCloseHooks,
  ) {}

  /** `concurrency`: one number for every kind, or the read-only SSH kinds apart (the services' settings). */
  async start(
    service: string,
    handlers: readonly JobHandler[],
    concurrency: number | WorkerConcurrency,
  ): Promise<JobKind[]> {
    const byKind = checkHandlers(service, handlers);
    const perKind = typeof concurrency === 'number' ? { other: concurrency, readOnly: concurrency } : concurrency;
    // The host name tells replicas apart: in a container it is the container's id, and every container's pid is 1.
    const workerId = `${service}:${hostname()}:${process.pid}`;
    this.handlers = byKind;
    this.chainKinds = [...byKind.keys()].filter((k) => READ_ONLY_SSH_JOB_KINDS.has(k));
    for (const [kind, handler] of byKind) {
      await this.queue.work(
        kind,
        {
          concurrency: concurrencyOf(kind, perKind),
          onInvalid: (jobId, error) => this.closeInvalid(kind, jobId, error),
        },
        (message, signal) => this.deliver(service, { kind, handler, workerId, message, signal }),
      );
    }
    // Dead workers' jobs are closed even when no new job comes for their machine, and jobs whose delivery died with
    // its worker before they started are delivered again.
    const kinds = [...byKind.keys()];
    const sweep = setInterval(() => void this.sweepDeadWorkers(kinds), 15_000);
    // Cancel requests for the jobs running here: one indexed query a second, only while something runs.
    const cancels = setInterval(() => void this.abortCancelled().catch(() => undefined), 1000);
    cancels.unref();
    sweep.unref();
    return kinds;
  }

  private async sweepDeadWorkers(kinds: readonly JobKind[]): Promise<void> {
    await this.locks.reconcileExpired().catch(() => undefined);
    await redeliverStranded(this.db, this.queue, kinds, this.locks.ttlSeconds).catch((e: Error) =>
      this.logger.warn(`redelivering stranded jobs: ${e.message}`),
    );
  }

  /** A message that failed validation never reaches its handler; its job is closed with a visible error. */
  private async closeInvalid(kind: JobKind, jobId: string, error: Error): Promise<void> {
    this.logger.warn(`job ${jobId} (${kind}) rejected: ${error.message}`);
    await this.db
      .transaction(async (tx) => {
        await new JobsRepository(tx).markFinished(jobId, {
          status: 'error',
          errorKind: 'invalid_payload',
          errorMessage: error.message,
        });
        await this.hooks.closed(tx, jobId);
      })
      .catch((e: Error) => this.logger.error(`closing invalid job ${jobId}: ${e.message}`));
  }

  /**
   * One delivery, then the machine's next queued read-only jobs that its end handed over (ADR 0063), each in the same
   * slot and on the connection the previous one kept.
   */
  private async deliver(service: string, run: Delivery): Promise<void> {
    let next: Delivery | null = run;
    while (next) next = await this.traced(service, next);
  }

  /**
   * One job inside its span (a child of the queue's, so of the request that sent it): SSH commands made while it
   * runs carry its kind and machine. Answers the job to run next in its slot, if its end handed one over.
   */
  private traced(service: string, run: Delivery): Promise<Delivery | null> {
    const { message } = run;
    const job = { jobId: message.jobId, kind: run.kind, machineId: message.machineId };
    return withJobContext(job, () =>
      inSpan(`job ${run.kind}`, { withJob: true, attributes: { [SPAN_ATTR.service]: service } }, (span) =>
        this.runOne(run, span),
      ),
    );
  }

  /** One delivered job: claimed, run, and its end recorded whatever happens. */
  private async runOne(run: Delivery, span: Span): Promise<Delivery | null> {
    const { message } = run;
    const claim = await this.claim(run).catch(async (e: Error) => {
      // Reading or locking failed before the job started: it must get another delivery, not stay queued for good.
      this.logger.warn(`job ${message.jobId}: claiming it failed (${e.message}); queued again`);
      await this.requeue(message);
      return null;
    });
    if (!claim) return null;
    const started = performance.now();
    const { lock } = claim;
    const cancel = new AbortController();
    this.running.set(message.jobId, cancel);
    const stop = AbortSignal.any([run.signal, cancel.signal, ...(lock ? [lock.lost] : [])]);
    // The job's final status and the machine's release commit together: whoever sees the job closed also
    // sees its machine free (and a crash between the two cannot leave a closed job holding a machine).
    let closed = false;
    const close = async (write: (tx: Tx) => Promise<void>) => {
      lock?.stopHeartbeat();
      await this.db.transaction(async (tx) => {
        await write(tx);
        await lock?.releaseIn(tx);
        await this.hooks.closed(tx, message.jobId);
      });
      closed = true;
    };
    try {
      const outcome = await runHandler(run.handler, message, stop);
      observeOutcome(run.kind, span, started, 'result' in outcome ? null : failureOf(outcome.error, cancel.signal));
      if ('result' in outcome) {
        const result = outcome.result as object;
        let next: QueuedJob | null = null;
        if (claim.quickClose && lock) next = await this.closeQuickly(lock, result, run);
        else await close((tx) => new JobsRepository(tx).markFinished(message.jobId, { status: 'ok', result }));
        closed = true;
        return this.chained(run, next);
      }
      const failure = failureOf(outcome.error, cancel.signal);
      const verb = failure.status === 'cancelled' ? 'cancelled' : 'failed';
      this.logger.warn(`job ${message.jobId} (${run.kind}) ${verb}: ${failure.errorKind}: ${failure.errorMessage}`);
      await close((tx) => recordFailure(tx, run, failure));
      return null;
    } catch (e) {
      await this.recordEndFailed(run, e as Error);
      return null;
    } finally {
      this.running.delete(message.jobId);
      // Only when closing failed: the lock must not outlive the job in this process.
      if (!closed) await lock?.release().catch((e: Error) => this.logger.warn(`releasing machine lock: ${e.message}`));
      if (lock) this.releases.released(lock.machineId);
    }
  }

  /**
   * Takes the job for this worker: still queued, its machine's lock held (a busy machine's job waits its turn, for
   * the whole run), and marked running. Null when another took it or it was cancelled meanwhile. A job for a free
   * machine starts in one statement (ADR 0049), a read-only one whose machine is busy after a moment's wait
   * (`claimWaiting`); a machine still busy, a maintenance run's part and a job without a machine go the long way.
   */
  private async claim(run: Delivery): Promise<Claimed | null> {
    const { message } = run;
    if (message.machineId) {
      const asked = performance.now();
      const c = await this.claimWaiting(run, message.machineId);
      if (c.lock) {
        METRICS.lockAcquireSeconds.observe({ outcome: 'acquired' }, secondsSince(asked));
        return { lock: c.lock, quickClose: !c.linked };
      }
      if (c.status === 'queued' && !c.locked) return this.claimSlowly(run, c.parentJobId);
    } else {
      const info = await new JobsRepository(this.db.prisma).claimInfo(message.jobId);
      if (info?.status === 'queued') return this.claimSlowly(run, info.parentJobId);
    }
    this.logger.log(`job ${message.jobId} is not queued any more; skipped`);
    return null;
  }

  /**
   * The one-statement claim; while the machine is busy with another job, a read-only job tries again every
   * READ_LOCK_POLL_MS for READ_LOCK_WAIT_MS (at once when a job of this process frees the machine). One statement a
   * try: the long way's acquire costs five (its insert, a sweep of dead holders in a transaction, the insert again),
   * then three more to start the job and a transaction to close it.
   */
  private async claimWaiting(run: Delivery, machineId: string): Promise<Claim> {
    const { message, kind, workerId } = run;
    const until = READ_ONLY_SSH_JOB_KINDS.has(kind) ? performance.now() + READ_LOCK_WAIT_MS : 0;
    for (;;) {
      const c = await this.locks.claim(machineId, message.jobId, kind, workerId);
      const busy = !c.lock && c.status === 'queued' && !c.locked && c.parentJobId === null;
      if (!busy || performance.now() >= until || run.signal.aborted) return c;
      await this.releases.wait(machineId, READ_LOCK_POLL_MS);
    }
  }

  /**
   * The long way: the machine's lock taken once more (a dead holder's job closed first) or entered (a run's part),
   * then the job marked running.
   */
  private async claimSlowly(run: Delivery, parentJobId: string | null): Promise<Claimed | null> {
    const { message, kind, workerId } = run;
    const jobs = new JobsRepository(this.db.prisma);
    let lock: HeldLock | null = null;
    if (message.machineId) {
      const asked = performance.now();
      // A maintenance run's part runs under the lock its run holds (ADR 0031).
      lock = await this.locks.acquire(message.machineId, message.jobId, kind, workerId, parentJobId);
      METRICS.lockAcquireSeconds.observe({ outcome: lock ? 'acquired' : 'busy' }, secondsSince(asked));
      if (!lock) {
        METRICS.lockWaits.inc({ kind });
        await this.requeue(message);
        return null;
      }
    }
    let marked: boolean;
    try {
      marked = await jobs.markRunning(message.jobId, workerId);
    } catch (e) {
      // The job did not start: free its machine and hand it back, or it would stay queued with no delivery.
      await lock?.release().catch(() => undefined);
      this.logger.warn(`job ${message.jobId}: marking it running failed (${(e as Error).message}); queued again`);
      await this.requeue(message);
      return null;
    }
    if (!marked) {
      await lock?.release();
      this.logger.log(`job ${message.jobId} is not queued any more; skipped`);
      return null;
    }
    return { lock, quickClose: false };
  }

  /**
   * A successful end that concerns no schedule run nor action request: the job `ok` and its machine freed, in one
   * statement (ADR 0049). The close hooks have nothing to do for such a job; its live event comes from the trigger.
   * The same statement answers the machine's next queued read-only job, unless a claim of this process already waits
   * for the machine (it takes it) or the worker is stopping.
   */
  private async closeQuickly(lock: HeldLock, result: object, run: Delivery): Promise<QueuedJob | null> {
    lock.stopHeartbeat();
    const { jobId, machineId } = lock;
    const chainKinds = run.signal.aborted || this.releases.waiting(machineId) ? [] : this.chainKinds;
    const end = await new JobClaimRepository(this.db).finishOk({ jobId, machineId, result, chainKinds });
    if (!end.finished) throw new Error(`job ${jobId} is gone`);
    return end.next;
  }

  /**
   * The machine's next queued job, to run in this slot as if delivered (its own delivery, when it comes, finds it
   * taken and is skipped). Null when this process has no handler for its kind or its payload is invalid: its
   * delivery then handles it as usual.
   */
  private chained(run: Delivery, next: QueuedJob | null): Delivery | null {
    if (!next || !run.message.machineId) return null;
    const kind = next.kind as JobKind;
    const handler = this.handlers.get(kind);
    if (!handler) return null;
    let payload: JobMessage['payload'];
    try {
      payload = parseJobPayload(kind, next.payload);
    } catch {
      return null;
    }
    const message: JobMessage = { jobId: next.id, kind, machineId: run.message.machineId, payload };
    return { ...run, kind, handler, message };
  }

  /**
   * The job goes back to the queue (its machine is busy, or it could not be started). This delivery completes when
   * it returns, and pg-boss does not retry job kinds, so a failed send would leave the `jobs` row queued with nothing
   * to deliver it — a job stuck for good, seen in a 1,000-machine pass when a pool connection timed out under load:
   * the send is tried again before giving up.
   */
  private requeue(message: Delivery['message']): Promise<void> {
    return withRetries(() => this.queue.requeue(message, this.locks.retrySeconds), {
      attempts: REQUEUE_ATTEMPTS,
      delayMs: 500,
      onRetry: (e, n) => this.logger.warn(`job ${message.jobId}: queueing it again failed (${n}): ${e.message}`),
    });
  }

  /**
   * Recording the end failed (database trouble, or a bug in what follows a job's end). The job must not stay
   * `running` with its lock gone (the reconciler would never close it): close it plainly, then free the machine; a
   * schedule run it belongs to is moved on by the scheduler's stalled-run sweep.
   */
  private async recordEndFailed(run: Delivery, e: Error): Promise<void> {
    const { message } = run;
    this.logger.error(`job ${message.jobId} (${run.kind}): recording its end failed: ${e.message}`);
    await new JobsRepository(this.db.prisma)
      .markFinished(message.jobId, {
        status: 'error',
        errorKind: 'internal_error',
        errorMessage: `the job ended but recording its end failed: ${e.message}`,
      })
      .catch((e2: Error) => this.logger.error(`job ${message.jobId}: ${e2.message}`));
  }

  private async abortCancelled(): Promise<void> {
    if (this.running.size === 0) return;
    for (const { id, by } of await new JobsRepository(this.db.prisma).cancelRequestedAmong([...this.running.keys()])) {
      this.running.get(id)?.abort(`cancelled by ${by ?? 'a person'}`);
    }
  }
}

/** A started job: its machine's lock, and whether its successful end may skip the close transaction. */
interface Claimed {
  lock: HeldLock | null;
  /** Started by the one-statement claim and concerning no schedule run nor action request (no close hook to run). */
  quickClose: boolean;
}

/** One job as the queue delivered it to this worker. */
interface Delivery {
  kind: JobKind;
  handler: JobHandler;
  workerId: string;
  message: JobMessage;
  signal: AbortSignal;
}

type HandlerError = Error & { errorKind?: string; remediation?: string };

interface Failure {
  status: 'cancelled' | 'error';
  errorKind: string;
  errorMessage: string;
  remediation: string | null;
}

async function runHandler(
  handler: JobHandler,
  message: JobMessage,
  signal: AbortSignal,
): Promise<{ result: unknown } | { error: HandlerError }> {
  try {
    return { result: await handler.handle({ message, signal }) };
  } catch (e) {
    return { error: e as HandlerError };
  }
}

/** The job's duration by final status, its failures by kind, and its span's error mark. */
function observeOutcome(kind: JobKind, span: Span, startedMs: number, failure: Failure | null): void {
  const status = failure?.status ?? 'ok';
  METRICS.jobDurationSeconds.observe({ kind, status }, secondsSince(startedMs));
  if (!failure) return;
  METRICS.errors.inc({ source: 'job', kind: failure.errorKind });
  markFailed(span, failure.errorKind);
}

/** A person's cancel ends the job `cancelled`, whatever the handler made of the interruption. */
function failureOf(err: HandlerError, cancelled: AbortSignal): Failure {
  if (cancelled.aborted)
    return { status: 'cancelled', errorKind: 'cancelled', errorMessage: String(cancelled.reason), remediation: null };
  return {
    status: 'error',
    errorKind: err.errorKind ?? 'internal_error',
    errorMessage: err.message,
    remediation: err.remediation ?? null,
  };
}

/** The job's failed end: its row, an execution it left `running`, and the machine's timeline. */
async function recordFailure(tx: Tx, run: Delivery, f: Failure): Promise<void> {
  const { message, kind, workerId } = run;
  const { status, errorKind, errorMessage } = f;
  await new JobsRepository(tx).markFinished(message.jobId, {
    status,
    errorKind,
    errorMessage,
    result: { error: { kind: errorKind, message: errorMessage, remediation: f.remediation } },
  });
  // A handler that failed before closing its execution must not leave it `running`.
  await new ExecutionsRepository(tx).failRunningOfJob(message.jobId, errorKind, errorMessage, status);
  if (!message.machineId) return;
  const cancelled = status === 'cancelled';
  await new MachineEventsRepository(tx).insert({
    machineId: message.machineId,
    eventType: cancelled ? 'job.cancelled' : 'job.failed',
    severity: cancelled ? 'warning' : 'error',
    actor: { type: 'system', id: workerId },
    jobId: message.jobId,
    message: `${kind} ${cancelled ? 'cancelled' : `failed: ${errorKind}`}`,
  });
}
