import type { operations } from '../api/schema';

/** A job kind as the jobs list's `kind` filter takes it (from the OpenAPI document). */
export type JobKindFilter = NonNullable<NonNullable<operations['JobsController_list']['parameters']['query']>['kind']>;

/**
 * Every job kind, for the jobs page's filter. The contracts lib cannot be imported at run time in the browser (its
 * index pulls in node:crypto), so the list is repeated here, checked by type; `job-kinds.spec.ts` fails when it and
 * the API's `JOB_KINDS` differ.
 */
export const JOB_KINDS_SHOWN = [
  'system.selftest',
  'machine.probe',
  'apt.update_analyze',
  'apt.upgrade',
  'apt.dist_upgrade',
  'apt.autoremove',
  'apt.clean',
  'apt.dpkg_repair',
  'machine.reboot_verified',
  'docker.scan',
  'docker.check',
  'docker.apply',
  'docker.prune',
  'post_install.run',
  'machine.bootstrap',
  'machine.maintenance',
  'machine.metrics_sample',
  'docker.selftest',
] as const satisfies readonly JobKindFilter[];

export const isJobKind = (v: string | null): v is JobKindFilter =>
  v !== null && (JOB_KINDS_SHOWN as readonly string[]).includes(v);
