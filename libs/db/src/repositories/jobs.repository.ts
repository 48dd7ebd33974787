import type { Actor, JobStatus, JobSummaryView, JobView, MachineScope } from '@su/contracts';
import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { machineScopeWhere } from './machine-scope.repository.ts';

export interface NewJob {
  id: string;
  kind: string;
  machineId: string | null;
  scheduleId?: string | null;
  requestId?: string | null;
  priority?: number;
  maxAttempts?: number;
  requestedBy: Actor;
  payload: Prisma.InputJsonValue;
  retryOfJobId?: string | null;
  /** `waiting` for later steps of a schedule run (released by the run advancer); default `queued`. */
  status?: 'queued' | 'waiting';
  runMachineId?: string | null;
  step?: number | null;
  /** A part of a maintenance run: the run's job (ADR 0031). */
  parentJobId?: string | null;
}

type Row = Prisma.JobGetPayload<object>;

/** A job's place in a schedule run (if any), its status and the request it carries out. */
export interface RunLink {
  runMachineId: string | null;
  step: number | null;
  status: string;
  requestId: string | null;
}

function toView(r: Row): JobView {
  return { ...toSummary(r), payload: r.payload, result: r.result };
}

function toSummary(r: Omit<Row, 'payload' | 'result'>): JobSummaryView {
  return {
    id: r.id,
    kind: r.kind,
    machineId: r.machineId,
    scheduleId: r.scheduleId,
    requestId: r.requestId,
    status: r.status as JobStatus,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    attempt: r.attempt,
    requestedBy: { type: r.requestedByType, id: r.requestedById },
    errorKind: r.errorKind,
    errorMessage: r.errorMessage,
    cancelRequestedAt: r.cancelRequestedAt?.toISOString() ?? null,
    retryOfJobId: r.retryOfJobId,
    runMachineId: r.runMachineId,
    step: r.step,
  };
}

export class JobsRepository {
  constructor(private readonly db: DbClient) {}

  /**
   * Who asked for a job and, when it carried out an action request, who approved it and with what note: what a
   * report names. Labels are read now (a username, an API client's label, the request's recorded label).
   */
  async requestOrigin(jobId: string): Promise<{
    requestedBy: string;
    requestId: string | null;
    approvedBy: string | null;
    approvedAt: string | null;
    note: string | null;
  } | null> {
    const rows = await this.db.$queryRawUnsafe<
      {
        type: string | null;
        id: string | null;
        label: string | null;
        request_id: string | null;
        request_label: string | null;
        approved_by: string | null;
        approved_at: Date | null;
        decision_note: string | null;
      }[]
    >(
      `SELECT j.requested_by_type AS type, j.requested_by_id AS id, COALESCE(u.username, c.label) AS label,
              r.id AS request_id, r.requested_by_label AS request_label, r.approved_by, r.approved_at, r.decision_note
         FROM jobs j
         LEFT JOIN users u ON j.requested_by_type = 'user' AND u.id::text = j.requested_by_id
         LEFT JOIN api_clients c ON j.requested_by_type = 'api_client' AND c.id::text = j.requested_by_id
         LEFT JOIN action_requests r ON r.id = j.request_id
        WHERE j.id = $1::uuid`,
      jobId,
    );
    const r = rows[0];
    if (!r) return null;
    return {
      requestedBy: r.request_label ?? r.label ?? [r.type, r.id].filter(Boolean).join(':') ?? 'unknown',
      requestId: r.request_id,
      approvedBy: r.approved_by,
      approvedAt: r.approved_at?.toISOString() ?? null,
      note: r.decision_note,
    };
  }

  async insert(j: NewJob): Promise<JobView> {
    const row = await this.db.job.create({
      data: {
        id: j.id,
        kind: j.kind,
        machineId: j.machineId,
        scheduleId: j.scheduleId ?? null,
        requestId: j.requestId ?? null,
        priority: j.priority ?? 0,
        maxAttempts: j.maxAttempts ?? 1,
        requestedByType: j.requestedBy.type,
        requestedById: j.requestedBy.id,
        payload: j.payload,
        retryOfJobId: j.retryOfJobId ?? null,
        status: j.status ?? 'queued',
        runMachineId: j.runMachineId ?? null,
        step: j.step ?? null,
        parentJobId: j.parentJobId ?? null,
      },
    });
    return toView(row);
  }

