import { z } from 'zod';

// The locked maintenance run (issue 14, ADR 0031): what a person chooses, the parts it is made of, and why a part
// did not run. One vocabulary, read by the worker that runs it, the API that shows it and the report.

export const MAINTENANCE_APT_MODES = ['upgrade', 'dist_upgrade', 'none'] as const;
export const MAINTENANCE_REBOOT_MODES = ['if_required', 'always', 'never'] as const;
export const MAINTENANCE_PRUNE_MODES = ['none', 'safe', 'aggressive'] as const;
export const MAINTENANCE_FAILURE_POLICIES = ['stop', 'continue'] as const;

/** What a maintenance run does; every field has a default, so `{}` is the usual patch night. */
export const maintenanceOptionsSchema = z.strictObject({
  apt: z.enum(MAINTENANCE_APT_MODES).optional(),
  reboot: z.enum(MAINTENANCE_REBOOT_MODES).optional(),
  /** Apply the image updates of the machine's enabled stacks. */
  docker: z.boolean().optional(),
  prune: z.enum(MAINTENANCE_PRUNE_MODES).optional(),
  autoremove: z.boolean().optional(),
  clean: z.boolean().optional(),
  /** `stop` (default): the first failing part skips the later ones; `continue` runs them anyway. */
  failurePolicy: z.enum(MAINTENANCE_FAILURE_POLICIES).optional(),
});
export type MaintenanceOptions = z.infer<typeof maintenanceOptionsSchema>;
export type ResolvedMaintenanceOptions = Required<MaintenanceOptions>;

export function resolveMaintenanceOptions(o: MaintenanceOptions = {}): ResolvedMaintenanceOptions {
  return {
    apt: o.apt ?? 'upgrade',
    reboot: o.reboot ?? 'if_required',
    docker: o.docker ?? true,
    prune: o.prune ?? 'safe',
    autoremove: o.autoremove ?? false,
    clean: o.clean ?? false,
    failurePolicy: o.failurePolicy ?? 'stop',
  };
}

/** The parts of a run, in the order they run; `plan` is the fresh analysis and registry check. */
export const MAINTENANCE_PARTS = ['plan', 'apt', 'reboot', 'docker', 'prune'] as const;
export type MaintenancePart = (typeof MAINTENANCE_PARTS)[number];

export const MAINTENANCE_PART_STATUSES = ['pending', 'running', 'ok', 'error', 'skipped'] as const;
export type MaintenancePartStatus = (typeof MAINTENANCE_PART_STATUSES)[number];

/** Why a part did not run. */
export const MAINTENANCE_SKIP_REASONS = [
  'no_package_changes',
  'no_reboot_required',
  'no_stack_updates',
  'previous_step_failed',
  'plan_drifted',
  'not_requested',
] as const;
export type MaintenanceSkipReason = (typeof MAINTENANCE_SKIP_REASONS)[number];

/** How a run ended: a part's error kind (`plan_drifted`, `worker_lost`, an APT or Docker error) or ok. */
export const MAINTENANCE_RUN_STATUSES = ['running', 'ok', 'error', 'plan_drifted', 'worker_lost', 'cancelled'] as const;
export type MaintenanceRunStatus = (typeof MAINTENANCE_RUN_STATUSES)[number];

/** One job a part ran (a part may run several: the plan runs an analysis, a scan and a check). */
export interface MaintenancePartJob {
  jobId: string;
  kind: string;
  status: string;
  executionId: string | null;
  errorKind: string | null;
  errorMessage: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface MaintenancePartState {
  part: MaintenancePart;
  status: MaintenancePartStatus;
  skipReason: MaintenanceSkipReason | null;
  /** What the part found or did, in words (the report's line for it). */
  messages: string[];
  jobs: MaintenancePartJob[];
  startedAt: string | null;
  finishedAt: string | null;
}

/** A maintenance run as the API shows it (GET /jobs/:id/maintenance). */
export interface MaintenanceRunView {
  jobId: string;
  machineId: string;
  status: MaintenanceRunStatus;
  currentPart: MaintenancePart | null;
  options: ResolvedMaintenanceOptions;
  planHash: string | null;
  parts: MaintenancePartState[];
  executionId: string | null;
  reportId: string | null;
  createdAt: string;
  finishedAt: string | null;
}
