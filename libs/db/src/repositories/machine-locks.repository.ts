import type { DbClient } from '../database.ts';

export interface ExpiredLock {
  machineId: string;
  jobId: string;
  workerId: string | null;
  expiresAt: Date;
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

  /** Pushes the expiry forward; false when the lock is no longer ours (taken over after we were presumed dead). */
  async heartbeat(machineId: string, jobId: string, ttlSeconds: number): Promise<boolean> {
    const n = await this.db.$executeRawUnsafe(
      `UPDATE machine_locks SET expires_at = now() + make_interval(secs => $3) WHERE machine_id = $1::uuid AND job_id = $2::uuid`,
      machineId,
      jobId,
      ttlSeconds,
    );
    return n === 1;
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
      { machine_id: string; job_id: string; worker_id: string | null; expires_at: Date }[]
    >(
      `SELECT machine_id, job_id, worker_id, expires_at FROM machine_locks WHERE expires_at < now()
       ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      limit,
    );
    return rows.map((r) => ({
      machineId: r.machine_id,
      jobId: r.job_id,
      workerId: r.worker_id,
      expiresAt: r.expires_at,
    }));
  }
}
