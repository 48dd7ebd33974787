import { readFile } from 'node:fs/promises';
import { Inject, Injectable } from '@nestjs/common';
import {
  resolveMaintenanceOptions,
  type Actor,
  type JobResult,
  type MaintenancePart,
  type MaintenancePartState,
  type MaintenanceRunStatus,
} from '@su/contracts';
import {
  Database,
  ExecutionsRepository,
  MachinesRepository,
  MaintenanceRunsRepository,
  ReportsRepository,
  type Tx,
} from '@su/db';
import {
  ClassifiedError,
  JobOutcomeRecorder,
  JobsService,
  machineJob,
  type JobContext,
  type JobHandler,
} from '@su/platform';
import { renderMaintenanceReport } from './maintenance-report.ts';
import { MaintenanceRun } from './maintenance-run.ts';
import { PartJobs } from './part-jobs.ts';

/**
 * machine.maintenance (issue 14, ADR 0031): the run's job holds the machine's lock from its first part to its last;
 * each part's jobs run as its children under that lock, on whichever worker owns their kind. The run ends with one
 * execution linking the parts' executions, one combined report and one event.
 */
@Injectable()
export class MaintenanceRunHandler implements JobHandler<'machine.maintenance'> {
  readonly kind = 'machine.maintenance' as const;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(JobOutcomeRecorder) private readonly outcomes: JobOutcomeRecorder,
  ) {}

  async handle(ctx: JobContext<'machine.maintenance'>): Promise<JobResult<'machine.maintenance'>> {
    const { machineId, jobId, actor } = machineJob(ctx);
    const options = resolveMaintenanceOptions(ctx.message.payload.options);
    const approved = ctx.message.payload.approvedPlan ?? null;
    const startedAt = new Date().toISOString();
    const executionId = await new ExecutionsRepository(this.db.prisma).start({
      machineId,
      action: 'maintenance',
      mode: approved ? 'approved' : 'manual',
      jobId,
    });
    const runs = new MaintenanceRunsRepository(this.db.prisma);
    const run = new MaintenanceRun({
      db: this.db,
      parts: new PartJobs(this.db, this.jobs, { jobId, machineId, actor }),
      jobId,
      machineId,
      options,
      approved,
      signal: ctx.signal,
      saved: (p) => runs.progress(jobId, p.parts, p.current),
    });
    await runs.insert({ jobId, machineId, options, parts: run.progress.parts });
    const interrupted = await runToEnd(run);
    if (run.plan) await runs.setPlan(jobId, run.plan);
    const end = endOf(run, interrupted);
    await this.record(
      { machineId, jobId, actor, executionId, startedAt, approvedHash: approved?.hash ?? null },
      run,
      end,
    );
    if (interrupted) throw interrupted;
    if (end.errorKind) throw new ClassifiedError(end.errorKind, end.errorMessage ?? end.status);
    return { executionId, status: end.status, parts: end.summary };
  }

  /** The run's execution, its combined report, its row and its event, in one transaction. */
  private async record(r: RunIds, run: MaintenanceRun, end: RunEnd): Promise<void> {
    const { machineId, jobId, executionId, startedAt } = r;
    const machine = await new MachinesRepository(this.db.prisma).findView(machineId);
    const name = machine?.name ?? machineId;
    const markdown = renderMaintenanceReport({
      machineName: name,
      status: end.status,
      options: run.options,
      plan: run.plan,
      approvedHash: r.approvedHash,
      parts: run.progress.parts,
      jobReports: await this.partReports(machineId, run.progress.parts),
      startedAt,
      finishedAt: new Date().toISOString(),
    });
    const { status, summary } = end;
    const ok = status === 'ok';
    await this.db.transaction((tx: Tx) =>
      this.outcomes.record(
        tx,
        {
          ...r,
          report: {
            title: `maintenance-${name}-${startedAt.slice(0, 19)}`,
            markdown,
            summary: { status, parts: summary },
          },
          execution: {
            status: ok ? 'ok' : 'error',
            result: {
              schemaVersion: 1,
              action: 'maintenance',
              status,
              planHash: run.plan?.hash ?? null,
              parts: run.progress.parts,
            },
            importantJson: { status, parts: summary },
            errorKind: end.errorKind,
            errorMessage: end.errorMessage,
          },
          event: {
            eventType: ok ? 'maintenance.finished' : 'maintenance.failed',
            severity: ok ? 'info' : 'error',
            message: `maintenance ${status}: ${summary.map((p) => `${p.part} ${p.skipReason ? `skipped (${p.skipReason})` : p.status}`).join(', ')}`,
            payload: { executionId, status },
          },
        },
        ({ reportId }) =>
          new MaintenanceRunsRepository(tx).finish(jobId, { status, parts: run.progress.parts, executionId, reportId }),
      ),
    );
  }

  /** Each part job's own report, to include in the combined one. */
  private async partReports(machineId: string, parts: MaintenancePartState[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const executions = new ExecutionsRepository(this.db.prisma);
    const reports = new ReportsRepository(this.db.prisma);
    for (const j of parts.flatMap((p) => p.jobs)) {
      const e = j.executionId ? await executions.find(j.executionId) : null;
      const r = e?.reportId ? await reports.find(machineId, e.reportId) : null;
      const md = r && (await readFile(r.path, 'utf8').catch(() => null));
      if (md) out.set(j.jobId, md);
    }
    return out;
  }
}

interface RunIds {
  machineId: string;
  jobId: string;
  actor: Actor;
  executionId: string;
  startedAt: string;
  approvedHash: string | null;
}

interface RunEnd {
  status: MaintenanceRunStatus;
  summary: { part: MaintenancePart; status: string; skipReason: string | null }[];
  errorKind: string | null;
  errorMessage: string | null;
}

/** Runs every part; a cancel or the run's own lost lock interrupts it, noted on the part in progress. */
async function runToEnd(run: MaintenanceRun): Promise<Error | null> {
  try {
    await run.run();
    return null;
  } catch (e) {
    const part = run.progress.current;
    if (part) run.progress.note(part, `interrupted: ${(e as Error).message}`);
    return e as Error;
  }
}

/** How the run ended, and the error its job ends with (the failing part's kind, or the run's status). */
function endOf(run: MaintenanceRun, interrupted: Error | null): RunEnd {
  const status = interrupted && run.progress.status() === 'ok' ? 'cancelled' : run.progress.status();
  const failure = run.progress.failure();
  const summary = run.progress.parts.map((p) => ({ part: p.part, status: p.status, skipReason: p.skipReason }));
  if (status === 'ok') return { status, summary, errorKind: null, errorMessage: null };
  return {
    status,
    summary,
    errorKind: status === 'error' ? (failure?.errorKind ?? 'error') : status,
    errorMessage: failure
      ? `stopped at the ${failure.part} part: ${failure.message}`
      : (interrupted?.message ?? status),
  };
}
