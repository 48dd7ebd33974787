/**
 * The one list of a machine's status values (`machine_state.status`, and the `status` of a machine in the API, which is
 * read from it). It says whether the product can work with the machine now, from the last thing that happened:
 * - `unknown`: nothing has reached it yet (new machine, or a host key just accepted after a block);
 * - `online`: the last job that needed it reached it (a probe, an analysis, an apply, a reboot that came back);
 * - `offline`: the last attempt could not reach it (no route, timeout, refused, dropped connection);
 * - `error`: it was reached but the last job failed on it (authentication, sudo, apt, a reboot that went wrong);
 * - `blocked`: no connection is made until a person acts (for example approves a changed host key).
 */
export const MACHINE_STATUSES = ['unknown', 'online', 'offline', 'error', 'blocked'] as const;
export type MachineStatus = (typeof MACHINE_STATUSES)[number];

/** What happened to a machine that may change its status. */
export type MachineHappening =
  | { kind: 'reached' }
  | { kind: 'failed'; errorKind: string }
  | { kind: 'blocked' }
  | { kind: 'unblocked' };

/** Error kinds that mean the machine itself did not answer, as opposed to answering and failing. */
const UNREACHABLE_KINDS: ReadonlySet<string> = new Set(['unreachable', 'timeout', 'connection_refused']);

/**
 * Decides a machine's status from what just happened. The only place a status value is chosen: repositories store
 * what this returns.
 */
export function machineStatusAfter(happened: MachineHappening): MachineStatus {
  switch (happened.kind) {
    case 'reached':
      return 'online';
    case 'failed':
      return UNREACHABLE_KINDS.has(happened.errorKind) ? 'offline' : 'error';
    case 'blocked':
      return 'blocked';
    case 'unblocked':
      return 'unknown';
  }
}

/** Reads a stored status; a value this version does not know (written by a newer one) shows as `unknown`. */
export function asMachineStatus(stored: string): MachineStatus {
  return (MACHINE_STATUSES as readonly string[]).includes(stored) ? (stored as MachineStatus) : 'unknown';
}
