/** Answer shapes of the terminal routes (ADR 0043); the gateway answers them from `@su/db` views (ADR 0019). */
export interface TerminalSettings {
  enabled: boolean;
  idleTimeoutSeconds: number;
  maxDurationSeconds: number;
  logInput: boolean;
}

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
  openedAt: string;
  closedAt: string | null;
  durationMs: number | null;
}

export interface TerminalCommandView {
  seq: number;
  line: string | null;
  hidden: boolean;
  enteredAt: string;
}

/** What the gateway sends as JSON text frames (the shell's output comes as binary frames). */
export type TerminalServerMessage =
  | { type: 'opened'; sessionId: string; inputLogging: boolean; idleTimeoutSeconds: number; maxDurationSeconds: number }
  | { type: 'error'; errorKind: string; message: string }
  | { type: 'closed'; reason: string };
