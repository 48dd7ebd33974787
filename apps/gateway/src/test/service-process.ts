import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { childProcessEnv } from '@su/config';

const root = new URL('../../../..', import.meta.url).pathname;
const NODE_ARGS = ['--disable-warning=ExperimentalWarning'];

/** Builds the bundles of these apps (`dist/apps/<app>/main.js`), as `npm start` runs them. */
export function buildApps(...apps: string[]): void {
  const build = spawnSync(process.execPath, [join(root, 'tools/build/build.mjs'), ...apps], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(build.status, build.stderr).toBe(0);
}

/**
 * One of the product's services in its own process (the bundled `dist/apps/<app>/main.js`), on the environment given
 * (DATABASE_URL, SU_DATA_DIR, TMPDIR for its heartbeat file...). Its output is kept for a failing test to print.
 */
export class ServiceProcess {
  readonly output: string[] = [];
  private readonly exited: Promise<void>;

  private constructor(
    readonly app: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout!.on('data', (d: Buffer) => this.output.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => this.output.push(d.toString()));
    this.exited = new Promise((r) => child.once('exit', () => r()));
  }

  /** `args` go to the program (the database tool's command). */
  static start(app: string, env: Record<string, string>, args: string[] = []): ServiceProcess {
    const child = spawn(process.execPath, [...NODE_ARGS, join(root, `dist/apps/${app}/main.js`), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childProcessEnv(env),
    });
    return new ServiceProcess(app, child);
  }

  /** Starts it and waits for its "ready" line (runService logs it once the service is up). */
  static async started(app: string, env: Record<string, string>, timeoutMs = 120_000): Promise<ServiceProcess> {
    const p = ServiceProcess.start(app, env);
    await p.waitFor(new RegExp(`${app} ready \\(pid`), timeoutMs);
    return p;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitFor(line: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!line.test(this.output.join(''))) {
      if (!this.running || Date.now() > deadline)
        throw new Error(`${this.app} (pid ${this.pid}) never printed ${line}:\n${this.output.join('')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  /** Ends it by its PID (SIGTERM: a clean shutdown; SIGKILL: a crash) and waits for it to exit. */
  async stop(sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    this.child.kill(sig);
    await this.exited;
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run db -- <args>` as its bundle runs it, to its exit. */
export function runDbCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  const child = spawn(process.execPath, [...NODE_ARGS, join(root, 'dist/apps/db-cli/main.js'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childProcessEnv(env),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
