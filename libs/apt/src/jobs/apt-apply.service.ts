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
} from '@su/contracts';
import {
  AptPackagesRepository,
  Database,
  MachinesRepository,
  ExecutionsRepository,
  JobsRepository,
  ImportantMessagesRepository,
  MachineStateRepository,
  type Tx,
} from '@su/db';
import { MachineConnector } from '@su/machine-access';
import { APP_CONFIG, ClassifiedError, JobOutcomeRecorder, JobsService } from '@su/platform';
import {
  ARCHIVES_SIZE_ARGV,
  DPKG_AUDIT_ARGV,
  DPKG_UNSETTLED_ARGV,
  REBOOT_REQUIRED_ARGV,
  SHOWHOLD_ARGV,
  simulateArgv,
  type AptApplyOptions,
} from '../apt-commands.ts';
import { APT_APPLIES, type AptApplyAction, type AptApplyRecipe } from './apt-apply.recipes.ts';
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
import { parseRebootRequired } from '../reboot-required.parser.ts';
import { markRebootRequiredArgv, rebootPackages } from '../kernel-reboot.rule.ts';
import { recordUnfinishedRuns, storedState } from './partial-run.recorder.ts';
import { renderAptReport } from './apt-report.renderer.ts';
import { ApplyProgressReporter } from './apply-progress.reporter.ts';
import { saveApplied, saveErrors, saveMessages } from './apt-results.writer.ts';
import { combined, openAptSession, type AptJobSession } from './apt-session.ts';

/** An apply as its job asks for it. */
export interface AptApplyRequest {
  machineId: string;
  jobId: string;
  action: AptApplyAction;
  /** apt_upgrade of these packages only (apt-get install --only-upgrade). */
  packages?: string[] | undefined;
  keepLocalConfig?: boolean | undefined;
  /** The plan a person approved (an action request): anything else is refused with plan_drifted. */
  approvedPlan?: ApprovedPlan | undefined;
  signal: AbortSignal;
}

type ApplyFailure = { errorKind: string; message: string; remediation: string; packages?: DpkgAuditProblem[] };

/** One apply under way: its execution, the options of its apt-get calls and its session on the machine. */
interface ApplyRun {
  p: AptApplyRequest;
  recipe: AptApplyRecipe;
  executionId: string;
  startedAt: string;
  opts: AptApplyOptions;
  s: AptJobSession;
}

/** What the machine said: the changes and the plan they came from, what apt printed, and why it failed if it did. */
interface ApplyFindings {
  failure: ApplyFailure | null;
  drift: string | null;
  exitCode: number | null;
  messages: AptMessage[];
  errors: SnapshotError[];
  result: AptExecutionResult;
  afterVersions: Map<string, string>;
}

/** What the apt-get step itself did. */
interface AptGetOutcome {
  exitCode: number | null;
  log: string;
  failure: ApplyFailure | null;
  spaceFreedBytes?: number | undefined;
}

/**
 * Applies APT changes with proof: preflight (dpkg --audit), the plan simulated just before, the package set before
 * and after (dpkg-query), the real diff compared with the plan, reboot-required, important messages, a report — all
 * recorded in one transaction. Never interactive: DEBIAN_FRONTEND=noninteractive, local conffiles kept by default,
 * waiting a bounded time for locks held by other processes (then apt_lock_busy). What differs between the applies
 * is their recipe (apt-apply.recipes.ts).
 */
