import type { AppConfig } from '@su/config';
import { openJobConnection, type MachineConnector, type OpenedMachine } from '@su/machine-access';
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
  const opened = await openJobConnection(connector, config.dataDir, { machineId, jobId, purpose });
  return {
    opened,
    run: (argv, opts = {}) => opened.session.run([...argv], { signal, ...opts }),
  };
}
