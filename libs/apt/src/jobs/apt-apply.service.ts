import type { RawLogResult } from '@su/ssh';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import {
  planDrift,
  plannedChangeOf,
  type ApprovedPlan,
  type AptExecutionResult,
  type AptPackage,
  type SnapshotError,
  type MachineAction,
  machineStatusAfter,
} from '@su/contracts';
import {
  AptPackagesRepository,
  Database,
  MachinesRepository,
  ExecutionsRepository,
  JobsRepository,
  ImportantMessagesRepository,
  MachineEventsRepository,
  MachineStateRepository,
  RawArtifactsRepository,
} from '@su/db';
import { MachineConnector } from '@su/machine-access';
import { APP_CONFIG, ClassifiedError, JobsService, ReportWriter } from '@su/platform';
import {
  applyDistUpgradeArgv,
  applyOnlyUpgradeArgv,
  applyUpgradeArgv,
  ARCHIVES_SIZE_ARGV,
  autoremoveArgv,
  cleanArgv,
  DPKG_AUDIT_ARGV,
  DPKG_UNSETTLED_ARGV,
  REBOOT_REQUIRED_ARGV,
  SHOWHOLD_ARGV,
  simulateArgv,
  type AptApplyOptions,
} from '../apt-commands.ts';
import { syncProxyFile } from './apt-proxy.sync.ts';
import { classifyAptFailure } from '../apt-failure.classifier.ts';
import { dpkgStateFailure, parseDpkgAudit, type DpkgAuditProblem } from '../dpkg-audit.parser.ts';
import { parseAptSpaceFreed, parseDuBytes } from '../apt-maintenance.parser.ts';
import { extractAptMessages, messageDedupKey, type AptMessage } from '../apt-messages.extractor.ts';
import {
  buildAptSnapshotDetail,
  parseAptSimulation,
  parseShowhold,
  type AptSimulation,
} from '../apt-simulation.parser.ts';
import { comparePlan, diffPackageSets, DPKG_QUERY_ARGV, parseDpkgQuery } from '../dpkg-state.parser.ts';
import { parseRebootRequired, rebootPackages } from '../reboot-required.parser.ts';
import { recordUnfinishedRuns, storedState } from './partial-run.recorder.ts';
import { renderAptReport } from './apt-report.renderer.ts';
import { ApplyProgressReporter } from './apply-progress.reporter.ts';
import { saveApplied, saveErrors, saveMessages } from './apt-results.writer.ts';
import { combined, openAptSession, type AptJobSession } from './apt-session.ts';

/** The APT applies this service carries out, named by their machine action (contracts `MACHINE_ACTIONS`). */
export type AptApplyAction = Extract<
  MachineAction,
  'apt_upgrade' | 'apt_dist_upgrade' | 'apt_autoremove' | 'apt_clean'
>;

/**
 * Applies APT changes with proof: preflight (dpkg --audit), the plan simulated just before, the package set before
 * and after (dpkg-query), the real diff compared with the plan, reboot-required, important messages, a report — all
 * recorded in one transaction. Never interactive: DEBIAN_FRONTEND=noninteractive, local conffiles kept by default,
 * waiting a bounded time for locks held by other processes (then apt_lock_busy).
 */
