import type { JobKind } from './jobs.ts';

// The one vocabulary of machine actions (docs/ARCHITECTURE.md §C2): the name the API takes, a schedule lists, an
// action request stores, a job carries out and an execution records is the same word, defined here and nowhere else.

export const RISKS = ['low', 'medium', 'high'] as const;
export type Risk = (typeof RISKS)[number];

/** What the product needs to know about an action, whoever asks for it. */
export interface MachineActionDefinition {
  /** The job kind that carries it out (`JOB_DEFINITIONS`). */
  readonly kind: JobKind;
  /** What it can break: anything but `low` needs an approval from someone who may not run it directly. */
  readonly risk: Risk;
  /** Its request is bound to the plan of the machine's latest analysis, and its job refuses another plan (ADR 0011). */
  readonly planBound?: true;
  /**
   * Its request is bound to the image digests the machine's latest registry check saw; its job asks the registry again
   * and refuses to apply when a digest moved (ADR 0026).
   */
  readonly digestBound?: true;
  /** It runs only through an approved action request, even when an operator asks (ADR 0018). */
  readonly approvalOnly?: true;
  /** Its job records what it found as a snapshot of that kind (`UpdateSnapshot.kind`), not as an execution. */
  readonly writesSnapshot?: true;
  /** It changes the machine's packages: its failure stays on the tile until one of them succeeds. */
  readonly changesPackages?: true;
  /** It needs what only a person gives (a recipe and its values, a user name): never a schedule's step. */
  readonly notScheduled?: true;
}

/**
 * Every machine action, one entry each. Reading is low risk; changing packages can break services (medium); a
 * dist-upgrade adds and removes packages, dpkg_repair reinstalls and configures whatever dpkg left half-done
 * (essential packages included), and a reboot takes every service down and may not come back (high). A new action
 * is one entry here plus its job kind.
 */
export const MACHINE_ACTIONS = {
  apt_update_analyze: { kind: 'apt.update_analyze', risk: 'low', writesSnapshot: true },
  apt_upgrade: { kind: 'apt.upgrade', risk: 'medium', planBound: true, changesPackages: true },
  apt_dist_upgrade: { kind: 'apt.dist_upgrade', risk: 'high', planBound: true, changesPackages: true },
  apt_autoremove: { kind: 'apt.autoremove', risk: 'medium', planBound: true, changesPackages: true },
  apt_clean: { kind: 'apt.clean', risk: 'low', changesPackages: true },
  dpkg_repair: { kind: 'apt.dpkg_repair', risk: 'high', approvalOnly: true, changesPackages: true },
  reboot_verified: { kind: 'machine.reboot_verified', risk: 'high' },
  machine_probe: { kind: 'machine.probe', risk: 'low' },
  docker_scan: { kind: 'docker.scan', risk: 'low', writesSnapshot: true },
  docker_check: { kind: 'docker.check', risk: 'low' },
  // Recreates running services with new images (rollback exists, but a new image can still break them).
  docker_apply: { kind: 'docker.apply', risk: 'medium', digestBound: true },
  // Removes images: an aggressive prune removes every unused image, the rollback targets too.
  docker_prune: { kind: 'docker.prune', risk: 'medium' },
  // Post-install (issue 15): a recipe's script run with sudo changes the machine as its author wrote it; a profile of
  // risk `high` runs only through an approved action request (checked per profile, ADR 0032).
  post_install: { kind: 'post_install.run', risk: 'medium', notScheduled: true },
  // Creates a user with sudo rights and switches the machine's credentials to its key (the password is forgotten).
  bootstrap: { kind: 'machine.bootstrap', risk: 'high', notScheduled: true },
  // Maintenance run (issue 14, ADR 0031): APT, verified reboot, Docker stacks and prune as one locked unit, bound to
  // one combined plan (fresh analysis + registry check); high because it may reboot.
  maintenance: { kind: 'machine.maintenance', risk: 'high', planBound: true },
} as const satisfies Record<string, MachineActionDefinition>;

