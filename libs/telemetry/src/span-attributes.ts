/**
 * The attribute keys our spans carry: a contract with whoever reads the traces. Values are ids, kinds and codes only —
 * never a secret, a command's output, or a command line (arguments may name things a person typed).
 */
export const SPAN_ATTR = {
  service: 'su.service',
  jobId: 'su.job.id',
  jobKind: 'su.job.kind',
  machineId: 'su.machine.id',
  errorKind: 'su.error.kind',
  exitCode: 'su.ssh.exit_code',
  /** The program a command runs (argv[0], or `sh` for a script sent on stdin), never its arguments. */
  program: 'su.ssh.program',
  sudo: 'su.ssh.sudo',
} as const;

/** The error kind of a failure, as the product classifies it (`errorKind` on our errors), else `internal_error`. */
export function errorKindOf(e: unknown): string {
  const kind = (e as { errorKind?: unknown } | null)?.errorKind;
  return typeof kind === 'string' && /^[a-z0-9_]{1,64}$/.test(kind) ? kind : 'internal_error';
}
