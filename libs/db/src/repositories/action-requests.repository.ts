import type { ActionRequestStatus, ActionRequestView, MachineScope } from '@su/contracts';
import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { machineScopeWhere } from './machine-scope.repository.ts';

export interface NewActionRequest {
  machineId: string;
  requestedByType: string;
  requestedById: string | null;
  requestedByLabel: string | null;
  action: string;
  risk: string;
  summary: string;
  payload: Prisma.InputJsonValue;
  expiresAt: Date;
  /** A schedule run's waiting step that approval releases (requests made by a schedule). */
  jobId?: string | null;
  scheduleRunId?: string | null;
  planHash?: string | null;
  snapshotId?: string | null;
  allowPlanSuperset?: boolean;
}

export interface ActionRequestFilter {
  status?: ActionRequestStatus | undefined;
  machineId?: string | undefined;
  requestedByType?: string | undefined;
  /** The caller's machine scope: only requests for machines it admits (null or absent: every request). */
  scope?: MachineScope | null | undefined;
  limit: number;
  offset: number;
}

/** A pending request that expired, as `expireDue` leaves it. */
export interface ExpiredRequest {
  id: string;
  machineId: string | null;
  action: string;
  jobId: string | null;
}

export interface Decision {
  by: string;
  at: Date;
  note: string | null;
}

const include = { machine: { select: { name: true } } } as const;
type Row = Prisma.ActionRequestGetPayload<object> & { machine?: { name: string } | null };

function toView(r: Row): ActionRequestView {
  return {
    id: r.id,
    machineId: r.machineId,
    machineName: r.machine?.name ?? null,
    action: r.action,
    risk: r.risk,
    status: r.status as ActionRequestStatus,
    summary: r.summary,
    requestedBy: { type: r.requestedByType, id: r.requestedById, label: r.requestedByLabel },
    payload: r.payload,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt?.toISOString() ?? null,
    approvedAt: r.approvedAt?.toISOString() ?? null,
    approvedBy: r.approvedBy,
    rejectedAt: r.rejectedAt?.toISOString() ?? null,
    rejectedBy: r.rejectedBy,
    decisionNote: r.decisionNote,
    executedAt: r.executedAt?.toISOString() ?? null,
    executionId: r.executionId,
    jobId: r.jobId,
    planHash: r.planHash,
    allowPlanSuperset: r.allowPlanSuperset,
    snapshotId: r.snapshotId,
    scheduleRunId: r.scheduleRunId,
  };
}

export class ActionRequestsRepository {
  constructor(private readonly db: DbClient) {}

  async insert(r: NewActionRequest): Promise<{ id: string }> {
    return this.db.actionRequest.create({
      data: {
        machineId: r.machineId,
        requestedByType: r.requestedByType,
        requestedById: r.requestedById,
        requestedByLabel: r.requestedByLabel,
        action: r.action,
        risk: r.risk,
        summary: r.summary,
        payload: r.payload,
        expiresAt: r.expiresAt,
        jobId: r.jobId ?? null,
        scheduleRunId: r.scheduleRunId ?? null,
        planHash: r.planHash ?? null,
        snapshotId: r.snapshotId ?? null,
        allowPlanSuperset: r.allowPlanSuperset ?? false,
      },
      select: { id: true },
    });
  }

  async find(id: string): Promise<ActionRequestView | null> {
    const r = await this.db.actionRequest.findUnique({ where: { id }, include });
    return r && toView(r);
  }

  /**
   * The request, locked until the caller's transaction ends: a decision reads the status and writes the outcome
   * with no other decision (a second approver, the expiry sweep) in between. Without the machine's name (one
   * statement each, nothing run side by side on the transaction's connection).
   */
  async lockForDecision(id: string): Promise<ActionRequestView | null> {
    const locked = await this.db.$queryRaw<{ id: string }[]>`
      SELECT id FROM action_requests WHERE id = ${id}::uuid FOR UPDATE`;
    if (!locked.length) return null;
    const r = await this.db.actionRequest.findUnique({ where: { id } });
    return r && toView(r);
  }

  /** Newest first; served by the (status, created_at) and (machine_id) indexes. */
  async list(f: ActionRequestFilter): Promise<ActionRequestView[]> {
    const rows = await this.db.actionRequest.findMany({
      where: {
        ...(f.status ? { status: f.status } : {}),
        ...(f.machineId ? { machineId: f.machineId } : {}),
        ...(f.requestedByType ? { requestedByType: f.requestedByType } : {}),
        ...(f.scope ? { machine: { is: machineScopeWhere(f.scope) } } : {}),
      },
      include,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: f.limit,
      skip: f.offset,
    });
    return rows.map(toView);
  }

  /** pending → approved, with the job that carries it out. False when the request was no longer pending. */
  async approve(id: string, d: Decision, jobId: string): Promise<boolean> {
    const res = await this.db.actionRequest.updateMany({
      where: { id, status: 'pending' },
      data: { status: 'approved', approvedBy: d.by, approvedAt: d.at, decisionNote: d.note, jobId },
    });
    return res.count === 1;
  }

  /** pending → rejected. False when the request was no longer pending. */
  async reject(id: string, d: Decision): Promise<boolean> {
    const res = await this.db.actionRequest.updateMany({
      where: { id, status: 'pending' },
      data: { status: 'rejected', rejectedBy: d.by, rejectedAt: d.at, decisionNote: d.note },
    });
    return res.count === 1;
  }

  /** pending → expired for one request whose time is up (found so when someone tried to decide on it). */
  async expire(id: string, now: Date): Promise<boolean> {
    const res = await this.db.actionRequest.updateMany({
      where: { id, status: 'pending', expiresAt: { lte: now } },
      data: { status: 'expired' },
    });
    return res.count === 1;
  }

  /**
   * Every pending request whose time is up becomes expired, in one statement, oldest first and at most `limit`.
   * Requests locked by a decision in progress are left for the next sweep (SKIP LOCKED): that decision sees the
   * expiry itself.
   */
  async expireDue(now: Date, limit: number): Promise<ExpiredRequest[]> {
    const rows = await this.db.$queryRaw<
      { id: string; machine_id: string | null; action: string; job_id: string | null }[]
    >`
      UPDATE action_requests SET status = 'expired'
       WHERE id IN (SELECT id FROM action_requests
                     WHERE status = 'pending' AND expires_at <= ${now}
                     ORDER BY expires_at LIMIT ${limit}
                     FOR UPDATE SKIP LOCKED)
      RETURNING id::text, machine_id::text, action, job_id::text`;
    return rows.map((r) => ({ id: r.id, machineId: r.machine_id, action: r.action, jobId: r.job_id }));
  }

  /** approved → executed once its job has run (whatever the outcome: the job says how it went). */
  async markExecuted(id: string, jobId: string, executionId: string | null): Promise<void> {
    await this.db.actionRequest.updateMany({
      where: { id, status: 'approved' },
      data: { status: 'executed', executedAt: new Date(), jobId, executionId },
    });
  }
}
