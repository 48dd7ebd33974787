import { spawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface AptWorkerChild {
  child: ChildProcess;
  /** The id it writes on the jobs it runs (`jobs.worker_id`). */
  workerId: string;
  /** SIGKILL (a worker that dies without a word), resolved once it is gone. */
  kill: () => Promise<void>;
}

/** The built apt-worker (dist/apps/apt-worker/main.js) as its own process, resolved once it consumes its queues. */
export function spawnAptWorker(root: string, env: Record<string, string>): Promise<AptWorkerChild> {
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(root, 'dist/apps/apt-worker/main.js')],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    },
  );
  let out = '';
  let ready = false;
  return new Promise((resolve, reject) => {
    const onData = (b: Buffer) => {
      out = (out + b.toString('utf8')).slice(-4000);
      if (ready || !out.includes('consuming')) return;
      ready = true;
      resolve({
        child,
        // As the job runner names its worker (libs/platform/src/job-runner.ts): service, host, pid.
        workerId: `apt-worker:${hostname()}:${child.pid}`,
        kill: () => {
          if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
          const gone = new Promise<void>((r) => child.once('exit', () => r()));
          child.kill('SIGKILL');
          return gone;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      if (!ready) reject(new Error(`apt-worker exited (${code}) before consuming: ${out}`));
    });
  });
}
