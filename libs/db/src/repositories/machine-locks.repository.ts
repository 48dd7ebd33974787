import type { DbClient } from '../database.ts';

export interface ExpiredLock {
  machineId: string;
  jobId: string;
  workerId: string | null;
  expiresAt: Date;
  /** The part of a maintenance run that was inside the run's lock (its worker stopped heartbeating). */
  partJobId: string | null;
}

/**
 * One row per machine: the job that holds it, and until when. A lock whose expiry passed belongs to a worker that
 * stopped heartbeating (killed, frozen, partitioned) and may be taken over.
 */
export class MachineLocksRepository {
  constructor(private readonly db: DbClient) {}

  /**
   * Takes the machine's lock for `jobId` unless another job holds it, even an expired one: an expired holder is freed
   * only by the reconciler, which first closes its job as worker_lost. Returns true when taken.
   */
  async tryAcquire(l: {
    machineId: string;
    jobId: string;
    lockKind: string;
    workerId: string;
    ttlSeconds: number;
  }): Promise<boolean> {
    const rows = await this.db.$queryRawUnsafe<{ job_id: string }[]>(
      `INSERT INTO machine_locks (machine_id, job_id, lock_kind, worker_id, created_at, expires_at)
       VALUES ($1::uuid, $2::uuid, $3, $4, now(), now() + make_interval(secs => $5))
       ON CONFLICT (machine_id) DO UPDATE
         SET job_id = EXCLUDED.job_id, lock_kind = EXCLUDED.lock_kind, worker_id = EXCLUDED.worker_id,
             created_at = now(), expires_at = EXCLUDED.expires_at
         WHERE machine_locks.job_id = EXCLUDED.job_id
       RETURNING job_id`,
      l.machineId,
      l.jobId,
      l.lockKind,
      l.workerId,
      l.ttlSeconds,
    );
    return rows.length === 1;
  }

  /**
   * Pushes the expiry forward; false when the lock is no longer ours (taken over after we were presumed dead). While
   * a part of the owner's run is inside, the part's worker heartbeats instead (so that its death lets the lock expire)
   * and the owner's beat only confirms it still owns the lock.
   */
  async heartbeat(machineId: string, jobId: string, ttlSeconds: number): Promise<boolean> {
    const n = await this.db.$executeRawUnsafe(
      `UPDATE machine_locks
         SET expires_at = CASE WHEN part_job_id IS NULL THEN now() + make_interval(secs => $3) ELSE expires_at END
       WHERE machine_id = $1::uuid AND job_id = $2::uuid`,
      machineId,
      jobId,
      ttlSeconds,
    );
    return n === 1;
  }

  /**
   * A part of a maintenance run enters the lock its run's job owns (ADR 0031): only when the owner holds the machine
   * and no other part is inside. Returns true when entered.
   */
  async tryEnterPart(l: {
    machineId: string;
    ownerJobId: string;
    partJobId: string;
    workerId: string;
    ttlSeconds: number;
  }) {
    const n = await this.db.$executeRawUnsafe(
      `UPDATE machine_locks SET part_job_id = $3::uuid, worker_id = $4, expires_at = now() + make_interval(secs => $5)
       WHERE machine_id = $1::uuid AND job_id = $2::uuid AND (part_job_id IS NULL OR part_job_id = $3::uuid)`,
      l.machineId,
      l.ownerJobId,
      l.partJobId,
      l.workerId,
      l.ttlSeconds,
    );
    return n === 1;
  }

  /** The part's heartbeat; false when it is no longer inside (taken back after its worker was presumed dead). */
  async heartbeatPart(machineId: string, partJobId: string, ttlSeconds: number): Promise<boolean> {
    const n = await this.db.$executeRawUnsafe(
      `UPDATE machine_locks SET expires_at = now() + make_interval(secs => $3)
       WHERE machine_id = $1::uuid AND part_job_id = $2::uuid`,
      machineId,
      partJobId,
      ttlSeconds,
    );
    return n === 1;
  }

  /** The part leaves: the lock goes back to its owner, which has a full TTL to beat again (idempotent). */
  async leavePart(machineId: string, partJobId: string, ttlSeconds: number): Promise<void> {
    await this.db.$executeRawUnsafe(
      `UPDATE machine_locks SET part_job_id = NULL, expires_at = now() + make_interval(secs => $3)
       WHERE machine_id = $1::uuid AND part_job_id = $2::uuid`,
      machineId,
      partJobId,
      ttlSeconds,
    );
  }

  async release(machineId: string, jobId: string): Promise<void> {
    await this.db.machineLock.deleteMany({ where: { machineId, jobId } });
  }

  async holder(machineId: string): Promise<{ jobId: string; expiresAt: Date | null } | null> {
    return this.db.machineLock.findUnique({ where: { machineId }, select: { jobId: true, expiresAt: true } });
  }

  /** Expired locks, locked for this transaction so two reconcilers do not both handle one. */
  async takeExpired(limit = 100): Promise<ExpiredLock[]> {
    const rows = await this.db.$queryRawUnsafe<
      { machine_id: string; job_id: string; worker_id: string | null; expires_at: Date; part_job_id: string | null }[]
    >(
      `SELECT machine_id, job_id, worker_id, expires_at, part_job_id FROM machine_locks WHERE expires_at < now()
       ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      limit,
    );
    return rows.map((r) => ({
      machineId: r.machine_id,
      jobId: r.job_id,
      workerId: r.worker_id,
      expiresAt: r.expires_at,
      partJobId: r.part_job_id,
    }));
  }
}
