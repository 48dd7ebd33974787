import {
  dockerSnapshotSchema,
  planDrift,
  planHash,
  type ApprovedPlan,
  type DockerContainer,
  type MachineAction,
  type MaintenancePart,
  type PlannedChange,
  type ResolvedMaintenanceOptions,
} from '@su/contracts';
import { ExecutionsRepository, MachineStateRepository, SnapshotsRepository, type Database } from '@su/db';
import type { ActionOptions } from '../action-job.ts';
import { maintenancePlanOf, type MaintenancePlan } from './maintenance-plan.ts';
import { aptSkip, containersNotBack, dockerSkip, MaintenanceProgress, rebootSkip } from './maintenance-progress.ts';
import type { PartRunner } from './part-jobs.ts';

export interface MaintenanceRunDeps {
  db: Database;
  parts: PartRunner;
  jobId: string;
  machineId: string;
  options: ResolvedMaintenanceOptions;
  approved: ApprovedPlan | null;
  signal: AbortSignal;
  /** Called after every change of the parts (the tile's progress). */
  saved: (progress: MaintenanceProgress) => Promise<void>;
}

/**
 * One maintenance run's parts, in order (ADR 0031): the plan (fresh analysis and registry check, compared with the
 * approved plan), APT, the verified reboot (and which containers came back), Docker, prune. Each part runs its jobs
 * as children of the run's job, or skips itself with a reason; under the stop policy a failure skips the rest.
 */
export class MaintenanceRun {
  readonly progress: MaintenanceProgress;
  plan: MaintenancePlan | null = null;

  constructor(private readonly d: MaintenanceRunDeps) {
    this.progress = new MaintenanceProgress(d.options);
  }

  get options(): ResolvedMaintenanceOptions {
    return this.d.options;
  }

  async run(): Promise<void> {
    await this.d.saved(this.progress);
    await this.planPart();
    await this.aptPart();
    await this.rebootPart();
    await this.dockerPart();
    await this.prunePart();
  }

  /** Runs one job of the part; false when it did not end ok. */
  private async job(part: MaintenancePart, action: MachineAction, o: ActionOptions = {}, plan?: ApprovedPlan) {
    const j = await this.d.parts.run(action, this.d.signal, o, plan);
    this.progress.jobEnded(part, j);
    await this.d.saved(this.progress);
    return j.status === 'ok' || j.status === 'warning';
  }

  private async start(part: MaintenancePart): Promise<void> {
    this.progress.start(part);
    await this.d.saved(this.progress);
  }

  private async finish(part: MaintenancePart): Promise<void> {
    this.progress.finish(part);
    await this.d.saved(this.progress);
  }

  /** The part cannot run: the plan drifted or is missing, or an earlier part failed under the stop policy. */
  private blocked(part: MaintenancePart): boolean {
    if (this.progress.get(part).status === 'skipped') return true;
    if (!this.plan) {
      this.progress.skip(part, 'previous_step_failed');
      return true;
    }
    return this.progress.skippedAfterFailure(part);
  }

  /**
   * An approved run binds each part to its slice of the approved plan (the workers refuse anything else and record
   * the request on their executions). A run nobody approved applies what its own fresh analysis and check planned a
   * moment before, under the same lock.
   */
  private boundTo(changes: PlannedChange[]): ApprovedPlan | undefined {
    if (!this.d.approved) return undefined;
    return { requestId: this.d.approved.requestId, hash: planHash(changes), changes, allowSuperset: false };
  }

  private async planPart(): Promise<void> {
    const o = this.d.options;
    await this.start('plan');
    const fresh = (o.apt === 'none' && o.reboot !== 'if_required') || (await this.job('plan', 'apt_update_analyze'));
    const checked =
      fresh && (!o.docker || ((await this.job('plan', 'docker_scan')) && (await this.job('plan', 'docker_check'))));
    if (!checked) return this.finish('plan');
    const plan = await maintenancePlanOf(this.d.db.prisma, this.d.machineId, o);
    this.plan = plan;
    this.progress.note(
      'plan',
      `${plan.apt.length} package change(s), ${plan.docker.length} image change(s), reboot ${plan.rebootPredicted ? 'predicted' : 'not predicted'}; hash ${plan.hash}`,
    );
    for (const p of plan.problems) this.progress.note('plan', p);
    // APT was asked for but the fresh analysis left no plan (dpkg broken, apt failing): applying blind is refused.
    if (o.apt !== 'none' && !plan.snapshotId)
      this.progress.fail('plan', 'the fresh APT analysis has no usable plan, so nothing is applied');
    await this.finish('plan');
    const drift = this.d.approved && planDrift({ ...this.d.approved, allowSuperset: false }, plan.changes);
    if (drift) {
      this.progress.planDrifted(`plan_drifted: ${drift}`);
      await this.d.saved(this.progress);
    }
  }

