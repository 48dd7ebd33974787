import { Inject, Injectable } from '@nestjs/common';
import { machineStatusAfter, type Actor } from '@su/contracts';
import {
  ExecutionsRepository,
  MachineEventsRepository,
  MachineStateRepository,
  RawArtifactsRepository,
  type Tx,
} from '@su/db';
import type { RawLogResult } from '@su/ssh';
import { ReportWriter } from './report-writer.ts';

/** What a job that ran an execution on a machine leaves behind, as its handler words it. */
export interface JobOutcome {
  machineId: string;
  jobId: string;
  executionId: string;
  actor: Actor;
  /** The job's raw log, stored as an artifact; absent when the job keeps none (a verified reboot). */
  rawLog?: RawLogResult | null;
  report: { title: string; markdown: string; summary: object };
  execution: {
    status: string;
    result: object;
    importantJson: object;
    exitCode?: number | null;
    errorKind: string | null;
    errorMessage: string | null;
  };
  event: { eventType: string; severity: 'info' | 'warning' | 'error'; message: string; payload: object };
}

/** The rows the outcome made, for the handler's own records that point at them. */
export interface RecordedOutcome {
  rawArtifactId: string | null;
  reportId: string;
}

/**
 * The one way a handler records its job's outcome (APT applies, the dpkg repair, the verified reboot), inside the
 * caller's transaction and in this order: the raw log artifact, the report, the finished execution (pointing at
 * both), then the handler's own records (`details`: derived rows, machine state, messages), then the machine event.
 */
@Injectable()
export class JobOutcomeRecorder {
  constructor(@Inject(ReportWriter) private readonly reports: ReportWriter) {}

  async record(tx: Tx, o: JobOutcome, details?: (ids: RecordedOutcome) => Promise<void>): Promise<RecordedOutcome> {
    const { machineId, jobId, executionId } = o;
    const rawArtifactId =
      o.rawLog === undefined ? null : await new RawArtifactsRepository(tx).insertRawLog(machineId, jobId, o.rawLog);
    const reportId = await this.reports.write(tx, { machineId, executionId, kind: 'machine', ...o.report });
    await new ExecutionsRepository(tx).finish(executionId, { ...o.execution, rawArtifactId, reportId });
    const ids = { rawArtifactId, reportId };
    if (details) await details(ids);
    await new MachineEventsRepository(tx).insert({ machineId, jobId, actor: o.actor, ...o.event });
    return ids;
  }

  /** A failed job leaves its error on the machine's state, with the status that failure means (contracts). */
  async recordFailure(tx: Tx, machineId: string, failure: { errorKind: string; message: string }): Promise<void> {
    const status = machineStatusAfter({ kind: 'failed', errorKind: failure.errorKind });
    await new MachineStateRepository(tx).recordError(machineId, failure.errorKind, failure.message, status);
  }
}
