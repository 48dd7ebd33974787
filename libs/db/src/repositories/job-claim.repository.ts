import type { Database } from '../database.ts';

/** What one claim statement did to a job delivered to a worker (ADR 0049). */
export interface ClaimAttempt {
  /** The job's status before the statement (`queued` when it could be started); null when there is no such job. */
  status: string | null;
  /** The maintenance run it is a part of: such a job is not claimed here (its lock is its run's, ADR 0031). */
  parentJobId: string | null;
  /** The machine's lock was taken for the job. */
  locked: boolean;
  /** The job is now running for this worker (its machine locked and marked as running it). */
  started: boolean;
  /** Its end concerns a schedule run or an action request (the close hooks' business). */
  linked: boolean;
}

/** A job still queued, as a worker may take it without a delivery (ADR 0063). */
export interface QueuedJob {
  id: string;
  kind: string;
  payload: unknown;
}

/**
 * A job's start in one statement on the pool (no Prisma, no transaction): read it, take its machine's lock unless
 * another job holds it, mark the machine as running it and the job `running`. A pass starts thousands of jobs; the
 * four statements this replaces were a fifth of a job's database work (ADR 0049).
 */
export class JobClaimRepository {
  constructor(private readonly db: Database) {}

  async claimWithLock(c: {
    jobId: string;
    machineId: string;
    lockKind: string;
    workerId: string;
    ttlSeconds: number;
  }): Promise<ClaimAttempt> {
    // Data-modifying CTEs all run; the final SELECT reads `jobs` as it was before them (the status it was claimed
    // from). The job's UPDATE checks `queued` again on the row's latest version, so a cancel that landed meanwhile
    // leaves it alone (locked, not started: the caller frees the machine). The job's row is read FOR UPDATE: two
    // claims of one job (its delivery's, and a worker taking it after the machine's previous job, ADR 0063) are then
    // one after the other, and the second reads `running`; without it, the second read `queued` from its snapshot,
    // took the lock over (same job id), did not start, and freed the machine under the first.
    const { rows } = await this.db.pool.query<{
      status: string;
      parent_job_id: string | null;
      locked: number;
      started: number;
      linked: boolean;
    }>({
      name: 'su_job_claim',
      text: `WITH j AS (
         SELECT id, status, parent_job_id, run_machine_id, request_id FROM jobs WHERE id = $1::uuid FOR UPDATE
       ), l AS (
         INSERT INTO machine_locks (machine_id, job_id, lock_kind, worker_id, created_at, expires_at)
         SELECT $2::uuid, j.id, $3, $4, now(), now() + make_interval(secs => $5) FROM j
          WHERE j.status = 'queued' AND j.parent_job_id IS NULL
         ON CONFLICT (machine_id) DO UPDATE
           SET job_id = EXCLUDED.job_id, lock_kind = EXCLUDED.lock_kind, worker_id = EXCLUDED.worker_id,
               created_at = now(), expires_at = EXCLUDED.expires_at
           WHERE machine_locks.job_id = EXCLUDED.job_id
         RETURNING job_id
       ), s AS (
         UPDATE machine_state SET running_job_id = $1::uuid, updated_at = now()
          WHERE machine_id = $2::uuid AND EXISTS (SELECT 1 FROM l)
       ), r AS (
         UPDATE jobs SET status = 'running', started_at = now(), worker_id = $4, attempt = attempt + 1
          WHERE id = $1::uuid AND status = 'queued' AND EXISTS (SELECT 1 FROM l)
         RETURNING id
       )
       SELECT j.status, j.parent_job_id, (SELECT count(*) FROM l)::int AS locked, (SELECT count(*) FROM r)::int AS started,
              (j.run_machine_id IS NOT NULL OR j.request_id IS NOT NULL) AS linked
         FROM j`,
      values: [c.jobId, c.machineId, c.lockKind, c.workerId, c.ttlSeconds],
    });
    const r = rows[0];
    if (!r) return { status: null, parentJobId: null, locked: false, started: false, linked: false };
    return {
      status: r.status,
      parentJobId: r.parent_job_id,
      locked: r.locked === 1,
      started: r.started === 1,
      linked: r.linked,
    };
  }

  /**
   * A started job's successful end, with its machine freed, in one statement: for a job whose end concerns no schedule
   * run nor action request (`linked` false at its claim), nothing else has to commit with it. Like `markFinished`, it
   * overwrites whatever closed the job meanwhile; `finished` is false when there is no such job. `next`: the machine's
   * oldest job still queued of `chainKinds`, on its own (no schedule run, request or maintenance run), for the worker
   * to run next on the connection it holds (ADR 0063); none when `chainKinds` is empty.
   */
  async finishOk(c: { jobId: string; machineId: string; result: object; chainKinds: readonly string[] }): Promise<{
    finished: boolean;
    next: QueuedJob | null;
  }> {
    const { rows } = await this.db.pool.query<{ n: number; id: string | null; kind: string | null; payload: unknown }>({
      name: 'su_job_finish_ok',
      text: `WITH f AS (
         UPDATE jobs SET status = 'ok', finished_at = now(), result = $3::jsonb, error_kind = NULL, error_message = NULL
          WHERE id = $1::uuid
         RETURNING id
       ), s AS (
         UPDATE machine_state SET running_job_id = NULL, updated_at = now()
          WHERE machine_id = $2::uuid AND running_job_id = $1::uuid
       ), d AS (
         DELETE FROM machine_locks WHERE machine_id = $2::uuid AND job_id = $1::uuid
       ), nx AS (
         SELECT id, kind, payload FROM jobs
          WHERE machine_id = $2::uuid AND status = 'queued' AND id <> $1::uuid AND kind = ANY($4::text[])
            AND parent_job_id IS NULL AND run_machine_id IS NULL AND request_id IS NULL
          ORDER BY created_at LIMIT 1
       )
       SELECT (SELECT count(*) FROM f)::int AS n, nx.id, nx.kind, nx.payload FROM (SELECT 1) one LEFT JOIN nx ON true`,
      values: [c.jobId, c.machineId, JSON.stringify(c.result), [...c.chainKinds]],
    });
    const r = rows[0];
    const next = r?.id && r.kind ? { id: r.id, kind: r.kind, payload: r.payload } : null;
    return { finished: r?.n === 1, next };
  }
}
