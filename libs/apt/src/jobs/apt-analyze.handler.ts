import type { RawLogResult } from '@su/ssh';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import type {
  AptPackage,
  AptProxySetting,
  AptRepositoryView,
  JobResult,
  SnapshotError,
  UpdateSnapshot,
} from '@su/contracts';
import { PACKAGE_CHANGING_ACTIONS } from '@su/contracts';
import { AptAnalysisRepository, Database } from '@su/db';
import { MachineConnector } from '@su/machine-access';
import { APP_CONFIG, machineJob, type JobContext, type JobHandler } from '@su/platform';
import {
  analysisScript,
  ANALYSIS_STEPS,
  splitAnalysisOutput,
  type AnalysisStep,
  type StepOutput,
} from '../analysis.script.ts';
import { policyArgv } from '../apt-commands.ts';
import { reduceAptLines } from '../apt-dedup.ts';
import { classifyAptFailure } from '../apt-failure.classifier.ts';
import { dpkgStateFailure, parseDpkgAudit } from '../dpkg-audit.parser.ts';
import { extractAptMessages } from '../apt-messages.extractor.ts';
import {
  buildAptSnapshotDetail,
  parseAptSimulation,
  parsePhasedFromPolicy,
  parseShowhold,
  type AptSimulation,
  type SnapshotInput,
} from '../apt-simulation.parser.ts';
import { parseAptUpdate } from '../apt-update.parser.ts';
import { parseRebootRequired } from '../reboot-required.parser.ts';
import { rebootAfterApply } from '../kernel-reboot.rule.ts';
import { parsePhasedPercentages, phasedMessages, withPhased } from '../phased-updates.ts';
import { parseOsVersion } from '../os-release.parser.ts';
import { parseSources, repositoryFlags } from '../apt-sources.parser.ts';
import { parsePackagePolicy, parseReleaseTable, withPolicy, type PolicyInfo } from '../apt-policy.parser.ts';
import { heldMessages } from './held-messages.ts';
import { openAptSession, type AptJobSession } from './apt-session.ts';
import { simulatedPlan } from './apt-apply.service.ts';
import { recordUnfinishedRuns } from './partial-run.recorder.ts';
import { analysisRecordRows } from './analysis-record.ts';

/** A script step as a command's output: the script merges the streams; dpkg's complaints start with "dpkg". */
function mergedOutput(step: StepOutput) {
  const stderr = step.output
    .split('\n')
    .filter((l) => /^dpkg(-query)?: /.test(l))
    .join('\n');
  return { exitCode: step.exitCode, stdout: step.output, stderr };
}

type StepOf = (name: AnalysisStep) => StepOutput;

/** What the analysis read on the machine, before it is written down. */
interface AnalysisFindings {
  log: string;
  snapshotInput: SnapshotInput;
  dpkgDamaged: boolean;
  policy: PolicyInfo;
  phasedPercentages: Map<string, number>;
  osVersion: string;
  repositories: AptRepositoryView[];
  autoremove: AptPackage[] | undefined;
}

/**
 * apt.update_analyze: refresh the lists, simulate upgrade and dist-upgrade, read holds, phasing and reboot-required
 * (one sudo'd script, see analysis.script.ts), and write the UpdateSnapshot with its derived rows and machine_state in one
 * statement (ADR 0057).
 * Repository problems become SnapshotErrors and the rest of the analysis still completes.
 */
