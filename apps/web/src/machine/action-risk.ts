import type { MachineAction, Risk } from '@su/contracts';

/**
 * Each action's risk, as the API decides it (`MACHINE_ACTIONS[action].risk` in the contracts lib, which the browser
 * cannot import: the contracts index pulls in node:crypto). `action-risk.spec.ts` fails when the two differ.
 */
export const ACTION_RISK: Record<MachineAction, Risk> = {
  apt_update_analyze: 'low',
  machine_probe: 'low',
  apt_clean: 'low',
  apt_upgrade: 'medium',
  apt_autoremove: 'medium',
  apt_dist_upgrade: 'high',
  dpkg_repair: 'high',
  reboot_verified: 'high',
  docker_scan: 'low',
  docker_check: 'low',
  docker_apply: 'medium',
  docker_prune: 'medium',
  post_install: 'medium',
  bootstrap: 'high',
  maintenance: 'high',
};

/** Low-risk actions run at once; the others go through an action request that a person approves in the inbox. */
export function needsApproval(action: MachineAction): boolean {
  return ACTION_RISK[action] !== 'low';
}

/** The actions the machine page offers, in the order a person uses them. */
export const MACHINE_PAGE_ACTIONS = [
  'machine_probe',
  'apt_update_analyze',
  'apt_upgrade',
  'apt_dist_upgrade',
  'apt_autoremove',
  'apt_clean',
  'reboot_verified',
] as const satisfies readonly MachineAction[];

/** Actions that change the machine and so ask "really?" before the request is sent. */
export function isDestructive(action: MachineAction): boolean {
  return needsApproval(action);
}
