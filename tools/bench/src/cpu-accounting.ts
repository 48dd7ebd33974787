import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/*
 * CPU seconds spent by groups of processes, read from /proc (Linux), for benchmarks on a shared host: a wall time
 * moves with the other tenants' load, the CPU a path costs much less. A process's figure is its own user + system
 * time plus that of the children it reaped (cutime, cstime), so the sum over the live processes of a group counts
 * every process that ever ran in it, as long as it was reaped inside the group.
 */

/** Linux's USER_HZ, the unit of /proc/<pid>/stat times (100 on every architecture Node runs on). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in seconds. */
  cpu: number;
}

function readStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split after the last ')'.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const tick = (i: number) => Number(f[i] ?? 0);
    // After the comm: [0] state, [1] ppid, ..., [11] utime, [12] stime, [13] cutime, [14] cstime.
    return { pid, ppid: tick(1), cpu: (tick(11) + tick(12) + tick(13) + tick(14)) / TICKS_PER_SECOND };
  } catch {
    return null; // exited meanwhile
  }
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

function pidNamespace(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

/** The program's name: the base name of argv[0] (a server's backends rename theirs, e.g. `postgres: user db …`). */
function programName(pid: number): string {
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return argv0.startsWith('/') ? argv0.slice(argv0.lastIndexOf('/') + 1) : argv0;
  } catch {
    return '';
  }
}

/**
 * CPU of `root`'s descendants (not `root` itself), e.g. the database server a benchmark started; with `command`, only
 * those whose program name starts with it (`postgres`: the server and its backends, not the bench's workers).
 */
export function descendantsCpu(root: number, command?: string): number {
  const stats = pids()
    .map(readStat)
    .filter((s): s is ProcStat => s !== null);
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  const under = (s: ProcStat): boolean => {
    for (let p = s.ppid, hops = 0; p > 1 && hops < 64; hops++) {
      if (p === root) return true;
      p = byPid.get(p)?.ppid ?? 0;
    }
    return false;
  };
  return stats
    .filter((s) => under(s) && (command === undefined || programName(s.pid).startsWith(command)))
    .reduce((sum, s) => sum + s.cpu, 0);
}

/** CPU of every process in the PID namespace of `initPid` (a lab machine: its sshd, sudo, apt, dpkg). */
export function namespaceCpu(initPid: number): number {
  const ns = pidNamespace(initPid);
  if (!ns) return 0;
  return pids()
    .filter((p) => pidNamespace(p) === ns)
    .map(readStat)
    .reduce((sum, s) => sum + (s?.cpu ?? 0), 0);
}

/** CPU of the live processes whose command line contains `marker` (e.g. SSH control masters by their socket path). */
export function commandLineCpu(marker: string): number {
  let sum = 0;
  for (const p of pids()) {
    try {
      if (!readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker)) continue;
    } catch {
      continue;
    }
    sum += readStat(p)?.cpu ?? 0;
  }
  return sum;
}

/** This process's own CPU (threads included) and that of the children it has reaped (spawnSync's), in seconds. */
export function selfCpu(): { own: number; reapedChildren: number } {
  const s = readFileSync('/proc/self/stat', 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  const tick = (i: number) => Number(f[i] ?? 0) / TICKS_PER_SECOND;
  return { own: tick(11) + tick(12), reapedChildren: tick(13) + tick(14) };
}