@Injectable()
export class AptAnalyzeHandler implements JobHandler<'apt.update_analyze'> {
  readonly kind = 'apt.update_analyze' as const;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async handle(ctx: JobContext<'apt.update_analyze'>): Promise<JobResult<'apt.update_analyze'>> {
    const { machineId, jobId } = machineJob(ctx);
    // The machine's settings, unfinished applies and latest apply are read (one statement) while the connection
    // opens: every step in line costs a wait on a busy host. Under the machine's lock no apply starts or ends until
    // the record, and completing an unfinished one's diff leaves its status alone (ADR 0057).
    const analyses = new AptAnalysisRepository(this.db);
    const start = analyses.startingPoint(machineId, PACKAGE_CHANGING_ACTIONS);
    const unfinished = start.then((p) => p.unfinished);
    // Awaited below; a failure is the job's once the connection is open.
    start.catch(() => undefined);
    unfinished.catch(() => undefined);
    const s = await openAptSession(this.connector, this.config, machineId, jobId, 'apt.update_analyze', ctx.signal);
    let found: AnalysisFindings;
    let raw: RawLogResult | null = null;
    try {
      const [machine] = await Promise.all([start, recordUnfinishedRuns(this.db, s, machineId, jobId, unfinished)]);
      found = await this.readMachine(s, machine, ctx.signal);
    } finally {
      raw = await s.opened.release();
    }
    const { snapshotInput } = found;
    const planned = withPolicy(
      buildAptSnapshotDetail(snapshotInput),
      found.policy,
      snapshotInput.held,
      snapshotInput.osFamily,
    );
    const detail = {
      ...withPhased(planned, found.phasedPercentages),
      ...rebootAfterApply(planned),
      repositories: found.repositories,
      ...(found.autoremove ? { autoremove: found.autoremove } : {}),
    };
    const status = found.dpkgDamaged ? 'error' : (detail.status ?? 'ok');
    const snapshot: UpdateSnapshot = {
      schemaVersion: 1,
      kind: 'apt_update_analyze',
      machineId,
      hostname: s.opened.machine.hostname,
      os: { family: snapshotInput.osFamily, version: found.osVersion },
      checkedAt: new Date().toISOString(),
      status,
      apt: detail,
      errors: detail.errors ?? [],
      rawHints: { logImportantLines: reduceAptLines(found.log).slice(0, 200) },
    };
    const messages = phasedMessages(heldMessages(extractAptMessages(found.log), detail), detail);
    const securityCount = detail.securityCount ?? detail.packages.filter((p) => p.security).length;
    const { lastApply } = await start;
    // One statement, all or nothing; the plan last, for the pending-update groups it locks (ADR 0054, 0057).
    const snapshotId = await analyses.record(
      analysisRecordRows({ machineId, jobId, raw, snapshot, detail, status, messages, securityCount }, lastApply),
    );
    return { snapshotId, status, updates: detail.count, security: securityCount };
  }

  /** The analysis script on the machine, then what its steps say, each problem as a SnapshotError in order. */
  private async readMachine(
    s: AptJobSession,
    machine: { proxy: AptProxySetting; osFamily: string },
    signal: AbortSignal,
  ): Promise<AnalysisFindings> {
    const { proxy } = machine;
    const script = await s.opened.session.runScript(
      analysisScript({ lockTimeoutSeconds: this.config.apt.lockTimeoutSeconds, proxy }),
      { sudo: true, timeoutMs: 20 * 60_000, signal },
    );
    const steps = splitAnalysisOutput(script.stdout);
    const step: StepOf = (name) => steps.get(name) ?? { output: '', exitCode: null };
    // A damaged package database comes first: it is what the tile shows, and applies are refused until repaired.
    const dpkg = dpkgErrorOf(step);
    const update = step('update');
    const parsedUpdate = parseAptUpdate(update.exitCode ?? 1, update.output);
    const dist = step('dist-upgrade');
    const upgrade = step('upgrade').exitCode === 0 ? parseAptSimulation(step('upgrade').output) : null;
    const distUpgrade = dist.exitCode === 0 ? parseAptSimulation(dist.output) : null;
    const errors: SnapshotError[] = [
      ...missingSteps(steps),
      ...(dpkg ? [dpkg] : []),
      ...lockErrorOf(update),
      ...parsedUpdate.errors,
      ...(distUpgrade ? [] : [simulationFailed(dist)]),
    ];
    const held = parseShowhold(step('showhold').output);
    const keptBack = [...new Set([...(upgrade?.keptBack ?? []), ...(distUpgrade?.keptBack ?? [])].map((k) => k.name))];
    const { policy, phased, phasedPercentages } = await this.policyOf(s, step, distUpgrade ?? upgrade, keptBack, held);
    const reboot = parseRebootRequired(step('reboot').output);
    const snapshotInput: SnapshotInput = {
      osFamily: machine.osFamily,
      upgrade,
      distUpgrade,
      held,
      phased,
      rebootRequired: reboot.rebootRequired,
      rebootPkgs: reboot.rebootPkgs,
      listsRefreshedAt: parsedUpdate.refreshed ? new Date().toISOString() : null,
      errors,
    };
    // Built exactly as the apply simulates it just before running, so an unchanged machine's plan hashes the same.
    const auto = step('autoremove');
    const autoremove =
      auto.exitCode === 0 ? simulatedPlan(parseAptSimulation(auto.output), held, snapshotInput.osFamily) : undefined;
    return {
      log: script.stdout,
      snapshotInput,
      dpkgDamaged: dpkg !== null,
      policy,
      phasedPercentages,
      osVersion: parseOsVersion(step('os').output),
      repositories: repositoriesOf(step, policy),
      autoremove,
    };
  }

