import {
  MAINTENANCE_PARTS,
  type MaintenancePart,
  type MaintenancePartJob,
  type MaintenancePartState,
  type MaintenanceRunStatus,
  type MaintenanceSkipReason,
  type ResolvedMaintenanceOptions,
} from '@su/contracts';

const now = () => new Date().toISOString();

/**
 * The parts of one maintenance run as they move (pure: the handler persists them after each change). A part is
 * pending, then running, then ok / error / skipped with its reason; the first error decides how the run ends.
 */
export class MaintenanceProgress {
  readonly parts: MaintenancePartState[] = MAINTENANCE_PARTS.map((part) => ({
    part,
    status: 'pending',
    skipReason: null,
    messages: [],
    jobs: [],
    startedAt: null,
    finishedAt: null,
  }));
  current: MaintenancePart | null = null;
  private drifted = false;

  constructor(private readonly options: ResolvedMaintenanceOptions) {}

  get(part: MaintenancePart): MaintenancePartState {
    const p = this.parts.find((x) => x.part === part);
    if (!p) throw new Error(`no maintenance part ${part}`);
    return p;
  }

  /** Under the stop policy, once a part failed every later part is skipped (previous_step_failed). */
  get stopped(): boolean {
    return this.drifted || (this.options.failurePolicy === 'stop' && this.parts.some((p) => p.status === 'error'));
  }

  start(part: MaintenancePart): void {
    Object.assign(this.get(part), { status: 'running', startedAt: now() });
    this.current = part;
  }

  /** A job the part ran, as it ended; a failed job fails the part. */
  jobEnded(part: MaintenancePart, job: MaintenancePartJob): void {
    const p = this.get(part);
    p.jobs.push(job);
    if (job.status !== 'ok' && job.status !== 'warning') p.status = 'error';
  }

  /** The part failed without a failing job (its jobs ran, but what they left cannot be used). */
  fail(part: MaintenancePart, message: string): void {
    this.get(part).status = 'error';
    this.note(part, message);
  }

  note(part: MaintenancePart, message: string): void {
    this.get(part).messages.push(message);
  }

  finish(part: MaintenancePart): void {
    const p = this.get(part);
    if (p.status === 'running') p.status = 'ok';
    p.finishedAt = now();
    this.current = null;
  }

  skip(part: MaintenancePart, reason: MaintenanceSkipReason, message?: string): void {
    Object.assign(this.get(part), { status: 'skipped', skipReason: reason, finishedAt: now() });
    if (message) this.note(part, message);
  }

  /** The approved plan is not what the machine would do now: nothing after the plan runs. */
  planDrifted(message: string): void {
    this.drifted = true;
    this.note('plan', message);
    for (const p of this.parts) if (p.status === 'pending') this.skip(p.part, 'plan_drifted');
  }

  /** Skips the part when an earlier one stopped the run; true when it was skipped. */
  skippedAfterFailure(part: MaintenancePart): boolean {
    if (this.drifted) return true;
    if (!this.stopped) return false;
    this.skip(part, 'previous_step_failed');
    return true;
  }

  /** How the run ended: plan_drifted, worker_lost or cancelled when a part's job did, error for any other failure. */
  status(): MaintenanceRunStatus {
    if (this.drifted) return 'plan_drifted';
    const failed = this.parts.flatMap((p) => p.jobs).find((j) => j.status !== 'ok' && j.status !== 'warning');
    if (!failed) return this.parts.some((p) => p.status === 'error') ? 'error' : 'ok';
    if (failed.errorKind === 'worker_lost') return 'worker_lost';
    return failed.status === 'cancelled' ? 'cancelled' : 'error';
  }

  /** The part a failed run stopped at, and why, for the job's error. */
  failure(): { part: MaintenancePart; errorKind: string; message: string } | null {
    for (const p of this.parts) {
      const j = p.jobs.find((x) => x.status !== 'ok' && x.status !== 'warning');
      if (j)
        return { part: p.part, errorKind: j.errorKind ?? j.status, message: j.errorMessage ?? `${j.kind} ${j.status}` };
      if (p.status === 'error') return { part: p.part, errorKind: 'error', message: p.messages.at(-1) ?? 'failed' };
    }
    return null;
  }
}

/** Why the APT part has nothing to do, or null when it runs. */
export function aptSkip(o: ResolvedMaintenanceOptions, planned: number): MaintenanceSkipReason | null {
  if (o.apt === 'none') return 'not_requested';
  return planned === 0 ? 'no_package_changes' : null;
}

/** Why the reboot does not follow, or null when it does. */
export function rebootSkip(o: ResolvedMaintenanceOptions, required: boolean): MaintenanceSkipReason | null {
  if (o.reboot === 'never') return 'not_requested';
  if (o.reboot === 'always') return null;
  return required ? null : 'no_reboot_required';
}

/** Why the Docker part has nothing to do, or null when it runs. */
export function dockerSkip(o: ResolvedMaintenanceOptions, updates: number): MaintenanceSkipReason | null {
  if (!o.docker) return 'not_requested';
  return updates === 0 ? 'no_stack_updates' : null;
}

/** Containers that ran before the reboot and do not run after it (by name: compose names are stable). */
export function containersNotBack(
  before: readonly { name: string; state: string }[],
  after: readonly { name: string; state: string }[],
): string[] {
  const running = new Set(after.filter((c) => c.state === 'running').map((c) => c.name));
  return before
    .filter((c) => c.state === 'running' && !running.has(c.name))
    .map((c) => c.name)
    .sort();
}
