// Verified reboot (issue 5): reboot a machine over SSH and prove it (boot_id, SSH down and back, timings).
export { verifiedReboot } from './verified-reboot.ts';
export type { VerifiedRebootDeps, VerifiedRebootOptions, RebootPhase } from './verified-reboot.ts';
export {
  recommendedWaitSeconds,
  DEFAULT_WAIT_SECONDS,
  MIN_WAIT_SECONDS,
  MAX_WAIT_SECONDS,
} from './recommended-wait.ts';
export { backoffDelayMs, backoffSchedule, DEFAULT_BACKOFF } from './backoff-schedule.ts';
export type { BackoffOptions } from './backoff-schedule.ts';
export { tcpPortProbe } from './port-probe.ts';
export type { PortProbe, PortState } from './port-probe.ts';
export { REBOOT_SCRIPT, issueReboot } from './reboot-command.ts';
export type { RebootSession, IssueOutcome } from './reboot-command.ts';
export * from './jobs/reboot-verified.handler.ts';
export * from './jobs/reboot-jobs.module.ts';