  /**
   * One statement for a whole batch (fan-out), never a loop of inserts. Raw SQL over jsonb_to_recordset: one
   * parameter whatever the batch size; Prisma's createMany builds 11 parameters per row and took ~250 ms for 1,000.
   */
  async insertMany(jobs: NewJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const rows = jobs.map((j) => ({
      id: j.id,
      kind: j.kind,
      machine_id: j.machineId,
      schedule_id: j.scheduleId ?? null,
      request_id: j.requestId ?? null,
      priority: j.priority ?? 0,
      max_attempts: j.maxAttempts ?? 1,
      requested_by_type: j.requestedBy.type,
      requested_by_id: j.requestedBy.id,
      payload: j.payload,
      status: j.status ?? 'queued',
      run_machine_id: j.runMachineId ?? null,
      step: j.step ?? null,
    }));
    await this.db.$executeRawUnsafe(
      `INSERT INTO jobs (id, kind, machine_id, schedule_id, request_id, priority, max_attempts, requested_by_type,
         requested_by_id, payload, status, run_machine_id, step)
       SELECT id, kind, machine_id, schedule_id, request_id, priority, max_attempts, requested_by_type, requested_by_id,
         payload, status, run_machine_id, step
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, kind text, machine_id uuid, schedule_id uuid, request_id uuid,
         priority int, max_attempts int, requested_by_type text, requested_by_id text, payload jsonb, status text,
         run_machine_id uuid, step int)`,
      JSON.stringify(rows),
    );
  }

  async findView(id: string): Promise<JobView | null> {
    const row = await this.db.job.findUnique({ where: { id } });
    return row && toView(row);
  }

  /**
   * queued → running. Returns false when the job is not queued any more (cancelled, or already taken by a delivery
   * that pg-boss repeated), so handlers stay idempotent.
   */
  async markRunning(id: string, workerId: string): Promise<boolean> {
    const res = await this.db.job.updateMany({
      where: { id, status: 'queued' },
      data: { status: 'running', startedAt: new Date(), workerId, attempt: { increment: 1 } },
    });
    return res.count === 1;
  }

  async markFinished(
    id: string,
    outcome: {
      status: Exclude<JobStatus, 'queued' | 'running'>;
      result?: Prisma.InputJsonValue;
      errorKind?: string | null;
      errorMessage?: string | null;
    },
  ): Promise<void> {
    await this.db.job.update({
      where: { id },
      data: {
        status: outcome.status,
        finishedAt: new Date(),
        ...(outcome.result === undefined ? {} : { result: outcome.result }),
        errorKind: outcome.errorKind ?? null,
        errorMessage: outcome.errorMessage ?? null,
      },
    });
  }

  /** A running job whose worker is gone: closed as error/worker_lost (only if it is still running). */
  async markWorkerLost(id: string, message: string): Promise<boolean> {
    const res = await this.db.job.updateMany({
      where: { id, status: 'running' },
      data: { status: 'error', finishedAt: new Date(), errorKind: 'worker_lost', errorMessage: message },
    });
    return res.count === 1;
  }

  async status(id: string): Promise<string | null> {
    return (await this.db.job.findUnique({ where: { id }, select: { status: true } }))?.status ?? null;
  }

  /** What a worker needs to claim a job: its status, and the maintenance run it is a part of (ADR 0031). */
  async claimInfo(id: string): Promise<{ status: string; parentJobId: string | null } | null> {
    return this.db.job.findUnique({ where: { id }, select: { status: true, parentJobId: true } });
  }

  /**
   * queued or waiting → cancelled (a queued job's delivery will find it not queued and skip it). False when it was
   * neither.
   */
  async cancelQueued(id: string, by: string): Promise<boolean> {
    const res = await this.db.job.updateMany({
      where: { id, status: { in: ['queued', 'waiting'] } },
      data: {
        status: 'cancelled',
        finishedAt: new Date(),
        errorKind: 'cancelled',
        errorMessage: `cancelled by ${by}`,
        cancelRequestedAt: new Date(),
        cancelRequestedBy: by,
      },
    });
    return res.count === 1;
  }

