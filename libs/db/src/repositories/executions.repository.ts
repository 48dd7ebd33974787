import { PACKAGE_CHANGING_ACTIONS } from '@su/contracts';
import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export interface ExecutionView {
  id: string;
  machineId: string;
  action: string;
  mode: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  jobId: string | null;
  requestId: string | null;
  exitCode: number | null;
  errorKind: string | null;
  errorMessage: string | null;
  reportId: string | null;
  rawArtifactId: string | null;
  result: unknown;
  importantJson: unknown;
}

type Row = Prisma.ExecutionGetPayload<object>;
function toView(r: Row): ExecutionView {
  return {
    id: r.id,
    machineId: r.machineId,
    action: r.action,
    mode: r.mode,
    status: r.status,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    jobId: r.jobId,
    requestId: r.requestId,
    exitCode: r.exitCode,
    errorKind: r.errorKind,
    errorMessage: r.errorMessage,
    reportId: r.reportId,
    rawArtifactId: r.rawArtifactId,
    result: r.result,
    importantJson: r.importantJson,
  };
}

/**
 * An execution (alias `e`) that ended without its diff: a before-state kept, never finished. One definition for every
 * query that looks for them (the apply's preflight and the analysis' starting point).
 */
export const UNFINISHED_APPLY = `e.status <> 'running' AND e.result ? 'beforeState' AND NOT e.result ? 'apt'`;

export class ExecutionsRepository {
  constructor(private readonly db: DbClient) {}

  /** An execution is recorded as `running` before anything runs, so a crash leaves a trace. */
  async start(e: {
    machineId: string;
    action: string;
    mode: string;
    jobId: string | null;
    requestId?: string | null;
  }): Promise<string> {
    const row = await this.db.execution.create({
      data: {
        machineId: e.machineId,
        action: e.action,
        mode: e.mode,
        jobId: e.jobId,
        requestId: e.requestId ?? null,
        status: 'running',
      },
      select: { id: true },
    });
    return row.id;
  }

  async finish(
    id: string,
    f: {
      status: string;
      result: Prisma.InputJsonValue;
      importantJson?: Prisma.InputJsonValue;
      exitCode?: number | null;
      errorKind?: string | null;
      errorMessage?: string | null;
      rawArtifactId?: string | null;
      reportId?: string | null;
    },
  ): Promise<void> {
    await this.db.execution.update({
      where: { id },
      data: {
        status: f.status,
        finishedAt: new Date(),
        result: f.result,
        ...(f.importantJson === undefined ? {} : { importantJson: f.importantJson }),
        exitCode: f.exitCode ?? null,
        errorKind: f.errorKind ?? null,
        errorMessage: f.errorMessage ?? null,
        rawArtifactId: f.rawArtifactId ?? null,
        reportId: f.reportId ?? null,
      },
    });
  }

  /**
   * The package set before an apply changes anything, kept on the running execution (`result.beforeState`): if the
   * run never finishes (worker lost, crash), the next contact with the machine diffs against it.
   */
  async recordBeforeState(id: string, beforeState: Prisma.InputJsonValue): Promise<void> {
    await this.db.execution.update({ where: { id }, data: { result: { beforeState } } });
  }

  /** Executions of the machine that ended without their diff (a before-state kept, never finished), oldest first. */
  async unfinishedWithBeforeState(machineId: string): Promise<{ id: string; beforeState: unknown }[]> {
    const rows = await this.db.$queryRawUnsafe<{ id: string; before_state: unknown }[]>(
      `SELECT id, result->'beforeState' AS before_state FROM executions e
        WHERE e.machine_id = $1::uuid AND ${UNFINISHED_APPLY} ORDER BY started_at`,
      machineId,
    );
    return rows.map((r) => ({ id: r.id, beforeState: r.before_state }));
  }

  /** The partial diff of an unfinished run, found at the next contact: the before-state gives way to it. */
  async recordPartialDiff(
    id: string,
    f: { result: Prisma.InputJsonValue; importantJson: Prisma.InputJsonValue },
  ): Promise<void> {
    await this.db.execution.update({ where: { id }, data: { result: f.result, importantJson: f.importantJson } });
  }

  /** The latest finished APT apply (or repair) of the machine: its failure stays on the tile until one succeeds. */
  async latestApply(
    machineId: string,
  ): Promise<{ status: string; errorKind: string | null; errorMessage: string | null } | null> {
    return this.db.execution.findFirst({
      where: {
        machineId,
        status: { not: 'running' },
        action: { in: [...PACKAGE_CHANGING_ACTIONS] },
      },
      orderBy: { startedAt: 'desc' },
      select: { status: true, errorKind: true, errorMessage: true },
    });
  }

  /** Executions left `running` by a job that ended without finishing them (worker lost, crash). */
  async failRunningOfJob(
    jobId: string,
    errorKind: string,
    message: string,
    status: 'error' | 'cancelled' = 'error',
  ): Promise<void> {
    await this.db.execution.updateMany({
      where: { jobId, status: 'running' },
      data: { status, finishedAt: new Date(), errorKind, errorMessage: message },
    });
  }

  /** The id of a job's latest execution, if it made one. */
  async latestIdOfJob(jobId: string): Promise<string | null> {
    const e = await this.db.execution.findFirst({
      where: { jobId },
      orderBy: { startedAt: 'desc' },
      select: { id: true },
    });
    return e?.id ?? null;
  }

  async find(id: string): Promise<ExecutionView | null> {
    const r = await this.db.execution.findUnique({ where: { id } });
    return r && toView(r);
  }

  async listByMachine(machineId: string, limit: number): Promise<ExecutionView[]> {
    const rows = await this.db.execution.findMany({
      where: { machineId },
      orderBy: { startedAt: 'desc' },
      take: limit,
    });
    return rows.map(toView);
  }

  /** Durations (seconds) of this machine's last successful verified reboots, for the recommended wait. */
  async recentRebootDurations(machineId: string, limit = 10): Promise<number[]> {
    const rows = await this.db.execution.findMany({
      where: { machineId, action: 'reboot_verified', status: 'ok' },
      orderBy: { startedAt: 'desc' },
      take: limit,
      select: { result: true },
    });
    return rows
      .map(
        (r) =>
          (r.result as { reboot?: { lastRebootDurationSeconds?: number } } | null)?.reboot?.lastRebootDurationSeconds,
      )
      .filter((v): v is number => typeof v === 'number');
  }
}