@Injectable()
export class AptApplyService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ReportWriter) private readonly reports: ReportWriter,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  async apply(p: {
    machineId: string;
    jobId: string;
    action: AptApplyAction;
    /** apt_upgrade of these packages only (apt-get install --only-upgrade). */
    packages?: string[];
    keepLocalConfig?: boolean;
    /** The plan a person approved (an action request): anything else is refused with plan_drifted. */
    approvedPlan?: ApprovedPlan;
    signal: AbortSignal;
  }) {
    const { machineId, jobId, action } = p;
    const actor = { type: 'system' as const, id: `job:${jobId}` };
    const startedAt = new Date().toISOString();
    const executionId = await new ExecutionsRepository(this.db.prisma).start({
      machineId,
      action: action,
      mode: 'manual',
      jobId,
      requestId: p.approvedPlan?.requestId ?? null,
    });
    const opts: AptApplyOptions = {
      lockTimeoutSeconds: this.config.apt.lockTimeoutSeconds,
      conffiles: p.keepLocalConfig === false ? 'take-maintainer' : 'keep-local',
      proxy: await new MachinesRepository(this.db.prisma).aptProxy(machineId),
    };
    const s = await openAptSession(this.connector, this.config, machineId, jobId, action, p.signal);
    const errors: SnapshotError[] = [];
    let failure: { errorKind: string; message: string; remediation: string; packages?: DpkgAuditProblem[] } | null =
      null;
    let drift: string | null = null;
    let log = '';
    let exitCode: number | null = null;
    let raw: RawLogResult | null = null;
    let result: AptExecutionResult;
    let messages: AptMessage[] = [];
    let afterVersions: Map<string, string> | null = null;
    try {
      await recordUnfinishedRuns(this.db, s, machineId, jobId);
      // Preflight, failing closed: dpkg left half-done work, or the check itself could not run → refuse, with the
      // remediation, before touching anything.
      const audit = dpkgStateFailure(
        parseDpkgAudit(await s.run(DPKG_AUDIT_ARGV, { sudo: true }), await s.run(DPKG_UNSETTLED_ARGV, { sudo: true })),
      );
      if (audit) failure = audit;
      const held = parseShowhold((await s.run(SHOWHOLD_ARGV)).stdout);
      const planned = failure ? [] : await this.plan(s, action, p.packages, held, machineId);
      // Approved: this exact plan, simulated now, just before applying. Anything else waits for a new decision.
      drift = !failure && p.approvedPlan ? planDrift(p.approvedPlan, planned.map(plannedChangeOf)) : null;
      if (drift)
        failure = {
          errorKind: 'plan_drifted',
          message: `nothing was applied: ${drift}`,
          remediation:
            'The machine would now change other packages than the ones approved. Review the new analysis (queued) and make a new request.',
        };
      const before = parseDpkgQuery((await s.run(DPKG_QUERY_ARGV, { sudo: true })).stdout);
      // Kept before anything changes: if this run never finishes, the next contact diffs against it.
      if (!failure) await new ExecutionsRepository(this.db.prisma).recordBeforeState(executionId, storedState(before));
      let spaceFreedBytes: number | undefined;
      if (!failure) {
        const sizeBefore =
          action === 'apt_clean' ? parseDuBytes((await s.run(ARCHIVES_SIZE_ARGV, { sudo: true })).stdout) : null;
        const argv =
          action === 'apt_upgrade'
            ? p.packages
              ? applyOnlyUpgradeArgv(p.packages, opts)
              : applyUpgradeArgv(opts)
            : action === 'apt_dist_upgrade'
              ? applyDistUpgradeArgv(opts)
              : action === 'apt_autoremove'
                ? autoremoveArgv(opts)
                : cleanArgv(opts);
        if (opts.proxy) await syncProxyFile(s, opts.proxy);
        const progress = new ApplyProgressReporter(this.db, machineId, jobId, action);
        progress.start();
        const run = await s
          .run(argv, {
            sudo: true,
            timeoutMs: 2 * 60 * 60_000,
            idleTimeoutMs: 30 * 60_000,
            onOutput: progress.onOutput,
          })
          .finally(() => progress.stop());
        exitCode = run.exitCode;
        log = combined(run);
        if (run.exitCode !== 0)
          failure = classifyAptFailure(run.exitCode ?? 1, run.stdout, run.stderr) ?? {
            errorKind: 'command_failed',
            message: `apt-get exited with ${run.exitCode}`,
            remediation: 'Read the important messages and the raw log.',
          };
        if (action === 'apt_autoremove') spaceFreedBytes = parseAptSpaceFreed(log) ?? undefined;
        if (action === 'apt_clean' && sizeBefore !== null) {
          const after = parseDuBytes((await s.run(ARCHIVES_SIZE_ARGV, { sudo: true })).stdout);
          if (after !== null) spaceFreedBytes = Math.max(0, sizeBefore - after);
        }
      }
      const after = parseDpkgQuery((await s.run(DPKG_QUERY_ARGV, { sudo: true })).stdout);
      afterVersions = new Map(after.filter((pk) => pk.present).map((pk) => [pk.name, pk.version]));
      const reboot = parseRebootRequired((await s.run(REBOOT_REQUIRED_ARGV)).stdout);
      const applied = diffPackageSets(before, after);
      // A held package is the analysis' one "held" notice, not a "kept back" notice again from every apply.
      messages = (await this.attributeConffiles(s, extractAptMessages(log))).filter(
        (m) => !(m.category === 'kept_back' && m.packageName !== null && held.includes(m.packageName)),
      );
      if (failure)
        errors.push({
          source: 'apt',
          kind: failure.errorKind,
          severity: 'error',
          message: failure.message,
          remediation: failure.remediation,
          ...(failure.packages?.length
            ? { importantLines: failure.packages.map((pk) => `${pk.name} ${pk.state}`) }
            : {}),
        });
      const kernels = rebootPackages(applied.filter((c) => c.operation !== 'removed').map((c) => c.name));
      result = {
        planned,
        applied,
        installed: applied.filter((c) => c.operation === 'installed'),
        removed: applied.filter((c) => c.operation === 'removed'),
        held,
        errors,
        // A kernel changed: a reboot is needed even when no hook wrote /run/reboot-required.
        rebootRequiredAfterRun: reboot.rebootRequired || kernels.length > 0,
        rebootPkgs: [...new Set([...reboot.rebootPkgs, ...kernels])],
        ...(action === 'apt_upgrade' || action === 'apt_dist_upgrade'
          ? { planComparison: comparePlan(planned, applied) }
          : {}),
        ...(spaceFreedBytes === undefined ? {} : { spaceFreedBytes }),
      };
    } finally {
      raw = await s.opened.release();
    }
    const status = failure
      ? 'error'
      : messages.some((m) => m.severity !== 'info') || (result.planComparison && !result.planComparison.matches)
        ? 'warning'
        : 'ok';
    const finishedAt = new Date().toISOString();
    await this.db.transaction(async (tx) => {
      const rawArtifactId = await new RawArtifactsRepository(tx).insertRawLog(machineId, jobId, raw);
      const reportId = await this.reports.write(tx, {
        machineId,
        executionId,
        kind: 'machine',
        title: `${action}-${s.opened.machine.name}-${startedAt.slice(0, 19)}`,
        markdown: renderAptReport({
          machineName: s.opened.machine.name,
          action: action,
          status,
          startedAt,
          finishedAt,
          result,
          messages,
          errors,
          origin: await new JobsRepository(tx).requestOrigin(jobId),
        }),
        summary: { status, changed: result.applied.length, rebootRequired: result.rebootRequiredAfterRun },
      });
      await new ExecutionsRepository(tx).finish(executionId, {
        status,
        result: {
          schemaVersion: 1,
          action: action,
          executionId,
          machineId,
          startedAt,
          finishedAt,
          status,
          rebootRequiredAfterRun: result.rebootRequiredAfterRun,
          importantLogLines: messages.map((m) => m.message).slice(0, 50),
          apt: result,
        } as object,
        importantJson: {
          status,
          changed: result.applied.map((c) => `${c.name} ${c.fromVersion ?? '∅'} → ${c.toVersion ?? '∅'}`),
          errors: errors.map((e) => e.kind),
          rebootRequired: result.rebootRequiredAfterRun,
        },
        exitCode,
        errorKind: failure?.errorKind ?? null,
        errorMessage: failure?.message ?? null,
        rawArtifactId,
        reportId,
      });
      await saveApplied(tx, machineId, executionId, result.applied);
      await saveErrors(tx, machineId, { executionId }, errors);
      await saveMessages(tx, machineId, { executionId, rawArtifactId }, messages);
      await new MachineStateRepository(tx).setRebootRequired(machineId, result.rebootRequiredAfterRun);
      // The tile tells what is left right away, not after the follow-up analysis: the plan minus what dpkg now has.
      if (afterVersions)
        await new MachineStateRepository(tx).setAptCounts(
          machineId,
          await new AptPackagesRepository(tx).remainingCounts(machineId, afterVersions),
        );
      if (failure) {
        const status = machineStatusAfter({ kind: 'failed', errorKind: failure.errorKind });
        await new MachineStateRepository(tx).recordError(machineId, failure.errorKind, failure.message, status);
      }
      if (drift) {
        await new ImportantMessagesRepository(tx).upsert({
          machineId,
          source: 'apt',
          category: 'plan_drifted',
          severity: 'warning',
          message: `The approved ${action} was not applied: ${drift}. Review the new analysis and make a new request.`,
          dedupKey: `plan_drifted:${p.approvedPlan?.requestId ?? jobId}`,
          executionId,
          rawLineRef: null,
        });
      }
      await new MachineEventsRepository(tx).insert({
        machineId,
        eventType: drift ? 'apt.plan_drifted' : failure ? 'apt.apply_failed' : 'apt.applied',
        severity: failure ? 'error' : status === 'warning' ? 'warning' : 'info',
        actor,
        jobId,
        message: failure
          ? `${action} failed: ${failure.errorKind}: ${failure.message}`
          : `${action}: ${result.applied.length} package(s) changed${result.rebootRequiredAfterRun ? ', reboot required' : ''}`,
        payload: { executionId, ...(p.approvedPlan ? { requestId: p.approvedPlan.requestId } : {}) },
      });
      // The plan on record is stale after a change, or known to be when the approved one drifted: analyse again once
      // this job releases the machine, so the person sees what a new request would approve.
      if (result.applied.length || drift)
        await this.jobs.enqueueIn(tx, { kind: 'apt.update_analyze', payload: {}, machineId, actor });
    });
    if (failure) throw new ClassifiedError(failure.errorKind, failure.message, failure.remediation);
    return { executionId, status, changed: result.applied.length, rebootRequired: result.rebootRequiredAfterRun };
  }

  /**
   * dpkg prints a conffile decision under whichever "Setting up" line came last, which is not always the owner's
   * (configuration order varies). The file's owner, asked from dpkg, is the package the message is about.
   */
  private async attributeConffiles(s: AptJobSession, messages: AptMessage[]): Promise<AptMessage[]> {
    const out: AptMessage[] = [];
    for (const m of messages) {
      const path = m.category === 'conffile' ? /'(\/[^']+)'/.exec(m.message)?.[1] : undefined;
      if (!path) {
        out.push(m);
        continue;
      }
      const owner =
        /^([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?: /m.exec((await s.run(['dpkg-query', '-S', path])).stdout)?.[1] ??
        m.packageName;
      out.push({ ...m, packageName: owner, dedupKey: messageDedupKey(m.category, owner, m.message) });
    }
    return out;
  }

  /** The plan simulated right before applying, in the same terms as an analysis. */
  private async plan(
    s: AptJobSession,
    action: AptApplyAction,
    packages: string[] | undefined,
    held: string[],
    machineId: string,
  ): Promise<AptPackage[]> {
    if (action === 'apt_clean') return [];
    const argv =
      action === 'apt_dist_upgrade'
        ? simulateArgv('dist-upgrade')
        : action === 'apt_autoremove'
          ? simulateArgv('autoremove')
          : simulateArgv('upgrade');
    const sim = parseAptSimulation(combined(await s.run(argv)));
    return simulatedPlan(sim, held, await new MachinesRepository(this.db.prisma).osFamily(machineId), packages);
  }
}

/**
 * The packages a simulation says an apply changes (only `packages` when given), built as an analysis builds its plan, so that an
 * approval of an unchanged plan (contracts `analysisPlanOf`) hashes the same (apt-apply.service.spec.ts).
 */
export function simulatedPlan(sim: AptSimulation, held: string[], osFamily: string, packages?: string[]): AptPackage[] {
  const detail = buildAptSnapshotDetail({
    osFamily,
    upgrade: sim,
    distUpgrade: sim,
    held,
    phased: [],
    rebootRequired: false,
    rebootPkgs: [],
    listsRefreshedAt: null,
    errors: [],
  });
  const all = [...detail.packages, ...(detail.installed ?? []), ...(detail.removed ?? [])];
  return packages ? all.filter((pk) => packages.includes(pk.name)) : all;
}
