import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childProcessEnv, SERVICE_NODE_ARGS } from '@su/config';

/** Resident memory of a process in MB, from /proc (0 once it is gone). */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc (0 once it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks (100/s).
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * One service process as the launcher runs it (the built dist/apps/<service>/main.js, its own Node process; the
 * apt-worker unless told), with its RSS sampled every 200 ms for as long as it lives.
 */
export class WorkerProcess {
  maxRssMb = 0;
  /** RSS when it was ready (idle), and CPU seconds used by its last sample. */
  readonly readyRssMb: number;
  cpuSeconds = 0;
  private readonly sampler: NodeJS.Timeout;

  /** Set when the process ended without being asked to (a crash): its exit and its last output. */
  died: string | null = null;
  private stopping = false;

  private constructor(
    readonly child: ChildProcess,
    readonly pid: number,
    readonly lastOutput: () => string,
  ) {
    this.readyRssMb = rssMb(pid);
    this.sampler = setInterval(() => {
      this.maxRssMb = Math.max(this.maxRssMb, rssMb(pid));
      this.cpuSeconds = cpuSeconds(pid) || this.cpuSeconds;
    }, 200);
    child.once('exit', (code, signal) => {
      clearInterval(this.sampler);
      if (this.stopping) return;
      this.died = `pid ${pid} exited (${signal ?? code}) unasked; its last output: ${this.lastOutput().slice(-1500)}`;
      console.error(`  ${this.died}`);
    });
  }

  /**
   * Started and working (for a worker: it logged its queues; else it logged `ready`), or rejected with its output
   * when it dies first.
   */
  static start(
    root: string,
    env: Record<string, string>,
    service = 'apt-worker',
    nodeArgs: readonly string[] = [],
  ): Promise<WorkerProcess> {
    const ready = service === 'apt-worker' ? 'consuming' : `${service} ready`;
    const child = spawn(
      process.execPath,
      [
        ...SERVICE_NODE_ARGS,
        // SU_BENCH_CPU_PROF=<dir>: each process writes a V8 CPU profile there when it exits (where a job's CPU goes).
        ...(process.env.SU_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SU_BENCH_CPU_PROF}`] : []),
        // SU_BENCH_NODE_ARGS: more Node options for these processes (V8 heap settings tried against the RSS target).
        ...(process.env.SU_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        ...nodeArgs,
        join(root, `dist/apps/${service}/main.js`),
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: childProcessEnv(env) },
    );
    let out = '';
    const { stdout, stderr, pid } = child;
    return new Promise((resolve, reject) => {
      if (!stdout || !stderr || pid === undefined) return reject(new Error(`${service} did not start`));
      // Its output is read (and the last 4 kB kept) for as long as it runs, so a chatty worker never blocks on a pipe.
      let started = false;
      const onData = (b: Buffer) => {
        out = (out + b.toString('utf8')).slice(-4000);
        // SU_BENCH_SERVICE_LOG=<file>: every line the processes write, kept (with --trace-gc: where the memory goes).
        if (process.env.SU_BENCH_SERVICE_LOG) appendFileSync(process.env.SU_BENCH_SERVICE_LOG, b);
        if (!started && out.includes(ready)) {
          started = true;
          resolve(new WorkerProcess(child, pid, () => out));
        }
      };
      stdout.on('data', onData);
      stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${service} exited (${code}) before it was ready: ${out}`)));
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
    this.stopping = true;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.kill(sig);
    return gone;
  }
}
