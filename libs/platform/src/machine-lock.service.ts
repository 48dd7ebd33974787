import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import { machineStatusAfter } from '@su/contracts';
import {
  Database,
  ExecutionsRepository,
  JobClaimRepository,
  JobsRepository,
  MachineEventsRepository,
  MachineLocksRepository,
  MachineStateRepository,
  type ClaimAttempt,
  type ExpiredLock,
  type Tx,
} from '@su/db';
import { JobCloseHooks } from './job-close.hooks.ts';
import { APP_CONFIG } from './tokens.ts';

export interface HeldLock {
  machineId: string;
  jobId: string;
  /** Aborted when the lock was lost (taken over after missed heartbeats): the job must stop touching the machine. */
  lost: AbortSignal;
  /** Stops pushing the expiry forward (the job is closing). */
  stopHeartbeat: () => void;
  /** Frees the machine inside the caller's transaction (with the job's final status). */
  releaseIn: (tx: Tx) => Promise<void>;
  /** Frees the machine on its own (idempotent: only this job's lock and running mark are cleared). */
  release: () => Promise<void>;
}

/** A claim's answer (`JobClaimRepository.claimWithLock`) with the lock it took, if the job started. */
export type Claim = ClaimAttempt & { lock: HeldLock | null };

/** The machine is no longer this job's: its running mark and its lock go. */
async function freeMachine(tx: Tx, machineId: string, jobId: string): Promise<void> {
  await new MachineStateRepository(tx).clearRunningJob(machineId, jobId);
  await new MachineLocksRepository(tx).release(machineId, jobId);
}

/**
 * One job per machine at a time, across every worker process: a `machine_locks` row with an expiry that a heartbeat
 * pushes forward. A worker that dies stops heartbeating; after the TTL its lock is taken over and its job is closed
 * as `worker_lost` by the reconciler, never left `running`.
 */