@Injectable()
export class AptApplyService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JobOutcomeRecorder) private readonly outcomes: JobOutcomeRecorder,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  async apply(p: AptApplyRequest) {
    const run = await this.begin(p);
    let findings: ApplyFindings;
    let raw: RawLogResult | null = null;
    try {
      findings = await this.onMachine(run);
    } finally {
      raw = await run.s.opened.release();
    }
    const { failure, messages, result } = findings;
    const status = failure
      ? 'error'
      : messages.some((m) => m.severity !== 'info') || (result.planComparison && !result.planComparison.matches)
        ? 'warning'
        : 'ok';
    await this.db.transaction((tx) => this.record(tx, run, findings, status, raw));
    if (failure) throw new ClassifiedError(failure.errorKind, failure.message, failure.remediation);
    return {
      executionId: run.executionId,
      status,
      changed: result.applied.length,
      rebootRequired: result.rebootRequiredAfterRun,
    };
  }

  /** The execution on record, the options of the apt-get calls, and the job's one connection. */
  private async begin(p: AptApplyRequest): Promise<ApplyRun> {
    const { machineId, jobId, action } = p;
    const startedAt = new Date().toISOString();
    const executionId = await new ExecutionsRepository(this.db.prisma).start({
      machineId,
      action,
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
    return { p, recipe: APT_APPLIES[action], executionId, startedAt, opts, s };
  }

  /** Everything done on the machine, in order: the checks that may refuse, the apply, and the state it left. */
  private async onMachine(run: ApplyRun): Promise<ApplyFindings> {
    const { p, s } = run;
    await recordUnfinishedRuns(this.db, s, p.machineId, p.jobId);
    let failure: ApplyFailure | null = await this.preflight(s);
    const held = parseShowhold((await s.run(SHOWHOLD_ARGV)).stdout);
    const planned = failure ? [] : await this.plan(s, run.recipe, p.packages, held, p.machineId);
    // Approved: this exact plan, simulated now, just before applying. Anything else waits for a new decision.
    const drift = !failure && p.approvedPlan ? planDrift(p.approvedPlan, planned.map(plannedChangeOf)) : null;
    if (drift) failure = driftFailure(drift);
    const before = parseDpkgQuery((await s.run(DPKG_QUERY_ARGV, { sudo: true })).stdout);
    let aptGet: AptGetOutcome | null = null;
    if (!failure) {
      // Kept before anything changes: if this run never finishes, the next contact diffs against it.
      await new ExecutionsRepository(this.db.prisma).recordBeforeState(run.executionId, storedState(before));
      aptGet = await this.runAptGet(run);
      failure = aptGet.failure;
    }
    const after = parseDpkgQuery((await s.run(DPKG_QUERY_ARGV, { sudo: true })).stdout);
    const reboot = parseRebootRequired((await s.run(REBOOT_REQUIRED_ARGV)).stdout);
    const applied = diffPackageSets(before, after);
    // A held package is the analysis' one "held" notice, not a "kept back" notice again from every apply.
    const messages = (await this.attributeConffiles(s, extractAptMessages(aptGet?.log ?? ''))).filter(
      (m) => !(m.category === 'kept_back' && m.packageName !== null && held.includes(m.packageName)),
    );
    const errors: SnapshotError[] = failure ? [errorOfFailure(failure)] : [];
    const kernels = rebootPackages(applied.filter((c) => c.operation !== 'removed').map((c) => c.name));
    if (kernels.length) await s.run(markRebootRequiredArgv(kernels), { sudo: true });
    const result: AptExecutionResult = {
      planned,
      applied,
      installed: applied.filter((c) => c.operation === 'installed'),
      removed: applied.filter((c) => c.operation === 'removed'),
      held,
      errors,
      // A kernel changed: a reboot is needed even when no hook wrote /run/reboot-required.
      rebootRequiredAfterRun: reboot.rebootRequired || kernels.length > 0,
      rebootPkgs: [...new Set([...reboot.rebootPkgs, ...kernels])],
      ...(run.recipe.comparesPlan ? { planComparison: comparePlan(planned, applied) } : {}),
      ...(aptGet?.spaceFreedBytes === undefined ? {} : { spaceFreedBytes: aptGet.spaceFreedBytes }),
    };
    const afterVersions = new Map(after.filter((pk) => pk.present).map((pk) => [pk.name, pk.version]));
    return { failure, drift, exitCode: aptGet?.exitCode ?? null, messages, errors, result, afterVersions };
  }

  /** Fails closed: dpkg left half-done work, or the check itself could not run → refuse, with the remediation. */
  private async preflight(s: AptJobSession): Promise<ApplyFailure | null> {
    return dpkgStateFailure(
      parseDpkgAudit(await s.run(DPKG_AUDIT_ARGV, { sudo: true }), await s.run(DPKG_UNSETTLED_ARGV, { sudo: true })),
    );
  }

  /** The apt-get call of the recipe, with live progress, and the space it freed where the recipe measures it. */
  private async runAptGet(run: ApplyRun): Promise<AptGetOutcome> {
    const { p, s, recipe, opts } = run;
    const archivesSize = async () => parseDuBytes((await s.run(ARCHIVES_SIZE_ARGV, { sudo: true })).stdout);
    const sizeBefore = recipe.spaceFreed === 'archives_size' ? await archivesSize() : null;
    if (opts.proxy) await syncProxyFile(s, opts.proxy);
    const progress = new ApplyProgressReporter(this.db, p.machineId, p.jobId, p.action);
    progress.start();
    const out = await s
      .run(recipe.argv(opts, p.packages), {
        sudo: true,
        timeoutMs: 2 * 60 * 60_000,
        idleTimeoutMs: 30 * 60_000,
        onOutput: progress.onOutput,
      })
      .finally(() => progress.stop());
    const log = combined(out);
    const failure =
      out.exitCode === 0
        ? null
        : (classifyAptFailure(out.exitCode ?? 1, out.stdout, out.stderr) ?? {
            errorKind: 'command_failed',
            message: `apt-get exited with ${out.exitCode}`,
            remediation: 'Read the important messages and the raw log.',
          });
    let spaceFreedBytes: number | undefined;
    if (recipe.spaceFreed === 'apt_output') spaceFreedBytes = parseAptSpaceFreed(log) ?? undefined;
    if (recipe.spaceFreed === 'archives_size' && sizeBefore !== null) {
      const after = await archivesSize();
      if (after !== null) spaceFreedBytes = Math.max(0, sizeBefore - after);
    }
    return { exitCode: out.exitCode, log, failure, spaceFreedBytes };
  }

  /** The outcome in one transaction: execution, report, raw log, derived rows, the tile, messages and the event. */
  private async record(tx: Tx, run: ApplyRun, f: ApplyFindings, status: string, raw: RawLogResult | null) {
    const { p, executionId, startedAt } = run;
    const { machineId, jobId, action } = p;
    const { failure, drift, result, messages, errors } = f;
    const actor = { type: 'system' as const, id: `job:${jobId}` };
    const finishedAt = new Date().toISOString();
    const machineName = run.s.opened.machine.name;
    const origin = await new JobsRepository(tx).requestOrigin(jobId);
    await this.outcomes.record(
      tx,
      {
        machineId,
        jobId,
        executionId,
        actor,
        rawLog: raw,
        report: {
          title: `${action}-${machineName}-${startedAt.slice(0, 19)}`,
          markdown: renderAptReport({
            machineName,
            action,
            status,
            startedAt,
            finishedAt,
            result,
            messages,
            errors,
            origin,
          }),
          summary: { status, changed: result.applied.length, rebootRequired: result.rebootRequiredAfterRun },
        },
        execution: {
          status,
          result: {
            schemaVersion: 1,
            action,
            executionId,
            machineId,
            startedAt,
            finishedAt,
            status,
            rebootRequiredAfterRun: result.rebootRequiredAfterRun,
            importantLogLines: messages.map((m) => m.message).slice(0, 50),
            apt: result,
          },
          importantJson: {
            status,
            changed: result.applied.map((c) => `${c.name} ${c.fromVersion ?? '∅'} → ${c.toVersion ?? '∅'}`),
            errors: errors.map((e) => e.kind),
            rebootRequired: result.rebootRequiredAfterRun,
          },
          exitCode: f.exitCode,
          errorKind: failure?.errorKind ?? null,
          errorMessage: failure?.message ?? null,
        },
        event: {
          eventType: drift ? 'apt.plan_drifted' : failure ? 'apt.apply_failed' : 'apt.applied',
          severity: failure ? 'error' : status === 'warning' ? 'warning' : 'info',
          message: failure
            ? `${action} failed: ${failure.errorKind}: ${failure.message}`
            : `${action}: ${result.applied.length} package(s) changed${result.rebootRequiredAfterRun ? ', reboot required' : ''}`,
          payload: { executionId, ...(p.approvedPlan ? { requestId: p.approvedPlan.requestId } : {}) },
        },
      },
      ({ rawArtifactId }) => this.recordDetails(tx, run, f, rawArtifactId),
    );
    // The plan on record is stale after a change, or known to be when the approved one drifted: analyse again once
    // this job releases the machine, so the person sees what a new request would approve.
    if (result.applied.length || drift)
      await this.jobs.enqueueIn(tx, { kind: 'apt.update_analyze', payload: {}, machineId, actor });
  }

  /** The apply's own rows: package changes, errors, messages, the tile's counts, and a drifted plan's notice. */
  private async recordDetails(tx: Tx, run: ApplyRun, f: ApplyFindings, rawArtifactId: string | null) {
    const { p, executionId } = run;
    const { machineId, jobId } = p;
    const { failure, drift, result } = f;
    await saveApplied(tx, machineId, executionId, result.applied);
    await saveErrors(tx, machineId, { executionId }, f.errors);
    await saveMessages(tx, machineId, { executionId, rawArtifactId }, f.messages);
    const state = new MachineStateRepository(tx);
    await state.setRebootRequired(machineId, result.rebootRequiredAfterRun);
    // The tile tells what is left right away, not after the follow-up analysis: the plan minus what dpkg now has.
    const left = await new AptPackagesRepository(tx).remainingCounts(machineId, f.afterVersions);
    await state.setAptCounts(machineId, {
      updates: left.updates,
      security: left.security,
      rebootAfterApply: rebootPackages(left.pending).length > 0,
    });
    if (failure) await this.outcomes.recordFailure(tx, machineId, failure);
    if (drift)
      await new ImportantMessagesRepository(tx).upsert({
        machineId,
        source: 'apt',
        category: 'plan_drifted',
        severity: 'warning',
        message: `The approved ${p.action} was not applied: ${drift}. Review the new analysis and make a new request.`,
        dedupKey: `plan_drifted:${p.approvedPlan?.requestId ?? jobId}`,
        executionId,
        rawLineRef: null,
      });
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
    recipe: AptApplyRecipe,
    packages: string[] | undefined,
    held: string[],
    machineId: string,
  ): Promise<AptPackage[]> {
    if (!recipe.simulate) return [];
    const sim = parseAptSimulation(combined(await s.run(simulateArgv(recipe.simulate))));
    return simulatedPlan(sim, held, await new MachinesRepository(this.db.prisma).osFamily(machineId), packages);
  }
}

/** An approved plan that the machine would no longer follow: nothing is applied. */
function driftFailure(drift: string): ApplyFailure {
  return {
    errorKind: 'plan_drifted',
    message: `nothing was applied: ${drift}`,
    remediation:
      'The machine would now change other packages than the ones approved. Review the new analysis (queued) and make a new request.',
  };
}

function errorOfFailure(failure: ApplyFailure): SnapshotError {
  return {
    source: 'apt',
    kind: failure.errorKind,
    severity: 'error',
    message: failure.message,
    remediation: failure.remediation,
    ...(failure.packages?.length ? { importantLines: failure.packages.map((pk) => `${pk.name} ${pk.state}`) } : {}),
  };
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
