// The web terminal's shapes (ADR 0043), shared by the gateway's libs and the web UI.

/** Why a session ended (stored in `ssh_terminal_sessions.end_reason`). */
export type TerminalEndReason =
  | 'user_closed'
  | 'idle_timeout'
  | 'max_duration'
  | 'closed_by_admin'
  | 'remote_exit'
  | 'connection_lost'
  | 'token_ended'
  | 'gateway_stopped'
  /** The gateway holding it died without closing it (SIGKILL, crash): found by another gateway's sweep, or at start. */
  | 'gateway_lost';

/**
 * Gateway → browser JSON text frames for the session's life (`opened`, `error` before the shell starts, `closed` with
 * why); the shell's output travels as binary frames.
 */
export type TerminalServerMessage =
  | { type: 'opened'; sessionId: string; inputLogging: boolean; idleTimeoutSeconds: number; maxDurationSeconds: number }
  | { type: 'error'; errorKind: string; message: string }
  | { type: 'closed'; reason: TerminalEndReason };

/** The `app_settings` value `terminal`. */
export interface TerminalSettings {
  /** Off by default: a shell from the browser is a door an administrator opens on purpose. */
  enabled: boolean;
  /** A session with no input for this long is closed. */
  idleTimeoutSeconds: number;
  /** A session is closed this long after it opened, whatever happens in it. */
  maxDurationSeconds: number;
  /** Record the input lines of new sessions (never what is typed at a password prompt). */
  logInput: boolean;
}

/** A terminal session as the API lists it (never what was typed: that is `commands`). */
export interface TerminalSessionView {
  id: string;
  machineId: string;
  machineName: string;
  openedBy: { type: string; id: string; label: string };
  clientAddress: string | null;
  sshUsername: string;
  status: 'open' | 'closed';
  endReason: string | null;
  closedBy: string | null;
  inputLogging: boolean;
  hostKeyFingerprint: string | null;
  openedAt: string;
  closedAt: string | null;
  durationMs: number | null;
}

/** One logged input line of a session; a line typed at a password prompt is `hidden`, with no text. */
export interface TerminalCommandView {
  seq: number;
  line: string | null;
  hidden: boolean;
  enteredAt: string;
}
