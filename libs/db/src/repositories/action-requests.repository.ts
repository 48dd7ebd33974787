import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

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

  /** approved → executed once its job has run (whatever the outcome: the job says how it went). */
  async markExecuted(id: string, jobId: string, executionId: string | null): Promise<void> {
    await this.db.actionRequest.updateMany({
      where: { id, status: 'approved' },
      data: { status: 'executed', executedAt: new Date(), jobId, executionId },
    });
  }
}
