import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { SERVICE_NODE_ARGS } from '@su/config';

export interface SupervisedService {
  name: string;
  script: string;
}

interface Running {
  def: SupervisedService;
  child: ChildProcess;
  restarts: number[];
}

/**
 * Runs each service as its own Node process (the same entry point a container runs), prefixes its output, restarts
 * one that crashes (at most 5 times a minute, then gives up and stops everything, so a broken start is not hidden
 * by a restart loop), and on stop sends SIGTERM to all and waits for them.
 */
export class ServiceSupervisor {
  private readonly running = new Map<string, Running>();
  private stopping = false;
  private onFatal: (reason: string) => void = () => undefined;

  constructor(
    private readonly env: Record<string, string>,
    private readonly write: (line: string) => void,
  ) {}

  start(services: SupervisedService[], onFatal: (reason: string) => void): void {
    this.onFatal = onFatal;
    for (const s of services) this.spawn(s, []);
  }

  private spawn(def: SupervisedService, restarts: number[]): void {
    const child = spawn(
      process.execPath,
      [...SERVICE_NODE_ARGS, def.script],
      {
        env: { ...this.env, SU_SERVICE_NAME: def.name, ...(process.stdout.isTTY ? {} : { NO_COLOR: '1' }) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const pad = def.name.padEnd(13);
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (l) => this.write(`${pad}| ${l}`));
    }
    const entry: Running = { def, child, restarts };
    this.running.set(def.name, entry);
    child.on('exit', (code, signal) => {
      if (this.running.get(def.name) === entry) this.running.delete(def.name);
      if (this.stopping) return;
      const now = Date.now();
      const recent = [...restarts.filter((t) => now - t < 60_000), now];
      this.write(`${pad}| exited (${signal ?? `code ${code}`})`);
      if (recent.length > 5) {
        this.onFatal(`${def.name} crashed ${recent.length} times within a minute`);
        return;
      }
      const delay = Math.min(500 * 2 ** (recent.length - 1), 8000);
      this.write(`${pad}| restarting in ${delay} ms`);
      setTimeout(() => !this.stopping && this.spawn(def, recent), delay).unref();
    });
  }

  pids(): number[] {
    return [...this.running.values()].flatMap((r) => (r.child.pid === undefined ? [] : [r.child.pid]));
  }

  /** SIGTERM to every service, SIGKILL after `graceMs` for any that has not exited. */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    const waits = [...this.running.values()].map(
      (r) =>
        new Promise<void>((resolve) => {
          if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
          const timer = setTimeout(() => r.child.kill('SIGKILL'), graceMs);
          r.child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          r.child.kill('SIGTERM');
        }),
    );
    await Promise.all(waits);
  }
}
