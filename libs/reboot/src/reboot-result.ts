// Local copy of seed 004 §4 `RebootResult` until `rebootResultSchema` lands in @su/contracts (then this file goes and
// the types come from there; the field names and meanings below must stay exactly those of the seed).

export type RebootStatus =
  'ok' | 'reboot_command_failed' | 'ssh_never_went_down' | 'machine_did_not_return' | 'boot_id_unchanged' | 'timeout';

/** Seed 004 `SnapshotError`: `message` is already redacted by the SSH session and never carries a secret. */
export interface RebootError {
  source: 'apt' | 'docker' | 'post_install' | 'ssh' | 'system';
  kind: string;
  severity: 'info' | 'warning' | 'error';
  message: string;
  remediation?: string;
  importantLines?: string[];
}

export interface RebootResult {
  beforeBootId: string | null;
  afterBootId: string | null;
  /** ISO 8601: when the reboot command was sent. */
  requestedAt: string;
  /** ISO 8601: when the loss of SSH was seen (precision: the down-detection poll interval). */
  sshWentDownAt: string | null;
  /** ISO 8601: when a new, host-key-verified and authenticated SSH session was open again. */
  sshCameBackAt: string | null;
  /** From requestedAt to the end of the verification, whatever the status. */
  waitedSeconds: number;
  status: RebootStatus;
  /** sshCameBackAt − sshWentDownAt: how long this machine was unreachable (only when it came back). */
  lastRebootDurationSeconds?: number;
  /** `recommendedWaitSeconds` over the previous durations plus this one; the next `maxWaitSeconds`. */
  nextRecommendedWaitSeconds?: number;
  errors?: RebootError[];
}
