import {
  ANALYSIS_BOUND_ACTIONS,
  isAnalysisBound,
  MACHINE_ACTION_NAMES,
  MACHINE_ACTIONS,
  parseJobPayload,
  type ApprovedPlan,
  type JobKindOf,
  type JobPayload,
  type MachineAction,
} from '@su/contracts';

/** The options a person may give with an action; each belongs to one action. */
export interface ActionOptions {
  packages?: string[] | undefined;
  maxWaitSeconds?: number | undefined;
}

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
export function jobOfAction(action: MachineAction, options: ActionOptions = {}, approvedPlan?: ApprovedPlan): ActionJob {
  const kind = MACHINE_ACTIONS[action].kind;
  const raw = {
    ...(action === 'apt_upgrade' && options.packages ? { packages: options.packages } : {}),
    ...(action === 'reboot_verified' && options.maxWaitSeconds ? { maxWaitSeconds: options.maxWaitSeconds } : {}),
    ...(approvedPlan && isAnalysisBound(action) ? { approvedPlan } : {}),
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
