import type { Actor, JobKind, JobMessage, JobResult } from '@su/contracts';

export interface JobContext<K extends JobKind> {
  message: JobMessage<K>;
  /** Aborted when the job is cancelled or the worker stops. */
  signal: AbortSignal;
}

/** One handler per job kind, registered by the service that owns the kind (see JOB_DEFINITIONS.owner). */
export interface JobHandler<K extends JobKind = JobKind> {
  readonly kind: K;
  handle(ctx: JobContext<K>): Promise<JobResult<K>>;
}

/** An error that knows its classified kind (error_kind on the job). */
export class ClassifiedError extends Error {
  constructor(
    readonly errorKind: string,
    message: string,
    readonly remediation?: string,
  ) {
    super(message);
  }
}

/** The machine a job acts on, its id and the actor that job-side writes record; refuses a job without a machine. */
export function machineJob(ctx: { message: JobMessage }): { machineId: string; jobId: string; actor: Actor } {
  const { machineId, jobId, kind } = ctx.message;
  if (!machineId) throw new ClassifiedError('invalid_payload', `${kind} needs a machine`);
  return { machineId, jobId, actor: { type: 'system', id: `job:${jobId}` } };
}
