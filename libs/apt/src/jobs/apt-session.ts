import { join } from 'node:path';
import type { AppConfig } from '@su/config';
import type { Actor } from '@su/contracts';
import type { MachineConnector, OpenedMachine } from '@su/machine-access';
import type { CommandResult, RunOptions } from '@su/ssh';

/** stdout and stderr together, as a person reading the terminal would see them (apt writes E:/W: on stderr). */
export function combined(r: CommandResult): string {
  return r.stderr ? `${r.stdout}\n${r.stderr}` : r.stdout;
}

export interface AptJobSession {
  opened: OpenedMachine;
  run: (argv: readonly string[], opts?: RunOptions) => Promise<CommandResult>;
}

/** Opens the job's one connection with its raw log (redacted) under the data directory. */
export async function openAptSession(
  connector: MachineConnector,
  config: AppConfig,
  machineId: string,
  jobId: string,
  purpose: string,
  signal: AbortSignal,
): Promise<AptJobSession> {
  const actor: Actor = { type: 'system', id: `job:${jobId}` };
  const rawLog = {
    path: join(config.dataDir, 'artifacts', 'raw', machineId, `${jobId}.log`),
    maxBytes: 32 * 1024 * 1024,
  };
  const opened = await connector.open(machineId, { actor, purpose, jobId, rawLog, reuse: true });
  return {
    opened,
    run: (argv, opts = {}) => opened.session.run([...argv], { signal, ...opts }),
  };
}
