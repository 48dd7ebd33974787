import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childProcessEnv } from '@su/config';

/** Resident memory of a process in MB, from /proc (0 once it is gone). */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * One apt-worker process as the launcher runs it (the built dist/apps/apt-worker/main.js, its own Node process), with
 * its RSS sampled every 200 ms for as long as it lives.
 */
export class WorkerProcess {
  maxRssMb = 0;
  private readonly sampler: NodeJS.Timeout;

  private constructor(
    readonly child: ChildProcess,
    readonly pid: number,
  ) {
    this.sampler = setInterval(() => {
      this.maxRssMb = Math.max(this.maxRssMb, rssMb(pid));
    }, 200);
    child.once('exit', () => clearInterval(this.sampler));
  }

  /** Started and consuming (it logged its queues), or rejected with its output when it dies first. */
  static start(root: string, env: Record<string, string>): Promise<WorkerProcess> {
    const child = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', join(root, 'dist/apps/apt-worker/main.js')],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: childProcessEnv(env) },
    );
    let out = '';
    const { stdout, stderr, pid } = child;
    return new Promise((resolve, reject) => {
      if (!stdout || !stderr || pid === undefined) return reject(new Error('apt-worker did not start'));
      // Its output is read (and the last 4 kB kept) for as long as it runs, so a chatty worker never blocks on a pipe.
      let ready = false;
      const onData = (b: Buffer) => {
        out = (out + b.toString('utf8')).slice(-4000);
        if (!ready && out.includes('consuming')) {
          ready = true;
          resolve(new WorkerProcess(child, pid));
        }
      };
      stdout.on('data', onData);
      stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`apt-worker exited (${code}) before consuming: ${out}`)));
    });
  }

  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  stop(): Promise<void> {
    return this.signal('SIGTERM');
  }

  private signal(sig: NodeJS.Signals): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill(sig);
    return gone;
  }
}
