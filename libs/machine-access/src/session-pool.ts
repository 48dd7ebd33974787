import type { SshSession } from '@su/ssh';

interface Kept {
  key: string;
  session: SshSession;
  timer: NodeJS.Timeout;
}

/**
 * Connections kept open for a short while after a job, one per machine, so the machine's next job (the next step of
 * a schedule run, the analysis an apply queues, the next round of a fleet analysis) skips the TCP + key exchange +
 * login, as OpenSSH's ControlPersist does for Ansible. A connection is handed out only for the same address, login
 * and stored credentials (`key`), only to one job at a time (the machine lock already guarantees that), and is closed
 * when unused for `keepMs`. At most `maxKept` are kept, the oldest closed first: kept connections would otherwise
 * follow the fleet's size (a 1,000-machine pass ends with every machine's connection open for `keepMs`, about 20 MB
 * of a worker's memory; ADR 0054), while a machine's next job mostly comes within seconds, as a pass's analysis
 * follows its probe.
 */
export class SessionPool {
  /** In the order they were kept (a Map iterates in insertion order): the first is the oldest. */
  private readonly kept = new Map<string, Kept>();

  constructor(
    private readonly keepMs: number,
    private readonly maxKept = Infinity,
  ) {}

  /** The machine's kept connection if it matches `key` and is alive; it leaves the pool. A stale one is closed. */
  take(machineId: string, key: string): SshSession | null {
    const k = this.kept.get(machineId);
    if (!k) return null;
    this.kept.delete(machineId);
    clearTimeout(k.timer);
    if (k.key === key && k.session.alive) return k.session;
    void k.session.close();
    return null;
  }

  /** Keeps a connection after its job (or closes it when keeping is off or it is no longer usable). */
  put(machineId: string, key: string, session: SshSession): void {
    const old = this.kept.get(machineId);
    if (old) {
      clearTimeout(old.timer);
      if (old.session !== session) void old.session.close();
      this.kept.delete(machineId);
    }
    if (this.keepMs <= 0 || !session.alive) {
      void session.close();
      return;
    }
    const timer = setTimeout(() => {
      if (this.kept.get(machineId)?.session === session) this.kept.delete(machineId);
      void session.close();
    }, this.keepMs);
    timer.unref();
    this.kept.set(machineId, { key, session, timer });
    for (const [oldest] of this.kept) {
      if (this.kept.size <= this.maxKept) break;
      this.drop(oldest);
    }
  }

  /** Closes the machine's kept connection (it was blocked, or its credentials are being replaced). */
  drop(machineId: string): void {
    const k = this.kept.get(machineId);
    if (!k) return;
    this.kept.delete(machineId);
    clearTimeout(k.timer);
    void k.session.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.kept.values()];
    this.kept.clear();
    for (const k of all) clearTimeout(k.timer);
    await Promise.all(all.map((k) => k.session.close()));
  }

  get size(): number {
    return this.kept.size;
  }
}
