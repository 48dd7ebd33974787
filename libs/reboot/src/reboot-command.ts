import { SshError, type SshSession } from '@su/ssh';

/** What verifiedReboot needs from an SSH session (a structural subset, so tests can use small fakes). */
export type RebootSession = Pick<SshSession, 'run' | 'runScript' | 'close'>;

/** Printed by the script once the reboot is scheduled; its absence with exit 0 means something else ran. */
export const REBOOT_SCHEDULED_MARKER = 'su-reboot-scheduled';

/**
 * Schedules the reboot ~1 s ahead and returns at once, so the exit status reaches us before the connection dies and a
 * failure (no sudo, no reboot command) is told apart from "the machine is going down". Run as root (through sudo).
 *
 * - systemd (Debian, Ubuntu, Proxmox VE, Raspberry Pi OS, systemd LXC guests): a transient timer runs `systemctl
 *   reboot` outside our SSH session. Plain `systemctl reboot` may tear sshd down before its own exit status is sent;
 *   `AccuracySec` because a timer's default accuracy is one minute; absolute path because systemd-run < 233 does not
 *   search PATH. If systemd-run fails, the generic way below is tried.
 * - anything else (sysvinit, busybox, the lab's init): `reboot` in a new session (setsid; nohup where setsid is
 *   missing) with every descriptor detached, so it survives the end of our channel and the channel can close.
 */
export const REBOOT_SCRIPT = `set -u
if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1 && command -v systemctl >/dev/null 2>&1; then
  if systemd-run --quiet --on-active=1 --timer-property=AccuracySec=100ms "$(command -v systemctl)" reboot; then
    echo "${REBOOT_SCHEDULED_MARKER} systemd-run"; exit 0
  fi
  echo "systemd-run failed; falling back to a detached reboot" >&2
fi
cmd=$(command -v reboot) || cmd=$(command -v shutdown) || { echo "no reboot or shutdown command found" >&2; exit 127; }
case "$cmd" in */shutdown) set -- -r now ;; *) set -- ;; esac
if command -v setsid >/dev/null 2>&1; then
  setsid sh -c 'sleep 1; exec "$@"' sh "$cmd" "$@" </dev/null >/dev/null 2>&1 &
else
  nohup sh -c 'sleep 1; exec "$@"' sh "$cmd" "$@" </dev/null >/dev/null 2>&1 &
fi
echo "${REBOOT_SCHEDULED_MARKER} detached"
`;

export type IssueOutcome =
  /** The script said the reboot is scheduled. */
  | { kind: 'scheduled'; method: string }
  /** The connection died while the command ran: the usual sign that the reboot already started. */
  | { kind: 'connection_dropped'; error: SshError }
  /** The request was refused (sudo, exit status): the machine is not going down because of us. */
  | { kind: 'failed'; errorKind: string; message: string; remediation?: string }
  /** The command neither finished nor failed clearly (timeout): only watching SSH can tell. */
  | { kind: 'uncertain'; errorKind: string; message: string };

/** Sends the reboot request through sudo; never throws for a remote failure (it is an outcome). */
export async function issueReboot(session: RebootSession, timeoutMs: number): Promise<IssueOutcome> {
  try {
    // On stdin (`sh -s`) rather than `sh -c`: errors and the raw log then name a short command, not the whole script.
    const r = await session.runScript(REBOOT_SCRIPT, { sudo: true, timeoutMs, idleTimeoutMs: timeoutMs });
    const line = r.stdout.split('\n').find((l) => l.startsWith(REBOOT_SCHEDULED_MARKER));
    if (r.exitCode === 0 && line)
      return { kind: 'scheduled', method: line.slice(REBOOT_SCHEDULED_MARKER.length).trim() };
    const why = r.exitCode === null ? `killed by signal ${r.signal ?? '?'}` : `exit status ${r.exitCode}`;
    const stderr = r.stderr.trim();
    return {
      kind: 'failed',
      errorKind: 'command_failed',
      message: `The reboot command failed (${why})${stderr ? `: ${stderr.slice(0, 500)}` : ''}`,
    };
  } catch (e) {
    if (!(e instanceof SshError)) throw e;
    if (e.errorKind === 'unreachable') return { kind: 'connection_dropped', error: e };
    if (e.errorKind === 'timeout') return { kind: 'uncertain', errorKind: e.errorKind, message: e.message };
    return { kind: 'failed', errorKind: e.errorKind, message: e.message, remediation: e.remediation };
  }
}
