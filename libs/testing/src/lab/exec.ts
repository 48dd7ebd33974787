// Small process helpers (no dependencies).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Do not throw on a non-zero exit code. */
  allowFail?: boolean;
}

export class CommandError extends Error {
  readonly result: RunResult;
  constructor(message: string, result: RunResult) {
    super(message);
    this.result = result;
  }
}

function describe(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

/** Runs a command asynchronously and collects its output. Throws CommandError on failure unless allowFail. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) {
      timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    }
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const result = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (result.code !== 0 && !opts.allowFail) {
        reject(
          new CommandError(
            `command failed (exit ${result.code}${signal ? `, ${signal}` : ''}): ${describe(cmd, args)}\n${stderr.trim() || stdout.trim()}`,
            result,
          ),
        );
      } else {
        resolvePromise(result);
      }
    });
    child.stdin.on('error', () => undefined); // EPIPE when the command does not read its input
    child.stdin.end(opts.input ?? '');
  });
}

/** Synchronous variant for cleanup paths. Never throws. */
export function runSync(cmd: string, args: readonly string[]): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? String(r.error) : '') };
}

/**
 * Starts a daemon that outlives the caller: double-forked (via sh and setsid) so that init, not this process,
 * becomes its parent and reaps it. Returns the daemon's PID.
 */
export function spawnDaemon(cmd: string, args: readonly string[], logFile: string): number {
  const r = spawnSync(
    '/bin/sh',
    ['-c', 'log=$1; shift; setsid "$@" </dev/null >>"$log" 2>&1 & echo $!', 'sh', logFile, cmd, ...args],
    {
      encoding: 'utf8',
    },
  );
  const pid = Number.parseInt(r.stdout.trim(), 10);
  if (r.status !== 0 || !Number.isFinite(pid) || pid <= 0) throw new Error(`could not start ${cmd}: ${r.stderr}`);
  return pid;
}

export function sh(script: string, opts: RunOptions = {}): Promise<RunResult> {
  return run('/bin/sh', ['-c', script], opts);
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** True when `pid` exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
