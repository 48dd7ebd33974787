import type { AppConfig } from '@su/config';
import { openJobConnection, type MachineConnector, type OpenedMachine } from '@su/machine-access';
import type { CommandResult, RunOptions } from '@su/ssh';

export interface DockerJobSession {
  opened: OpenedMachine;
  /** Runs argv with the job's sudo rule (Docker's socket is root's), as APT's commands do. */
  docker: (argv: readonly string[], opts?: RunOptions) => Promise<CommandResult>;
}

/** Opens the job's one connection with its raw log (redacted) under the data directory. */
export async function openDockerSession(
  connector: MachineConnector,
  config: AppConfig,
  machineId: string,
  jobId: string,
  purpose: string,
  signal: AbortSignal,
): Promise<DockerJobSession> {
  const opened = await openJobConnection(connector, config.dataDir, { machineId, jobId, purpose });
  return {
    opened,
    docker: (argv, opts = {}) =>
      opened.session.run([...argv], {
        sudo: true,
        timeoutMs: 10 * 60_000,
        maxOutputBytes: 64 * 1024 * 1024,
        signal,
        ...opts,
      }),
  };
}
