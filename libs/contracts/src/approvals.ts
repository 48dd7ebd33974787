import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { MachineAction } from './jobs.ts';

export const ACTION_REQUEST_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'executed'] as const;
export type ActionRequestStatus = (typeof ACTION_REQUEST_STATUSES)[number];

export const RISKS = ['low', 'medium', 'high'] as const;
export type Risk = (typeof RISKS)[number];

/**
 * Risk by action: what the action can break. Changing packages can break services (medium); a dist-upgrade adds and
 * removes packages, and a reboot takes every service down and may not come back (high). Reading is low.
 */
export const ACTION_RISK: Record<MachineAction, Risk> = {
  apt_update_analyze: 'low',
  machine_probe: 'low',
  apt_clean: 'low',
  apt_upgrade: 'medium',
  apt_autoremove: 'medium',
  apt_dist_upgrade: 'high',
  reboot_verified: 'high',
};

/** Actions a schedule with the `require_approval` policy stops at, and that an `analyse_only` schedule never runs. */
export function isRiskyAction(action: MachineAction): boolean {
  return ACTION_RISK[action] !== 'low';
}

/** One package change of an APT plan, in the terms that decide what an approval covers. */
export const plannedChangeSchema = z.strictObject({
  name: z.string().min(1).max(200),
  arch: z.string().max(40).nullable(),
  targetVersion: z.string().max(200).nullable(),
  operation: z.string().min(1).max(40),
});
export type PlannedChange = z.infer<typeof plannedChangeSchema>;

/** What a person approved for an APT apply: the plan they saw, and whether a larger plan is still acceptable. */
export const approvedPlanSchema = z.strictObject({
  requestId: z.string().uuid(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  changes: z.array(plannedChangeSchema).max(5000),
  allowSuperset: z.boolean(),
});
export type ApprovedPlan = z.infer<typeof approvedPlanSchema>;

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
