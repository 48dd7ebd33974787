import type { HostKeyVerifier } from './host-key-verifier.ts';
import type { RawLogOptions } from './raw-log-writer.ts';
import type { SudoMode } from './sudo-invocation.ts';

// What a caller gives an SSH session and gets back from it; the session itself is in ssh-session.ts.

export interface SshTarget {
  host: string;
  port: number;
  username: string;
}

export interface SshAuth {
  password?: string;
  /** OpenSSH or PEM private key text. */
  privateKey?: string;
  passphrase?: string;
}

export interface SshTimeouts {
  /** TCP connect + key exchange + host key verification + authentication, all together. */
  connectMs: number;
  /** Total time of one command. */
  commandMs: number;
  /** Longest silence (no stdout/stderr) of one command. */
  idleOutputMs: number;
}

export const DEFAULT_TIMEOUTS: SshTimeouts = { connectMs: 10_000, commandMs: 60 * 60_000, idleOutputMs: 15 * 60_000 };
export const DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * Curve25519 only. ssh2's defaults include diffie-hellman-group-exchange, whose modular exponentiation runs on the
 * main thread and blocks the event loop for seconds; every OpenSSH since 6.5 (2014) speaks curve25519.
 */
export const KEX_ALGORITHMS = ['curve25519-sha256', 'curve25519-sha256@libssh.org'] as const;

export interface ConnectOptions {
  target: SshTarget;
  auth: SshAuth;
  verifyHostKey: HostKeyVerifier;
  timeouts?: Partial<SshTimeouts>;
  keepaliveIntervalMs?: number;
  sudo?: { mode: SudoMode; password?: string };
  /** Extra strings to redact from results, errors and the raw log (the auth and sudo secrets are always redacted). */
  secrets?: string[];
  rawLog?: RawLogOptions;
}

export interface RunOptions {
  sudo?: boolean;
  stdin?: string;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /** stdout + stderr bytes after which the command is stopped (`output_too_large`). */
  maxOutputBytes?: number;
  /** Not supported on purpose: secrets must never travel in the environment of a remote command. */
  env?: never;
  /**
   * Strings to redact from this command's output, result and raw log, besides the session's own (a post-install
   * script's secret values: the session may be a kept one that never knew them).
   */
  secrets?: string[];
  /** Output as it arrives (redacted per chunk, sudo's markers removed), e.g. for progress; the result is unchanged. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

export interface CommandResult {
  /** null when the command was killed by a signal. */
  exitCode: number | null;
  signal: string | null;
  /** Redacted. */
  stdout: string;
  /** Redacted, without sudo's prompt. */
  stderr: string;
  durationMs: number;
  /** Always false for a returned result (a capped command raises `output_too_large`); kept for the raw log view. */
  truncated: boolean;
}
