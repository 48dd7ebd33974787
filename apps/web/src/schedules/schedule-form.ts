import type { MachineAction } from '@su/contracts';
import type { ApprovalPolicy, ScheduleScope, ScheduleView } from '../api/admin-types.ts';

/** The steps a schedule may run, in the order a run takes them (the API runs `actions` in the order given). */
export const SCHEDULE_ACTIONS: MachineAction[] = [
  'machine_probe',
  'apt_update_analyze',
  'apt_upgrade',
  'apt_dist_upgrade',
  'apt_autoremove',
  'apt_clean',
  'reboot_verified',
];

export const APPROVAL_POLICIES: ApprovalPolicy[] = ['none', 'require_approval', 'analyse_only'];

export interface ScheduleForm {
  name: string;
  cron: string;
  timezone: string;
  scopeKind: 'all' | 'tags';
  tags: string[];
  actions: MachineAction[];
  concurrency: number;
  windowMinutes: number | '';
  approvalPolicy: ApprovalPolicy;
  enabled: boolean;
}

export function formOf(s: ScheduleView | undefined, browserZone: string): ScheduleForm {
  return {
    name: s?.name ?? '',
    cron: s?.cron ?? '30 3 * * 0',
    timezone: s?.timezone ?? browserZone,
    scopeKind: !s || s.scope.all ? 'all' : 'tags',
    tags: s?.scope.tags ?? [],
    actions: s?.actions ?? ['apt_update_analyze'],
    concurrency: s?.concurrency ?? 1,
    windowMinutes: s?.windowMinutes ?? '',
    approvalPolicy: s?.approvalPolicy ?? 'none',
    enabled: s?.enabled ?? true,
  };
}

export function scopeOf(f: ScheduleForm): ScheduleScope {
  return f.scopeKind === 'all' ? { all: true } : { tags: f.tags };
}

/** The request body of POST/PUT /schedules; the steps in run order whatever the order they were ticked in. */
export function bodyOf(f: ScheduleForm) {
  return {
    name: f.name,
    cron: f.cron,
    timezone: f.timezone,
    scope: scopeOf(f),
    actions: SCHEDULE_ACTIONS.filter((a) => f.actions.includes(a)),
    concurrency: f.concurrency,
    approvalPolicy: f.approvalPolicy,
    ...(f.windowMinutes === '' ? {} : { windowMinutes: f.windowMinutes }),
    enabled: f.enabled,
  };
}
