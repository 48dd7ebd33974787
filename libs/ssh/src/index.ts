// The only place that talks SSH (docs/ARCHITECTURE.md §3: `ssh2` is imported here and nowhere else).
export { SshSession } from './ssh-session.ts';
export { DEFAULT_TIMEOUTS, DEFAULT_MAX_OUTPUT_BYTES, KEX_ALGORITHMS } from './ssh-options.ts';
export type { SshTarget, SshAuth, SshTimeouts, ConnectOptions, RunOptions, CommandResult } from './ssh-options.ts';
export { SshError, REMEDIATIONS, classifyConnectFailure } from './ssh-error.ts';
export type { SshErrorKind, ConnectFailure } from './ssh-error.ts';
export { shellQuote, quoteArg } from './shell-quote.ts';
export { hostKeyInfoFromBlob, hostKeyInfoFromPublicKey, fingerprintSha256 } from './host-key-info.ts';
export type { HostKeyInfo } from './host-key-info.ts';
export { knownHostKeyVerifier } from './host-key-verifier.ts';
export type { HostKeyVerifier, HostKeyVerdict } from './host-key-verifier.ts';
export type { InteractiveShell, TerminalSize } from './ssh-shell.ts';
export type { SudoMode } from './sudo-invocation.ts';
export type { RawLogOptions, RawLogResult } from './raw-log-writer.ts';
export * from './ssh-keygen.ts';
export { identifySsh } from './ssh-identify.ts';
export type { SshIdentity } from './ssh-identify.ts';
