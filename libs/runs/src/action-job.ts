import {
  ANALYSIS_BOUND_ACTIONS,
  isAnalysisBound,
  isPlanBound,
  MACHINE_ACTION_NAMES,
  MACHINE_ACTIONS,
  parseJobPayload,
  type ApprovedPlan,
  type JobKindOf,
  type JobPayload,
  type MachineAction,
  type RecipeValues,
  type MaintenanceOptions,
} from '@su/contracts';

/** The options a person may give with an action; each belongs to one action. */
export interface ActionOptions {
  packages?: string[] | undefined;
  maxWaitSeconds?: number | undefined;
  /** docker_apply: the stack, its chosen services, rollback, how long to wait for healthy, a newer tag. */
  stackId?: string | undefined;
  services?: string[] | undefined;
  rollback?: boolean | undefined;
  healthTimeoutSeconds?: number | undefined;
  tag?: string | undefined;
  /** docker_prune: safe (dangling images) or aggressive (every unused image). */
  pruneMode?: 'safe' | 'aggressive' | undefined;
  /** post_install: the recipe to run, a past version of it, and non-secret values given now. */
  recipeId?: string | undefined;
  recipeVersionId?: string | undefined;
  variables?: RecipeValues | undefined;
  /** bootstrap: the automation user's name, and whether its password login is locked. */
  bootstrapUser?: string | undefined;
  disablePassword?: boolean | undefined;
  /** maintenance: its parts and failure policy (ADR 0031). */
  maintenance?: MaintenanceOptions | undefined;
}

/** The options that belong to one action only. */
const OPTION_OWNER: Record<string, MachineAction> = {
  stackId: 'docker_apply',
  services: 'docker_apply',
  rollback: 'docker_apply',
  healthTimeoutSeconds: 'docker_apply',
  tag: 'docker_apply',
  pruneMode: 'docker_prune',
  recipeId: 'post_install',
  recipeVersionId: 'post_install',
  variables: 'post_install',
  bootstrapUser: 'bootstrap',
  disablePassword: 'bootstrap',
  maintenance: 'maintenance',
};

/** The job kinds that carry machine actions. */
export type ActionJobKind = JobKindOf<MachineAction>;

export interface ActionJob {
  kind: ActionJobKind;
  payload: JobPayload<ActionJobKind>;
}

export interface FieldError {
  field: string;
  reasons: string[];
}

/**
 * The one options check of a machine action: options that belong to another action are refused, not silently
 * dropped. `prefix` names the fields as the caller's body does (`options.` for an action request).
 */
export function misplacedActionOptions(
  action: MachineAction,
  options: ActionOptions & { allowPlanSuperset?: boolean | undefined },
  prefix = '',
): FieldError[] {
  const errors: FieldError[] = [];
  if (options.packages && action !== 'apt_upgrade')
    errors.push({ field: `${prefix}packages`, reasons: ['packages is only allowed with the apt_upgrade action'] });
  if (options.maxWaitSeconds !== undefined && action !== 'reboot_verified')
    errors.push({
      field: `${prefix}maxWaitSeconds`,
      reasons: ['maxWaitSeconds is only allowed with the reboot_verified action'],
    });
  for (const [field, owner] of Object.entries(OPTION_OWNER)) {
    if ((options as Record<string, unknown>)[field] !== undefined && action !== owner)
      errors.push({ field: `${prefix}${field}`, reasons: [`${field} is only allowed with the ${owner} action`] });
  }
  if (action === 'docker_apply' && (options.services || options.tag) && !options.stackId)
    errors.push({ field: `${prefix}stackId`, reasons: ['services and tag need the stackId they belong to'] });
  if (action === 'docker_apply' && options.tag && options.services?.length !== 1)
    errors.push({ field: `${prefix}tag`, reasons: ['a new tag applies to exactly one chosen service'] });
  if (action === 'post_install' && !options.recipeId)
    errors.push({ field: `${prefix}recipeId`, reasons: ['post_install needs the recipe to run'] });
  if (options.allowPlanSuperset !== undefined && !isAnalysisBound(action))
    errors.push({
      field: 'allowPlanSuperset',
      reasons: [`allowPlanSuperset is only allowed with ${ANALYSIS_BOUND_ACTIONS.join(', ')}`],
    });
  return errors;
}

/**
 * The one mapping of a machine action to the job that carries it out, whoever asks (a person, an approved request, a
 * schedule run): its kind, and its payload validated against that kind's schema. An approved plan travels with the
 * applies that are bound to an analysis (the worker refuses with plan_drifted when the machine would do otherwise).
 */
export function jobOfAction(
  action: MachineAction,
  options: ActionOptions = {},
  approvedPlan?: ApprovedPlan,
): ActionJob {
  const kind = MACHINE_ACTIONS[action].kind;
  const raw = {
    ...(action === 'apt_upgrade' && options.packages ? { packages: options.packages } : {}),
    ...(action === 'reboot_verified' && options.maxWaitSeconds ? { maxWaitSeconds: options.maxWaitSeconds } : {}),
    ...(action === 'docker_apply' ? dockerApplyOptions(options) : {}),
    ...(action === 'docker_prune' && options.pruneMode ? { mode: options.pruneMode } : {}),
    ...(action === 'post_install' ? postInstallOptions(options) : {}),
    ...(action === 'bootstrap' ? bootstrapOptions(options) : {}),
    ...(action === 'maintenance' && options.maintenance ? { options: { ...options.maintenance } } : {}),
    ...(approvedPlan && isPlanBound(action) ? { approvedPlan } : {}),
  };
  return { kind, payload: parseJobPayload(kind, raw) };
}

const ACTION_OF_KIND: ReadonlyMap<string, MachineAction> = new Map(
  MACHINE_ACTION_NAMES.map((action) => [MACHINE_ACTIONS[action].kind, action]),
);

/** The machine action a job kind carries out (the inverse of `jobOfAction`); undefined for other kinds. */
export function actionOfJobKind(kind: string): MachineAction | undefined {
  return ACTION_OF_KIND.get(kind);
}

function dockerApplyOptions(o: ActionOptions): Record<string, unknown> {
  return {
    ...(o.stackId ? { stackId: o.stackId } : {}),
    ...(o.services ? { services: o.services } : {}),
    ...(o.rollback !== undefined ? { rollback: o.rollback } : {}),
    ...(o.healthTimeoutSeconds ? { healthTimeoutSeconds: o.healthTimeoutSeconds } : {}),
    ...(o.tag ? { tag: o.tag } : {}),
  };
}

function postInstallOptions(o: ActionOptions): Record<string, unknown> {
  return {
    recipeId: o.recipeId,
    ...(o.recipeVersionId ? { versionId: o.recipeVersionId } : {}),
    ...(o.variables ? { variables: o.variables } : {}),
  };
}

function bootstrapOptions(o: ActionOptions): Record<string, unknown> {
  return {
    ...(o.bootstrapUser ? { username: o.bootstrapUser } : {}),
    ...(o.disablePassword !== undefined ? { disablePassword: o.disablePassword } : {}),
  };
}
