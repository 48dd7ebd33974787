/**
 * Classified failure kinds, stored in `error_kind` on jobs and executions. A persisted contract: add, never rename.
 */
export const ERROR_KINDS = [
  'auth_failed',
  'host_key_unknown',
  'host_key_changed',
  'unreachable',
  'connection_refused',
  'timeout',
  'sudo_failed',
  'sudo_requires_tty',
  'command_failed',
  'output_too_large',
  'cancelled',
  'apt_lock_busy',
  'dpkg_interrupted',
  'plan_drifted',
  'worker_lost',
  'invalid_payload',
  'credentials_missing',
  'reboot_command_failed',
  'ssh_never_went_down',
  'machine_did_not_return',
  'boot_id_unchanged',
  'machine_not_found',
  'internal_error',
  // Why a waiting step of a schedule run was skipped.
  'previous_step_failed',
  'window_closed',
  'approval_rejected',
  'approval_expired',
  // dpkg's package database (issue 10): reinstall-required or missing control files; the state check itself could
  // not run (never read as "clean").
  'dpkg_broken',
  'dpkg_check_failed',
  // Docker (issue 13): the machine's Docker cannot be used (never read as "no stacks"), compose refused, a recreated
  // service did not come up, a registry could not answer.
  'docker_missing',
  'docker_permission_denied',
  'docker_unexpected_output',
  'compose_failed',
  'docker_service_unhealthy',
  'stack_not_found',
  'registry_auth_failed',
  'registry_rate_limited',
  'registry_unreachable',
  'manifest_not_found',
  'registry_error',
  // Post-install (issue 15): a recipe's script (or its check) could not run or failed; the automation user's key
  // login or sudo did not work after the bootstrap created it (the old credentials were kept).
  'script_failed',
  'bootstrap_verify_failed',
  // Host metrics (issue 20): a periodic sample whose output lacked a value it must carry (never stored as zero).
  'metrics_unreadable',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];
