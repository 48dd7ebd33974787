import type { ErrorKind } from '@su/contracts';

/** The subset of the persisted error kinds (@su/contracts) that the SSH layer produces. */
export type SshErrorKind = Extract<
  ErrorKind,
  | 'auth_failed'
  | 'host_key_unknown'
  | 'host_key_changed'
  | 'unreachable'
  | 'connection_refused'
  | 'timeout'
  | 'sudo_failed'
  | 'sudo_requires_tty'
  | 'command_failed'
  | 'output_too_large'
  | 'cancelled'
>;

/** Default remediation hints shown to a person next to the error; a caller may give a more specific one. */
export const REMEDIATIONS: Record<SshErrorKind, string> = {
  auth_failed:
    'Check the username and the stored password or private key (and its passphrase); make sure the account may log in over SSH (AllowUsers, PasswordAuthentication, authorized_keys).',
  host_key_unknown:
    'The machine presented a host key that is not trusted yet. Compare its SHA-256 fingerprint with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the machine, then approve it.',
  host_key_changed:
    'The machine presented a different host key than the one recorded. If the machine was reinstalled or its keys rotated, verify the new fingerprint with `ssh-keygen -lf` on the console and approve it; otherwise treat it as a possible man-in-the-middle.',
  unreachable:
    'No route to the machine or the connection was lost. Check that it is powered on, its address, and the network/firewall between this server and the machine.',
  connection_refused:
    'The machine answered but nothing listens on the SSH port. Check that sshd is running (`systemctl status ssh`) and the configured port.',
  timeout:
    'The machine did not answer in time. Check that it is powered on and reachable, or raise the timeout if the command is legitimately slow.',
  sudo_failed:
    'sudo refused. Check the sudo password (or the sudo mode: same as SSH, separate, NOPASSWD, root) and that the account is allowed to use sudo (`/etc/sudoers.d/`).',
  sudo_requires_tty:
    'sudo insists on a terminal (`Defaults requiretty` or no NOPASSWD with `sudo -n`). Remove requiretty for this account or allow the commands with NOPASSWD.',
  command_failed: 'The command exited with an error; see its output in the raw log.',
  output_too_large:
    'The command printed more than the allowed output size and was stopped. Raise the limit or reduce the output.',
  cancelled: 'The command was cancelled; the remote process was stopped.',
};

/**
 * A classified SSH failure. `message` is for a person and never contains secrets (callers' text is redacted by the
 * session before it is put here); `errorKind` is stored as `error_kind`.
 */
export class SshError extends Error {
  readonly errorKind: SshErrorKind;
  readonly remediation: string;

  constructor(errorKind: SshErrorKind, message: string, opts: { remediation?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'SshError';
    this.errorKind = errorKind;
    this.remediation = opts.remediation ?? REMEDIATIONS[errorKind];
  }
}

/** What the session knows about a low-level failure while connecting (a Node socket error or an ssh2 error). */
export interface ConnectFailure {
  code?: string | undefined;
  level?: string | undefined;
  message?: string | undefined;
}

/**
 * Maps a connect-time failure to an error kind. Kept separate from the session so the mapping is unit-tested:
 * socket codes from Node (`ECONNREFUSED`, ...) and ssh2's `level` field (`client-authentication`, `handshake`, ...).
 */
export function classifyConnectFailure(f: ConnectFailure): SshErrorKind {
  switch (f.code) {
    case 'ECONNREFUSED':
      return 'connection_refused';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ECONNRESET':
    case 'EPIPE':
      return 'unreachable';
  }
  switch (f.level) {
    case 'client-authentication':
      return 'auth_failed';
    case 'client-timeout':
      return 'timeout';
    case 'client-dns':
      return 'unreachable';
  }
  // ssh2 reports a denied host key as a fatal handshake error with this text; the session normally knows the verdict
  // itself and never gets here for it, this is the fallback.
  if (f.message && /Host denied/i.test(f.message)) return 'host_key_changed';
  if (f.message && /privateKey|passphrase/i.test(f.message)) return 'auth_failed';
  return 'unreachable';
}

/** A short human message per kind for connect failures, to which the session adds the target. */
export function connectFailureMessage(kind: SshErrorKind, target: string, connectMs: number): string {
  switch (kind) {
    case 'auth_failed':
      return `Authentication to ${target} failed`;
    case 'connection_refused':
      return `Connection to ${target} refused (is sshd running?)`;
    case 'timeout':
      return `No answer from ${target} within ${connectMs} ms`;
    case 'host_key_changed':
      return `Host key of ${target} does not match the recorded key; nothing was executed`;
    case 'host_key_unknown':
      return `Host key of ${target} is not trusted yet; nothing was executed`;
    default:
      return `Cannot reach ${target}`;
  }
}