  private async aptPart(): Promise<void> {
    if (this.blocked('apt') || !this.plan) return;
    const o = this.d.options;
    const skip = aptSkip(o, this.plan.apt.length);
    if (skip)
      return this.progress.skip(
        'apt',
        skip,
        skip === 'no_package_changes' ? 'the analysis plans no package change' : undefined,
      );
    await this.start('apt');
    const action = o.apt === 'dist_upgrade' ? 'apt_dist_upgrade' : 'apt_upgrade';
    const ok = await this.job('apt', action, {}, this.boundTo(this.plan.apt));
    if (ok && o.autoremove) await this.job('apt', 'apt_autoremove');
    if (ok && o.clean) await this.job('apt', 'apt_clean');
    await this.finish('apt');
  }

  private async rebootPart(): Promise<void> {
    if (this.blocked('reboot')) return;
    const { required } = await new MachineStateRepository(this.d.db.prisma).rebootOutlook(this.d.machineId);
    const skip = rebootSkip(this.d.options, required);
    if (skip)
      return this.progress.skip(
        'reboot',
        skip,
        skip === 'no_reboot_required' ? 'the machine does not require a reboot' : undefined,
      );
    const before = this.d.options.docker ? await this.containers() : [];
    await this.start('reboot');
    const ok = await this.job('reboot', 'reboot_verified');
    if (ok) await this.noteBootIds();
    if (ok && before.some((c) => c.state === 'running') && (await this.job('reboot', 'docker_scan'))) {
      const missing = containersNotBack(before, await this.containers());
      this.progress.note(
        'reboot',
        missing.length
          ? `containers that ran before the reboot and are not running again: ${missing.join(', ')}`
          : `every container that ran before the reboot is running again (${before.filter((c) => c.state === 'running').length})`,
      );
    }
    await this.finish('reboot');
  }

  private async dockerPart(): Promise<void> {
    if (this.blocked('docker') || !this.plan) return;
    const skip = dockerSkip(this.d.options, this.plan.docker.length);
    if (skip)
      return this.progress.skip(
        'docker',
        skip,
        skip === 'no_stack_updates' ? 'no enabled stack has an image update' : undefined,
      );
    await this.start('docker');
    await this.job('docker', 'docker_apply', {}, this.boundTo(this.plan.docker));
    await this.finish('docker');
  }

  /** Prune removes what an update left behind: with no Docker part there is nothing new to remove. */
  private async prunePart(): Promise<void> {
    if (this.blocked('prune')) return;
    const mode = this.d.options.prune;
    if (mode === 'none') return this.progress.skip('prune', 'not_requested');
    if (this.progress.get('docker').status !== 'ok')
      return this.progress.skip('prune', 'no_stack_updates', 'no image was replaced, so nothing new to prune');
    await this.start('prune');
    if (await this.job('prune', 'docker_prune', { pruneMode: mode })) await this.notePrunedBytes();
    await this.finish('prune');
  }

  /** The containers of the machine's latest Docker scan. */
  private async containers(): Promise<DockerContainer[]> {
    const snap = await new SnapshotsRepository(this.d.db.prisma).latest(this.d.machineId, 'docker_scan');
    const parsed = dockerSnapshotSchema.safeParse((snap?.payload as { docker?: unknown } | undefined)?.docker);
    return parsed.success ? (parsed.data.containers ?? []) : [];
  }

  private async executionResult(part: MaintenancePart): Promise<Record<string, unknown> | null> {
    const id = this.progress.get(part).jobs.at(-1)?.executionId;
    const e = id ? await new ExecutionsRepository(this.d.db.prisma).find(id) : null;
    return (e?.result as Record<string, unknown> | null) ?? null;
  }

  private async noteBootIds(): Promise<void> {
    const r = (await this.executionResult('reboot'))?.['reboot'] as
      { beforeBootId?: string; afterBootId?: string; waitedSeconds?: number } | undefined;
    if (r)
      this.progress.note(
        'reboot',
        `boot_id ${r.beforeBootId ?? '?'} → ${r.afterBootId ?? '?'} in ${r.waitedSeconds ?? '?'} s`,
      );
  }

  private async notePrunedBytes(): Promise<void> {
    const docker = (await this.executionResult('prune'))?.['docker'] as
      { prune?: { bytesReclaimed?: number } } | undefined;
    const p = docker?.prune;
    if (p) this.progress.note('prune', `${p.bytesReclaimed ?? 0} bytes reclaimed`);
  }
}
