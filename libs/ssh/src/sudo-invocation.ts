import { randomBytes } from 'node:crypto';
import type { SshErrorKind } from './ssh-error.ts';

/** How commands get root: the login's password, a separate password, NOPASSWD (`sudo -n`), or a root login. */
export type SudoMode = 'same_as_ssh' | 'separate' | 'none' | 'root';

/**
 * The one rule for which password sudo gets: the login's password (`same_as_ssh`), sudo's own password (`separate`),
 * or none (`none`: NOPASSWD, `root`: no sudo at all).
 */
export function sudoPasswordFor(mode: SudoMode, passwords: { login?: string | undefined; own?: string | undefined }) {
  if (mode === 'same_as_ssh') return passwords.login ?? null;
  if (mode === 'separate') return passwords.own ?? null;
  return null;
}

/**
 * How `sudo` is invoked for one session.
 *
 * With a password: `sudo -S -p <prompt-marker> -- sh -c '<ready>' <ready-marker> <argv...>`.
 * - `-S` reads the password from stdin; the session writes it only after the prompt marker shows up on stderr, so a
 *   NOPASSWD rule never receives the password as the command's stdin.
 * - A second prompt means the password was wrong (sudo asks again): the session ends stdin at once, sudo fails with
 *   "no password was provided", and the result is `sudo_failed` within a round trip instead of a hang.
 * - The tiny `sh -c` prints the ready marker on stderr right before `exec`ing the command. Only then is the command's
 *   own stdin written and closed, and any failure before it is unambiguously sudo's, not the command's.
 * Without a password (`none`, or no password known): `sudo -n` never prompts, it fails fast ("a password is required").
 * Both markers are random per session, never shown to the user (stripped from stderr), and not secret.
 */
export interface SudoInvocation {
  prefix: string[];
  /** null: sudo never reads a password (-n, or root). */
  password: string | null;
  promptMarker: string | null;
  readyMarker: string | null;
}

// `$0` is the ready marker: printed without a newline so it can be stripped exactly; `exec` keeps the PID and signals.
const READY_SCRIPT = 'printf %s "$0" >&2; exec "$@"';

export function sudoInvocation(mode: SudoMode, password: string | null | undefined): SudoInvocation {
  if (mode === 'root') return { prefix: [], password: null, promptMarker: null, readyMarker: null };
  const id = randomBytes(8).toString('hex');
  const readyMarker = `<su-sudo-ready-${id}>`;
  const ready = ['sh', '-c', READY_SCRIPT, readyMarker];
  if (mode === 'none' || !password)
    return { prefix: ['sudo', '-n', '--', ...ready], password: null, promptMarker: null, readyMarker };
  // `%` starts an escape in sudo prompts; the marker has none.
  const promptMarker = `<su-sudo-prompt-${id}>`;
  return { prefix: ['sudo', '-S', '-p', promptMarker, '--', ...ready], password, promptMarker, readyMarker };
}

export interface SudoFailure {
  kind: Extract<SshErrorKind, 'sudo_failed' | 'sudo_requires_tty'>;
  message: string;
  remediation?: string;
}

/**
 * Classifies what sudo printed when it exited before running the command (the ready marker never appeared).
 * Messages are sudo's own (English; the session runs commands without a translated locale in the lab, and the
 * patterns below are the ones sudo 1.8/1.9 print).
 */
export function classifySudoFailure(stderr: string, opts: { wrongPasswordSeen?: boolean } = {}): SudoFailure {
  if (/a terminal is required|no tty present|must have a tty/i.test(stderr))
    return {
      kind: 'sudo_requires_tty',
      message: 'sudo requires a terminal (requiretty) or a password it cannot ask for',
    };
  if (/not in the sudoers file|is not allowed to (run|execute)|may not run sudo/i.test(stderr))
    return {
      kind: 'sudo_failed',
      message: 'The account is not allowed to use sudo on this machine',
      remediation:
        'Add the account to the sudo group or give it a rule in /etc/sudoers.d/ (e.g. `admin ALL=(ALL:ALL) ALL`), or use another account.',
    };
  if (opts.wrongPasswordSeen || /incorrect password|Sorry, try again|no password was provided/i.test(stderr))
    return {
      kind: 'sudo_failed',
      message: 'sudo rejected the password',
      remediation: 'Update the stored sudo password (or the sudo mode if sudo uses a different password than SSH).',
    };
  if (/a password is required/i.test(stderr))
    return {
      kind: 'sudo_failed',
      message: 'sudo needs a password but none is configured (sudo mode NOPASSWD)',
      remediation: 'Store the sudo password (sudo mode "same as SSH" or "separate"), or allow the account NOPASSWD.',
    };
  return { kind: 'sudo_failed', message: 'sudo failed before running the command' };
}