  /** A running job: the worker that runs it sees the request and stops it. False when it was not running. */
  async requestCancel(id: string, by: string): Promise<boolean> {
    const res = await this.db.job.updateMany({
      where: { id, status: 'running' },
      data: { cancelRequestedAt: new Date(), cancelRequestedBy: by },
    });
    return res.count === 1;
  }

  /** waiting → queued; the job (with what its delivery needs) or null when it was not waiting any more. */
  async release(id: string): Promise<{ id: string; kind: string; machineId: string | null; payload: unknown } | null> {
    const res = await this.db.job.updateMany({ where: { id, status: 'waiting' }, data: { status: 'queued' } });
    if (res.count !== 1) return null;
    const j = await this.db.job.findUniqueOrThrow({
      where: { id },
      select: { id: true, kind: true, machineId: true, payload: true },
    });
    return j;
  }

  /** A waiting step now needs this request's approval; an APT apply also carries the plan the person will see. */
  async bindRequest(id: string, requestId: string, approvedPlan: Prisma.InputJsonValue | null): Promise<void> {
    const job = await this.db.job.findUniqueOrThrow({ where: { id }, select: { payload: true } });
    await this.db.job.update({
      where: { id },
      data: {
        requestId,
        ...(approvedPlan ? { payload: { ...((job.payload as object | null) ?? {}), approvedPlan } } : {}),
      },
    });
  }

  /** Every still-waiting step of a run's machine becomes `skipped`, with why. */
  async skipWaiting(runMachineId: string, errorKind: string, message: string): Promise<number> {
    const res = await this.db.job.updateMany({
      where: { runMachineId, status: 'waiting' },
      data: { status: 'skipped', finishedAt: new Date(), errorKind, errorMessage: message },
    });
    return res.count;
  }

  /** What the run advancer needs of a job that just closed. */
  async runLink(id: string): Promise<RunLink | null> {
    return this.db.job.findUnique({
      where: { id },
      select: { runMachineId: true, step: true, status: true, requestId: true },
    });
  }

  /** The machine's next waiting step of its run (the lowest step number), if any. */
  async nextWaitingStep(runMachineId: string): Promise<{ id: string; kind: string; step: number | null } | null> {
    return this.db.job.findFirst({
      where: { runMachineId, status: 'waiting' },
      orderBy: { step: 'asc' },
      select: { id: true, kind: true, step: true },
    });
  }

  /** Which of these jobs are still queued (never started). */
  async queuedAmong(ids: string[]): Promise<string[]> {
    const rows = await this.db.job.findMany({ where: { id: { in: ids }, status: 'queued' }, select: { id: true } });
    return rows.map((r) => r.id);
  }

  async cancelRequestedAmong(ids: string[]): Promise<{ id: string; by: string | null }[]> {
    const rows = await this.db.job.findMany({
      where: { id: { in: ids }, cancelRequestedAt: { not: null } },
      select: { id: true, cancelRequestedBy: true },
    });
    return rows.map((r) => ({ id: r.id, by: r.cancelRequestedBy }));
  }

  async list(filter: {
    machineId?: string | undefined;
    status?: string | undefined;
    kind?: string | undefined;
    scheduleId?: string | undefined;
    requestId?: string | undefined;
    from?: Date | undefined;
    to?: Date | undefined;
    /** The caller's machine scope: only jobs of machines it admits (null or absent: every job). */
    scope?: MachineScope | null | undefined;
    limit: number;
    offset: number;
  }): Promise<JobSummaryView[]> {
    const rows = await this.db.job.findMany({
      // Payloads and results stay in the database: a page of 50 upgrades once made a 19 MB answer.
      omit: { payload: true, result: true },
      where: {
        ...(filter.machineId ? { machineId: filter.machineId } : {}),
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.kind ? { kind: filter.kind } : {}),
        ...(filter.scheduleId ? { scheduleId: filter.scheduleId } : {}),
        ...(filter.requestId ? { requestId: filter.requestId } : {}),
        ...(filter.from || filter.to
          ? { createdAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lt: filter.to } : {}) } }
          : {}),
        ...(filter.scope ? { machine: { is: machineScopeWhere(filter.scope) } } : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: filter.limit,
      skip: filter.offset,
    });
    return rows.map(toSummary);
  }
}
