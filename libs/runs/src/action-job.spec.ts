import { describe, expect, it } from 'vitest';
import { InvalidJobPayloadError, MACHINE_ACTION_NAMES, planHash, type ApprovedPlan } from '@su/contracts';
import { actionOfJobKind, jobOfAction, misplacedActionOptions } from './action-job.ts';
import { actionsOfRun } from './run-fan-out.ts';

const plan: ApprovedPlan = {
  requestId: '00000000-0000-4000-8000-000000000001',
  hash: planHash([]),
  changes: [],
  allowSuperset: false,
};

const RECIPE = '6f1c2b3a-1d2e-4f50-8a9b-0c1d2e3f4a5b';
/** The options an action cannot run without (a recipe for post_install). */
const required = (action: string) => (action === 'post_install' ? { recipeId: RECIPE } : {});

describe('jobOfAction', () => {
  it('maps every action to its job kind with a payload that kind accepts', () => {
    for (const action of MACHINE_ACTION_NAMES) expect(() => jobOfAction(action, required(action))).not.toThrow();
    expect(jobOfAction('apt_update_analyze')).toEqual({ kind: 'apt.update_analyze', payload: {} });
    expect(jobOfAction('reboot_verified')).toEqual({ kind: 'machine.reboot_verified', payload: {} });
  });

  it('carries each option to the action it belongs to, and only there', () => {
    expect(jobOfAction('apt_upgrade', { packages: ['curl'] }).payload).toEqual({ packages: ['curl'] });
    expect(jobOfAction('reboot_verified', { maxWaitSeconds: 120 }).payload).toEqual({ maxWaitSeconds: 120 });
    expect(jobOfAction('apt_clean', { packages: ['curl'], maxWaitSeconds: 120 }).payload).toEqual({});
  });

  it('binds an approved plan to the applies that check it', () => {
    expect(jobOfAction('apt_upgrade', {}, plan).payload).toEqual({ approvedPlan: plan });
    expect(jobOfAction('apt_dist_upgrade', {}, plan).payload).toEqual({ approvedPlan: plan });
    expect(jobOfAction('reboot_verified', {}, plan).payload).toEqual({});
  });

  it('is inverted by actionOfJobKind for every action, and for nothing else', () => {
    for (const action of MACHINE_ACTION_NAMES)
      expect(actionOfJobKind(jobOfAction(action, required(action)).kind)).toBe(action);
    expect(actionOfJobKind('system.selftest')).toBeUndefined();
  });

  it('post_install carries its recipe, version and values; bootstrap its user; each needs its own options', () => {
    expect(jobOfAction('post_install', { recipeId: RECIPE, recipeVersionId: RECIPE, variables: { a: 'x' } })).toEqual({
      kind: 'post_install.run',
      payload: { recipeId: RECIPE, versionId: RECIPE, variables: { a: 'x' } },
    });
    expect(jobOfAction('bootstrap', { bootstrapUser: 'ops', disablePassword: true }).payload).toEqual({
      username: 'ops',
      disablePassword: true,
    });
    expect(misplacedActionOptions('post_install', {}).map((e) => e.field)).toEqual(['recipeId']);
    expect(misplacedActionOptions('apt_clean', { recipeId: RECIPE, bootstrapUser: 'ops' }).map((e) => e.field)).toEqual(
      ['recipeId', 'bootstrapUser'],
    );
  });

  it('refuses options its kind does not accept', () => {
    expect(() => jobOfAction('reboot_verified', { maxWaitSeconds: 5 })).toThrow(InvalidJobPayloadError);
  });
});

describe('misplacedActionOptions', () => {
  it('names each option given to an action it does not belong to', () => {
    expect(misplacedActionOptions('apt_upgrade', { packages: ['a'] })).toEqual([]);
    expect(misplacedActionOptions('reboot_verified', { maxWaitSeconds: 60 })).toEqual([]);
    expect(misplacedActionOptions('apt_clean', { packages: ['a'], maxWaitSeconds: 60 }).map((e) => e.field)).toEqual([
      'packages',
      'maxWaitSeconds',
    ]);
    expect(misplacedActionOptions('apt_clean', { packages: ['a'] }, 'options.')[0]?.field).toBe('options.packages');
    expect(misplacedActionOptions('apt_clean', { allowPlanSuperset: true })[0]?.field).toBe('allowPlanSuperset');
    expect(misplacedActionOptions('apt_dist_upgrade', { allowPlanSuperset: true })).toEqual([]);
  });
});

describe('actionsOfRun', () => {
  it('leaves risky steps out of an analyse_only run, keeps them otherwise', () => {
    const actions = ['apt_update_analyze', 'apt_upgrade', 'reboot_verified'] as const;
    expect(actionsOfRun(actions, 'analyse_only')).toEqual(['apt_update_analyze']);
    expect(actionsOfRun(actions, 'require_approval')).toEqual([...actions]);
    expect(actionsOfRun(actions, 'none')).toEqual([...actions]);
  });
});