  /**
   * One `apt-cache policy` of every package the analysis names: the sources of each candidate (origin, label, suite,
   * codename of every suite offering it), the held ones' pending versions, and phasing (on apt 2.6 only the policy's
   * candidate line says "(phased N%)").
   */
  private async policyOf(
    s: AptJobSession,
    step: StepOf,
    simulation: AptSimulation | null,
    keptBack: string[],
    held: string[],
  ): Promise<{ policy: PolicyInfo; phased: string[]; phasedPercentages: Map<string, number> }> {
    const named = [
      ...new Set([
        ...(simulation?.actions.filter((a) => a.operation !== 'remove').map((a) => a.name) ?? []),
        ...keptBack,
        ...held,
      ]),
    ];
    const policyOut = named.length ? await packagePolicy(s, step('package-policy'), named) : '';
    return {
      policy: { releases: parseReleaseTable(step('policy').output), packages: parsePackagePolicy(policyOut) },
      phased: parsePhasedFromPolicy(policyOut).filter((n) => keptBack.includes(n)),
      phasedPercentages: parsePhasedPercentages(policyOut),
    };
  }
}

/**
 * The policy of `named`: the script's (it read the names from the same simulations) when it ran and covers every one,
 * else one `apt-cache policy` of exactly these over a channel of its own, as before the script read it.
 */
async function packagePolicy(s: AptJobSession, fromScript: StepOutput, named: string[]): Promise<string> {
  if (fromScript.exitCode === 0) {
    const read = parsePackagePolicy(fromScript.output);
    if (named.every((n) => read.has(n.split(':')[0] ?? n))) return fromScript.output;
  }
  return (await s.run(policyArgv(named))).stdout;
}

/** A step the script did not report (cut short, a file it could not write): the analysis is incomplete, not clean. */
function missingSteps(steps: ReadonlyMap<AnalysisStep, StepOutput>): SnapshotError[] {
  const missing = ANALYSIS_STEPS.filter((name) => !steps.has(name));
  if (missing.length === 0) return [];
  return [
    {
      source: 'apt',
      kind: 'analysis_incomplete',
      severity: 'error',
      message: `the analysis did not report: ${missing.join(', ')}`,
      remediation: 'Check that the machine can write to its temporary directory (mktemp -d) and analyse it again.',
    },
  ];
}

/** dpkg's audit and its unsettled packages: the database is damaged, or the check itself could not run. */
function dpkgErrorOf(step: StepOf): SnapshotError | null {
  const dpkg = dpkgStateFailure(parseDpkgAudit(mergedOutput(step('dpkg-audit')), mergedOutput(step('dpkg-unsettled'))));
  if (!dpkg) return null;
  return {
    source: 'apt',
    kind: dpkg.errorKind,
    severity: 'error',
    message: dpkg.message,
    remediation: dpkg.remediation,
    ...(dpkg.packages.length ? { importantLines: dpkg.packages.map((pk) => `${pk.name} ${pk.state}`) } : {}),
  };
}

/** apt-get update waited for a lock and gave up (or another known failure): the lists are as old as they were. */
function lockErrorOf(update: StepOutput): SnapshotError[] {
  const lock = update.exitCode === 0 ? null : classifyAptFailure(update.exitCode ?? 1, update.output, '');
  if (!lock || lock.errorKind === 'command_failed') return [];
  return [
    { source: 'apt', kind: lock.errorKind, severity: 'error', message: lock.message, remediation: lock.remediation },
  ];
}

function simulationFailed(dist: StepOutput): SnapshotError {
  return {
    source: 'apt',
    kind: 'simulation_failed',
    severity: 'error',
    message: dist.output.trim().split('\n').slice(-3).join(' ') || 'the simulation did not run',
    remediation: 'Run `apt-get -s dist-upgrade` on the machine and fix what it reports.',
  };
}

/** The machine's sources, each with what the fleet view flags (older suite, third party, unsigned). */
function repositoriesOf(step: StepOf, policy: PolicyInfo): AptRepositoryView[] {
  const codename = /^VERSION_CODENAME=(\S+)$/m.exec(step('os').output)?.[1] ?? null;
  const origins = new Map([...policy.releases.values()].map((rel) => [rel.archive, rel.origin] as const));
  return parseSources(step('sources').output).map((r) => ({ ...r, flags: repositoryFlags(r, codename, origins) }));
}