export type MachineAction = keyof typeof MACHINE_ACTIONS;
export const MACHINE_ACTION_NAMES = Object.keys(MACHINE_ACTIONS) as [MachineAction, ...MachineAction[]];

export function isMachineAction(value: string): value is MachineAction {
  return Object.hasOwn(MACHINE_ACTIONS, value);
}

/** The job kind that carries out `action`. */
export type JobKindOf<A extends MachineAction> = (typeof MACHINE_ACTIONS)[A]['kind'];

/** The actions whose definition says `flag`. */
type ActionFlag = 'planBound' | 'digestBound' | 'approvalOnly' | 'changesPackages' | 'writesSnapshot' | 'notScheduled';
type ActionsWith<F extends ActionFlag> = {
  [A in MachineAction]: (typeof MACHINE_ACTIONS)[A] extends Record<F, true> ? A : never;
}[MachineAction];

const actionsWith = <F extends ActionFlag>(flag: F) =>
  MACHINE_ACTION_NAMES.filter((a) => (MACHINE_ACTIONS[a] as MachineActionDefinition)[flag]) as ActionsWith<F>[];

/** Actions whose request is bound to the plan of the machine's latest analysis. */
export type AnalysisBoundAction = ActionsWith<'planBound'>;
export const ANALYSIS_BOUND_ACTIONS: readonly AnalysisBoundAction[] = actionsWith('planBound');

export function isAnalysisBound(action: string): action is AnalysisBoundAction {
  return (ANALYSIS_BOUND_ACTIONS as readonly string[]).includes(action);
}

/**
 * Actions whose request is bound to a plan and whose job carries it: the APT applies (bound to the latest analysis)
 * and docker_apply (bound to the digests the latest check saw; the worker asks the registry again before applying).
 */
export function isPlanBound(action: string): boolean {
  if (isAnalysisBound(action)) return true;
  return isMachineAction(action) && (MACHINE_ACTIONS[action] as MachineActionDefinition).digestBound === true;
}

/** The actions whose job writes a snapshot, each one a snapshot kind. */
export type SnapshotAction = ActionsWith<'writesSnapshot'>;
export const SNAPSHOT_ACTIONS: readonly SnapshotAction[] = actionsWith('writesSnapshot');

/** Actions that change the machine's packages (APT applies and the dpkg repair). */
export const PACKAGE_CHANGING_ACTIONS: readonly MachineAction[] = actionsWith('changesPackages');

/** The actions a schedule may run as steps (not those that need a person's input). */
export const SCHEDULABLE_ACTIONS: readonly MachineAction[] = MACHINE_ACTION_NAMES.filter(
  (a) => !(MACHINE_ACTIONS[a] as MachineActionDefinition).notScheduled,
);

/** Actions a schedule with the `require_approval` policy stops at, and that an `analyse_only` schedule never runs. */
export function isRiskyAction(action: MachineAction): boolean {
  return MACHINE_ACTIONS[action].risk !== 'low';
}

/**
 * Names the first execution contract (§C2) allowed that no code runs. Kept only so that a record carrying one stays
 * valid (the list of names is widened, never narrowed). A name that becomes runnable moves into MACHINE_ACTIONS; the
 * check below refuses a name in both.
 */
const RECORD_ONLY_ACTION_NAMES = [
  'apt_full_upgrade',
  'reboot',
  'docker_inspect_current',
  'docker_pull_check',
  'docker_compose_apply',
  'docker_prune_images',
  'docker_compose_down',
] as const;
type RecordOnlyAlsoRunnable = (typeof RECORD_ONLY_ACTION_NAMES)[number] & MachineAction;
const _recordOnlyNamesAreNotRunnable: [RecordOnlyAlsoRunnable] extends [never] ? true : false = true;

/** The action an execution may record (`ExecutionResult.action`): every machine action, and the record-only names. */
export type ActionType = MachineAction | (typeof RECORD_ONLY_ACTION_NAMES)[number];
export const ACTION_TYPES: [ActionType, ...ActionType[]] = [...MACHINE_ACTION_NAMES, ...RECORD_ONLY_ACTION_NAMES];
