import type {
  MaintenancePart,
  MaintenancePartState,
  MaintenanceRunStatus,
  MaintenanceRunView,
  ResolvedMaintenanceOptions,
} from '@su/contracts';
import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

type Row = Prisma.MaintenanceRunGetPayload<object>;

function toView(r: Row): MaintenanceRunView {
  return {
    jobId: r.jobId,
    machineId: r.machineId,
    status: r.status as MaintenanceRunStatus,
    currentPart: r.currentPart as MaintenancePart | null,
    options: r.options as unknown as ResolvedMaintenanceOptions,
    planHash: r.planHash,
    parts: r.parts as unknown as MaintenancePartState[],
    executionId: r.executionId,
    reportId: r.reportId,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

const json = (v: unknown) => v as Prisma.InputJsonValue;

/** Maintenance runs (ADR 0031): one row per run, keyed by the run's job; the parts' states as the run moves. */
export class MaintenanceRunsRepository {
  constructor(private readonly db: DbClient) {}

  async insert(r: {
    jobId: string;
    machineId: string;
    options: ResolvedMaintenanceOptions;
    parts: MaintenancePartState[];
  }): Promise<void> {
    await this.db.maintenanceRun.upsert({
      where: { jobId: r.jobId },
      create: { jobId: r.jobId, machineId: r.machineId, options: json(r.options), parts: json(r.parts) },
      update: { status: 'running', parts: json(r.parts), currentPart: null, finishedAt: null },
    });
  }

  /** The parts as they stand, and the one in progress (the tile's progress). */
  async progress(jobId: string, parts: MaintenancePartState[], currentPart: MaintenancePart | null): Promise<void> {
    await this.db.maintenanceRun.update({ where: { jobId }, data: { parts: json(parts), currentPart } });
  }

  async setPlan(jobId: string, plan: { hash: string; changes: unknown; rebootPredicted: boolean }): Promise<void> {
    await this.db.maintenanceRun.update({ where: { jobId }, data: { planHash: plan.hash, plan: json(plan) } });
  }

  async finish(
    jobId: string,
    f: { status: MaintenanceRunStatus; parts: MaintenancePartState[]; executionId: string; reportId: string },
  ): Promise<void> {
    await this.db.maintenanceRun.update({
      where: { jobId },
      data: { ...f, parts: json(f.parts), currentPart: null, finishedAt: new Date() },
    });
  }

  async find(jobId: string): Promise<MaintenanceRunView | null> {
    const r = await this.db.maintenanceRun.findUnique({ where: { jobId } });
    return r && toView(r);
  }
}
