import { join } from 'node:path';
import type { Actor } from '@su/contracts';
import type { MachineConnector, OpenedMachine } from './machine-connector.ts';

/**
 * A job's one connection to its machine, kept for the machine's next job (ADR 0013), with the job's raw log
 * (secrets redacted) under the data directory, where the job's artifacts point.
 */
export function openJobConnection(
  connector: MachineConnector,
  dataDir: string,
  job: { machineId: string; jobId: string; purpose: string },
): Promise<OpenedMachine> {
  const { machineId, jobId, purpose } = job;
  const actor: Actor = { type: 'system', id: `job:${jobId}` };
  const rawLog = { path: join(dataDir, 'artifacts', 'raw', machineId, `${jobId}.log`), maxBytes: 32 * 1024 * 1024 };
  return connector.open(machineId, { actor, purpose, jobId, rawLog, reuse: true });
}
