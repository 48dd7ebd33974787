import { context, createContextKey, type Attributes } from '@opentelemetry/api';
import { SPAN_ATTR } from './span-attributes.ts';

const JOB_KEY = createContextKey('su.job');

export interface JobTraceInfo {
  jobId: string;
  kind: string;
  machineId: string | null;
}

/**
 * Runs `fn` with the job it works for in the active context, so spans made deeper down (an SSH command, which knows
 * nothing of jobs; a kept connection serves one job after another) carry the job's kind and machine.
 */
export function withJobContext<T>(job: JobTraceInfo, fn: () => T): T {
  return context.with(context.active().setValue(JOB_KEY, job), fn);
}

/** The attributes of the job in the active context; empty outside a job or without an SDK. */
export function currentJobAttributes(): Attributes {
  const job = context.active().getValue(JOB_KEY) as JobTraceInfo | undefined;
  if (!job) return {};
  return {
    [SPAN_ATTR.jobId]: job.jobId,
    [SPAN_ATTR.jobKind]: job.kind,
    ...(job.machineId ? { [SPAN_ATTR.machineId]: job.machineId } : {}),
  };
}
