import { createHash } from 'node:crypto';
import { z } from 'zod';
import { plannedChangeSchema, type ApprovedPlan, type PlannedChange } from './approved-plan.ts';
import type { AnalysisBoundAction } from './machine-actions.ts';
import { recipeValuesSchema } from './recipe-values.ts';
import { maintenanceOptionsSchema } from './maintenance.ts';

export { approvedPlanSchema, plannedChangeSchema, type ApprovedPlan, type PlannedChange } from './approved-plan.ts';

export const ACTION_REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'executed'] as const;
export type ActionRequestStatus = (typeof ACTION_REQUEST_STATUSES)[number];

const changeKey = (c: PlannedChange) => `${c.operation} ${c.name}:${c.arch ?? ''}=${c.targetVersion ?? ''}`;

/** sha256 of the plan's changes, independent of their order. */
export function planHash(changes: readonly PlannedChange[]): string {
  const lines = [...new Set(changes.map(changeKey))].sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/**
 * Why the plan about to be applied is not the approved one, or null when it is covered: the same set, or with
 * `allowSuperset` a set that contains every approved change (more packages, never different versions or fewer).
 */
export function planDrift(approved: ApprovedPlan, current: readonly PlannedChange[]): string | null {
  if (planHash(current) === approved.hash) return null;
  const now = new Set(current.map(changeKey));
  const then = new Set(approved.changes.map(changeKey));
  const missing = [...then].filter((k) => !now.has(k));
  const added = [...now].filter((k) => !then.has(k));
  if (approved.allowSuperset && missing.length === 0) return null;
  const show = (xs: string[]) => xs.slice(0, 10).join(', ') + (xs.length > 10 ? `, … (${xs.length} in all)` : '');
  return [
    'the plan changed since it was approved',
    added.length ? `new: ${show(added)}` : '',
    missing.length ? `no longer planned: ${show(missing)}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** The fields of a package (of an analysis or of the simulation before an apply) that an approval covers. */
export function plannedChangeOf(p: {
  name: string;
  arch: string | null;
  targetVersion: string | null;
  operation: string;
}): PlannedChange {
  return { name: p.name, arch: p.arch, targetVersion: p.targetVersion, operation: p.operation };
}

/**
 * What an apply of `action` would change according to an analysis: the packages a person approves. It must be the
 * set the apt-worker simulates just before applying (apt-apply.service.ts `plan`), or an unchanged machine would
 * drift: dist-upgrade is the analysis' plan (upgrades, new packages, removals; held, phased and kept-back-only
 * packages are not in it); plain upgrade never installs or removes, and leaves out what it keeps back (packages
 * that need a new dependency); `only` narrows an upgrade to named packages, as `--only-upgrade` does; autoremove is
 * the analysis' own autoremove simulation (none recorded: nothing to approve).
 */
export function analysisPlanOf<P extends { name: string; keptBack: boolean }>(
  action: AnalysisBoundAction,
  apt: { packages: P[]; installed?: P[] | undefined; removed?: P[] | undefined; autoremove?: P[] | undefined },
  only?: readonly string[],
): P[] {
  if (action === 'apt_autoremove') return apt.autoremove ?? [];
  if (action === 'apt_dist_upgrade') return [...apt.packages, ...(apt.installed ?? []), ...(apt.removed ?? [])];
  const upgrades = apt.packages.filter((p) => !p.keptBack);
  return only ? upgrades.filter((p) => only.includes(p.name)) : upgrades;
}

/** One line per package for people: "openssl 3.0.1 → 3.0.2", "homelab-dep (new) 1.0", "oldlib 2.1 (removed)". */
export function describePackageChange(p: {
  name: string;
  currentVersion: string | null;
  targetVersion: string | null;
  operation: string;
}): string {
  if (p.operation === 'remove')
    return p.currentVersion ? `${p.name} ${p.currentVersion} (removed)` : `${p.name} (removed)`;
  if (p.operation === 'install' || p.currentVersion === null) return `${p.name} (new) ${p.targetVersion ?? ''}`.trim();
  return `${p.name} ${p.currentVersion} → ${p.targetVersion ?? '?'}`;
}

/**
 * What an action request stores in `payload`: the options of the action, and for a plan-bound APT apply the plan
 * the person sees (`plan`, the hashed changes, the same shape a schedule run's request stores) with the versions
 * it moves from (`packages`, for display). Validated when read back before an approval executes it.
 */
export const actionRequestPayloadSchema = z.object({
  options: z
    .strictObject({
      packages: z.array(z.string()).min(1).max(500).optional(),
      maxWaitSeconds: z.number().int().min(10).max(3600).optional(),
      stackId: z.string().uuid().optional(),
      services: z.array(z.string()).min(1).max(200).optional(),
      rollback: z.boolean().optional(),
      healthTimeoutSeconds: z.number().int().min(5).max(3600).optional(),
      tag: z.string().optional(),
      pruneMode: z.enum(['safe', 'aggressive']).optional(),
      recipeId: z.string().uuid().optional(),
      recipeVersionId: z.string().uuid().optional(),
      variables: recipeValuesSchema.optional(),
      bootstrapUser: z.string().optional(),
      disablePassword: z.boolean().optional(),
      maintenance: maintenanceOptionsSchema.optional(),
    })
    .optional(),
  plan: z.array(plannedChangeSchema).max(5000).optional(),
  packages: z
    .array(
      z.object({
        name: z.string(),
        arch: z.string().nullable(),
        currentVersion: z.string().nullable(),
        targetVersion: z.string().nullable(),
        operation: z.string(),
        security: z.boolean(),
      }),
    )
    .max(5000)
    .optional(),
  analysedAt: z.string().optional(),
  scheduleRunId: z.string().optional(),
});
export type ActionRequestPayload = z.infer<typeof actionRequestPayloadSchema>;

/** An action request as the API shows it. */
export interface ActionRequestView {
  id: string;
  machineId: string | null;
  machineName: string | null;
  action: string;
  risk: string | null;
  status: ActionRequestStatus;
  summary: string | null;
  requestedBy: { type: string; id: string | null; label: string | null };
  payload: unknown;
  createdAt: string;
  expiresAt: string | null;
  approvedAt: string | null;
  approvedBy: string | null;
  rejectedAt: string | null;
  rejectedBy: string | null;
  decisionNote: string | null;
  executedAt: string | null;
  executionId: string | null;
  jobId: string | null;
  planHash: string | null;
  allowPlanSuperset: boolean;
  snapshotId: string | null;
  scheduleRunId: string | null;
}

// ───────────── API-client machine scope ─────────────

const SCOPE_TAG = /^[a-z0-9][a-z0-9_.-]{0,31}$/;

/**
 * The machines an API client may act on: those with one of `tags`, and those named in `machineIds`. A client with
 * no scope (null) may act on every machine. Stored in `api_clients.machine_scope_json`.
 */
export const machineScopeSchema = z.strictObject({
  tags: z.array(z.string().regex(SCOPE_TAG)).max(50).optional(),
  machineIds: z.array(z.string().uuid()).max(1000).optional(),
});
export type MachineScope = z.infer<typeof machineScopeSchema>;

/**
 * Why a client limited to `scope` may not act on `machine`, or null when it may. A scope that names nothing (which
 * the API does not let anyone create) admits no machine: a limit that cannot be read must not become no limit.
 */
export function machineScopeRefusal(
  scope: MachineScope | null | undefined,
  machine: { id: string; name: string; tags: readonly string[] },
): string | null {
  if (!scope) return null;
  if (scope.machineIds?.includes(machine.id)) return null;
  if (scope.tags?.some((t) => machine.tags.includes(t))) return null;
  const limits = [
    scope.tags?.length ? `tags ${scope.tags.join(', ')}` : '',
    scope.machineIds?.length ? `${scope.machineIds.length} named machine(s)` : '',
  ].filter(Boolean);
  return `machine ${machine.name} (${machine.id}) is outside this API client's machine scope (${limits.join('; ') || 'no machine'})`;
}