@Injectable()
export class MachineLockService {
  private readonly logger = new Logger('MachineLocks');

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JobCloseHooks) private readonly hooks: JobCloseHooks,
  ) {}

  get retrySeconds(): number {
    return this.config.locks.retrySeconds;
  }

  /** How long a lock lives without its holder's heartbeat. */
  get ttlSeconds(): number {
    return this.config.locks.ttlSeconds;
  }

  /**
   * The lock, or null when another live job holds the machine. A part of a maintenance run (`ownerJobId`: the run's
   * job) enters the lock its run owns instead of taking one (ADR 0031); every other job waits until the run ends.
   */
  async acquire(
    machineId: string,
    jobId: string,
    lockKind: string,
    workerId: string,
    ownerJobId: string | null = null,
  ): Promise<HeldLock | null> {
    const ttl = this.config.locks.ttlSeconds;
    const locks = new MachineLocksRepository(this.db.prisma);
    const take = () =>
      ownerJobId
        ? locks.tryEnterPart({ machineId, ownerJobId, partJobId: jobId, workerId, ttlSeconds: ttl })
        : locks.tryAcquire({ machineId, jobId, lockKind, workerId, ttlSeconds: ttl });
    // Only a contended machine may be held by a dead worker: close such jobs (worker_lost) and free their machines,
    // then try once more. The uncontended path stays one statement.
    if (!(await take()) && (!(await this.reconcileExpired()) || !(await take()))) return null;
    await new MachineStateRepository(this.db.prisma).setRunningJob(machineId, jobId);
    return this.held(machineId, jobId, ownerJobId);
  }

  /**
   * A delivered job's start in one statement (ADR 0049): its machine's lock, the machine marked as running it, the job
   * `running`. `lock` is null when it did not start: not queued any more, a part of a maintenance run, or its machine
   * busy (the caller then goes the long way: `acquire`, which also closes a dead holder's job).
   */
  async claim(machineId: string, jobId: string, lockKind: string, workerId: string): Promise<Claim> {
    const ttlSeconds = this.config.locks.ttlSeconds;
    const a = await new JobClaimRepository(this.db).claimWithLock({ jobId, machineId, lockKind, workerId, ttlSeconds });
    if (a.started) return { ...a, lock: this.held(machineId, jobId, null) };
    // Taken by a cancel between the statement's read and its update: the machine must not stay locked.
    if (a.locked) await this.db.transaction((tx) => freeMachine(tx, machineId, jobId));
    return { ...a, lock: null };
  }

  /** The lock this job holds: its heartbeat, and its release with the job's end. */
  private held(machineId: string, jobId: string, ownerJobId: string | null): HeldLock {
    const ttl = this.config.locks.ttlSeconds;
    const locks = new MachineLocksRepository(this.db.prisma);
    const lost = new AbortController();
    const beatOnce = () =>
      ownerJobId ? locks.heartbeatPart(machineId, jobId, ttl) : locks.heartbeat(machineId, jobId, ttl);
    const beat = setInterval(
      () => {
        beatOnce().then(
          (ok) => {
            if (!ok && !lost.signal.aborted) {
              this.logger.error(`lost the lock of machine ${machineId} (job ${jobId})`);
              lost.abort(new Error('machine lock lost'));
            }
          },
          (e: Error) => this.logger.warn(`heartbeat for machine ${machineId}: ${e.message}`),
        );
      },
      Math.max(1000, (ttl * 1000) / 3),
    );
    beat.unref();
    const releaseIn = async (tx: Tx) => {
      clearInterval(beat);
      if (!ownerJobId) return freeMachine(tx, machineId, jobId);
      await new MachineStateRepository(tx).clearRunningJob(machineId, jobId);
      // A part gives the lock back to its run, which goes on holding the machine.
      await new MachineLocksRepository(tx).leavePart(machineId, jobId, ttl);
      await new MachineStateRepository(tx).setRunningJob(machineId, ownerJobId);
    };
    return {
      machineId,
      jobId,
      lost: lost.signal,
      stopHeartbeat: () => clearInterval(beat),
      releaseIn,
      release: () => this.db.transaction(releaseIn),
    };
  }

  /**
   * Closes the jobs of expired locks as `worker_lost` and frees the machines. Safe to run from every worker at once
   * (rows are taken with SKIP LOCKED).
   */
  async reconcileExpired(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const expired = await new MachineLocksRepository(tx).takeExpired();
      for (const l of expired) await this.closeLost(tx, l);
      return expired.length;
    });
  }

  /**
   * The job whose worker stopped heartbeating ends worker_lost. A maintenance run's part that was inside its run's
   * lock gives the lock back to the run (which ends worker_lost at that part, or expires in turn when its own worker
   * died too); any other lock is freed.
   */
  private async closeLost(tx: Tx, l: ExpiredLock): Promise<void> {
    const lostJobId = l.partJobId ?? l.jobId;
    const msg = `the worker running this job (${l.workerId ?? 'unknown'}) stopped answering; its machine lock expired at ${l.expiresAt.toISOString()}`;
    const closed = await new JobsRepository(tx).markWorkerLost(lostJobId, msg);
    await new ExecutionsRepository(tx).failRunningOfJob(lostJobId, 'worker_lost', msg);
    const locks = new MachineLocksRepository(tx);
    if (l.partJobId) await locks.leavePart(l.machineId, l.partJobId, this.config.locks.ttlSeconds);
    else await locks.release(l.machineId, l.jobId);
    await new MachineStateRepository(tx).clearRunningJob(l.machineId, lostJobId);
    if (!closed) return;
    // The tile shows it until a run succeeds (the next analysis keeps a failed apply's error).
    const status = machineStatusAfter({ kind: 'failed', errorKind: 'worker_lost' });
    await new MachineStateRepository(tx).recordError(l.machineId, 'worker_lost', msg, status);
    await this.hooks.closed(tx, lostJobId);
    await new MachineEventsRepository(tx).insert({
      machineId: l.machineId,
      eventType: 'job.worker_lost',
      severity: 'error',
      actor: { type: 'system', id: 'lock-reconciler' },
      jobId: lostJobId,
      message: msg,
    });
    this.logger.warn(`job ${lostJobId}: worker_lost (${l.workerId})`);
  }
}
