/**
 * Claims waiting for a busy machine, woken as soon as a job of this process frees it. In a pass a machine's analysis
 * is mostly delivered while its probe still runs, and with one worker process that probe is a job of this very
 * process: the waiting claim then tries again the moment the probe has ended (and finds its connection kept, ADR
 * 0013), instead of at its next poll. A machine freed by another process is seen at the next poll only.
 */
export class LocalReleases {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves when a job of this process frees `machineId`, or after `ms`, whichever comes first. */
  wait(machineId: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(machineId) ?? new Set<() => void>();
      this.waiters.set(machineId, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.waiters.get(machineId) === set) this.waiters.delete(machineId);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }

  /** A job of this process has freed `machineId`: every claim waiting for it tries again. */
  released(machineId: string): void {
    for (const done of [...(this.waiters.get(machineId) ?? [])]) done();
  }

  /** A claim of this process waits for `machineId`. */
  waiting(machineId: string): boolean {
    return (this.waiters.get(machineId)?.size ?? 0) > 0;
  }
}
