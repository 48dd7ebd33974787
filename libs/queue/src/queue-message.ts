import { parseJobPayload, type JobKind, type JobMessage } from '@su/contracts';

/**
 * Reads what pg-boss delivered on the queue of `kind` back into a message, validating its payload against the kind's
 * schema (a message written by an older or newer release must not reach a handler unchecked). Throws with the
 * pg-boss id, never the payload, when the message is malformed.
 */
export function decodeQueueMessage<K extends JobKind>(kind: K, bossId: string, raw: unknown): JobMessage<K> {
  const data = raw as Partial<JobMessage<K>> | null;
  // data.jobId is the `jobs` row; the pg-boss id equals it for the first delivery and differs for a re-queue.
  if (!data || typeof data !== 'object' || typeof data.jobId !== 'string' || data.kind !== kind) {
    throw new Error(`malformed message on queue ${kind} (pg-boss id ${bossId})`);
  }
  return {
    jobId: data.jobId,
    kind,
    machineId: typeof data.machineId === 'string' ? data.machineId : null,
    payload: parseJobPayload(kind, data.payload),
  };
}
