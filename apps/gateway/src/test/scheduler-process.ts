import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { childProcessEnv } from '@su/config';

const root = new URL('../../../..', import.meta.url).pathname;

/**
 * The real scheduler, as `npm start` runs it: the bundled `dist/apps/scheduler/main.js` in its own process, on the
 * test's database and data directory. Its output is kept for a failing test to print; `stop()` ends it by its PID.
 */
export class SchedulerProcess {
  readonly output: string[] = [];
  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => this.output.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => this.output.push(d.toString()));
  }

  /** Builds the scheduler bundle (the tests may run before `npm run build`). */
  static build(): void {
    const build = spawnSync(process.execPath, [join(root, 'tools/build/build.mjs'), 'scheduler'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
  }

  /** Starts it; it retries for the lead every second, so a slot is not lost to a slow first election. */
  static start(databaseUrl: string, dataDir: string): SchedulerProcess {
    const child = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', join(root, 'dist/apps/scheduler/main.js')],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: childProcessEnv({ DATABASE_URL: databaseUrl, SU_DATA_DIR: dataDir, SU_LEADER_RETRY_SECONDS: '1' }),
      },
    );
    return new SchedulerProcess(child);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
