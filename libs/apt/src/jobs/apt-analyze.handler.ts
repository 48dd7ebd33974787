import type { RawLogResult } from '@su/ssh';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import type { AptPackage, AptRepositoryView, JobResult, SnapshotError, UpdateSnapshot } from '@su/contracts';
import { machineStatusAfter } from '@su/contracts';
import {
  Database,
  ExecutionsRepository,
  ImportantMessagesRepository,
  MachineEventsRepository,
  MachineInventoryRepository,
  MachinesRepository,
  MachineStateRepository,
  RawArtifactsRepository,
} from '@su/db';
import { MachineConnector } from '@su/machine-access';
import { APP_CONFIG, machineJob, type JobContext, type JobHandler } from '@su/platform';
import { analysisScript, splitAnalysisOutput, type AnalysisStep } from '../analysis.script.ts';
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
} from '../apt-simulation.parser.ts';
import { parseAptUpdate } from '../apt-update.parser.ts';
import { parseRebootRequired } from '../reboot-required.parser.ts';
import { parseOsVersion } from '../os-release.parser.ts';
import { parseSources, repositoryFlags } from '../apt-sources.parser.ts';
import { parsePackagePolicy, parseReleaseTable, withPolicy, type PolicyInfo } from '../apt-policy.parser.ts';
import { heldMessages, STATE_CATEGORIES } from './held-messages.ts';
import { openAptSession } from './apt-session.ts';
import { simulatedPlan } from './apt-apply.service.ts';
import { recordUnfinishedRuns } from './partial-run.recorder.ts';
import { saveErrors, saveMessages, savePlan } from './apt-results.writer.ts';

/** A script step as a command's output: the script merges the streams; dpkg's complaints start with "dpkg". */
function mergedOutput(step: { output: string; exitCode: number | null }) {
  const stderr = step.output
    .split('\n')
    .filter((l) => /^dpkg(-query)?: /.test(l))
    .join('\n');
  return { exitCode: step.exitCode, stdout: step.output, stderr };
}

/**
 * apt.update_analyze: refresh the lists, simulate upgrade and dist-upgrade, read holds, phasing and reboot-required
 * (one sudo'd script, see analysis.script.ts), and write the UpdateSnapshot with its derived rows and machine_state in one transaction.
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
    const s = await openAptSession(this.connector, this.config, machineId, jobId, 'apt.update_analyze', ctx.signal);
    const errors: SnapshotError[] = [];
    let log = '';
    let snapshotInput;
    let raw: RawLogResult | null = null;
    let dpkgDamaged = false;
    let policy: PolicyInfo = { releases: new Map(), packages: new Map() };
    let osVersion = '';
    let repositories: AptRepositoryView[] = [];
    let autoremove: AptPackage[] | undefined;
    try {
      await recordUnfinishedRuns(this.db, s, machineId, jobId);
      const proxy = await new MachinesRepository(this.db.prisma).aptProxy(machineId);
      const script = await s.opened.session.runScript(
        analysisScript({ lockTimeoutSeconds: this.config.apt.lockTimeoutSeconds, proxy }),
        {
          sudo: true,
          timeoutMs: 20 * 60_000,
          signal: ctx.signal,
        },
      );
      log = script.stdout;
      const steps = splitAnalysisOutput(script.stdout);
      const step = (name: AnalysisStep) => steps.get(name) ?? { output: '', exitCode: null };
      // A damaged package database comes first: it is what the tile shows, and applies are refused until repaired.
      const dpkg = dpkgStateFailure(
        parseDpkgAudit(mergedOutput(step('dpkg-audit')), mergedOutput(step('dpkg-unsettled'))),
      );
      if (dpkg)
        errors.push({
          source: 'apt',
          kind: dpkg.errorKind,
          severity: 'error',
          message: dpkg.message,
          remediation: dpkg.remediation,
          ...(dpkg.packages.length ? { importantLines: dpkg.packages.map((pk) => `${pk.name} ${pk.state}`) } : {}),
        });
      dpkgDamaged = dpkg !== null;
      const update = step('update');
      const lock = update.exitCode === 0 ? null : classifyAptFailure(update.exitCode ?? 1, update.output, '');
      if (lock && lock.errorKind !== 'command_failed')
        errors.push({
          source: 'apt',
          kind: lock.errorKind,
          severity: 'error',
          message: lock.message,
          remediation: lock.remediation,
        });
      const parsedUpdate = parseAptUpdate(update.exitCode ?? 1, update.output);
      errors.push(...parsedUpdate.errors);
      const up = step('upgrade');
      const dist = step('dist-upgrade');
      const upgrade = up.exitCode === 0 ? parseAptSimulation(up.output) : null;
      const distUpgrade = dist.exitCode === 0 ? parseAptSimulation(dist.output) : null;
      if (!distUpgrade) {
        errors.push({
          source: 'apt',
          kind: 'simulation_failed',
          severity: 'error',
          message: dist.output.trim().split('\n').slice(-3).join(' ') || 'the simulation did not run',
          remediation: 'Run `apt-get -s dist-upgrade` on the machine and fix what it reports.',
        });
      }
      const held = parseShowhold(step('showhold').output);
      const keptBack = [
        ...new Set([...(upgrade?.keptBack ?? []), ...(distUpgrade?.keptBack ?? [])].map((k) => k.name)),
      ];
      // One `apt-cache policy` of every package the analysis names: the sources of each candidate (origin, label,
      // suite, codename of every suite offering it), the held ones' pending versions, and phasing (on apt 2.6 only
      // the policy's candidate line says "(phased N%)").
      const named = [
        ...new Set([
          ...((distUpgrade ?? upgrade)?.actions.filter((a) => a.operation !== 'remove').map((a) => a.name) ?? []),
          ...keptBack,
          ...held,
        ]),
      ];
      const policyOut = named.length ? (await s.run(policyArgv(named))).stdout : '';
      const phased = parsePhasedFromPolicy(policyOut).filter((n) => keptBack.includes(n));
      policy = { releases: parseReleaseTable(step('policy').output), packages: parsePackagePolicy(policyOut) };
      osVersion = parseOsVersion(step('os').output);
      const codename = /^VERSION_CODENAME=(\S+)$/m.exec(step('os').output)?.[1] ?? null;
      const origins = new Map([...policy.releases.values()].map((rel) => [rel.archive, rel.origin] as const));
      repositories = parseSources(step('sources').output).map((r) => ({
        ...r,
        flags: repositoryFlags(r, codename, origins),
      }));
      const reboot = parseRebootRequired(step('reboot').output);
      snapshotInput = {
        osFamily: await new MachinesRepository(this.db.prisma).osFamily(machineId),
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
      if (auto.exitCode === 0)
        autoremove = simulatedPlan(parseAptSimulation(auto.output), held, snapshotInput.osFamily);
    } finally {
      raw = await s.opened.release();
    }
    const detail = {
      ...withPolicy(buildAptSnapshotDetail(snapshotInput), policy, snapshotInput.held, snapshotInput.osFamily),
      repositories,
      ...(autoremove ? { autoremove } : {}),
    };
    const status = dpkgDamaged ? 'error' : (detail.status ?? 'ok');
    const snapshot: UpdateSnapshot = {
      schemaVersion: 1,
      kind: 'apt_update_analyze',
      machineId,
      hostname: s.opened.machine.hostname,
      os: { family: snapshotInput.osFamily, version: osVersion },
      checkedAt: new Date().toISOString(),
      status,
      apt: detail,
      errors: detail.errors ?? [],
      rawHints: { logImportantLines: reduceAptLines(log).slice(0, 200) },
    };
    const messages = heldMessages(extractAptMessages(log), detail);
    const securityCount = detail.securityCount ?? detail.packages.filter((p) => p.security).length;
    const snapshotId = await this.db.transaction(async (tx) => {
      const rawArtifactId = await new RawArtifactsRepository(tx).insertRawLog(machineId, jobId, raw);
      const id = await new MachineInventoryRepository(tx).insertSnapshot({
        machineId,
        kind: 'apt_update_analyze',
        status,
        payload: snapshot as object,
        importantJson: {
          status,
          count: detail.count,
          security: securityCount,
          rebootRequired: detail.rebootRequired,
          keptBack: (detail.keptBack ?? []).map((p) => p.name),
          held: detail.held ?? [],
          heldCount: detail.heldCount ?? 0,
          heldSecurity: detail.heldSecurityCount ?? 0,
          errors: (detail.errors ?? []).map((e) => e.kind),
        },
        sourceJobId: jobId,
        rawArtifactId,
      });
      await savePlan(tx, machineId, id, 'dist_upgrade', [
        ...detail.packages,
        ...(detail.installed ?? []),
        ...(detail.removed ?? []),
        ...(detail.keptBack ?? []).filter((k) => !detail.packages.some((p) => p.name === k.name)),
        ...(detail.heldPackages ?? []).filter((h) => !(detail.keptBack ?? []).some((k) => k.name === h.name)),
      ]);
      await saveErrors(tx, machineId, { snapshotId: id }, detail.errors ?? []);
      await saveMessages(tx, machineId, { snapshotId: id, rawArtifactId }, messages);
      // Held / kept-back notices are about the machine's state now: those this analysis no longer sees are resolved.
      await new ImportantMessagesRepository(tx).resolveGone(
        machineId,
        STATE_CATEGORIES,
        messages.map((m) => m.dedupKey),
      );
      // A failed apply (worker_lost included) stays on the tile until an apply succeeds; an analysis error comes first.
      const lastApply = await new ExecutionsRepository(tx).latestApply(machineId);
      const standing =
        status !== 'error' && lastApply?.status === 'error'
          ? { kind: lastApply.errorKind ?? 'apt_error', message: lastApply.errorMessage ?? '' }
          : null;
      await new MachineStateRepository(tx).recordAptAnalysis(machineId, {
        status,
        updates: detail.count,
        security: securityCount,
        held: detail.heldCount ?? 0,
        heldSecurity: detail.heldSecurityCount ?? 0,
        rebootRequired: detail.rebootRequired,
        firstError: detail.errors?.[0] ? { kind: detail.errors[0].kind, message: detail.errors[0].message } : null,
        standingError: standing,
        machineStatus: machineStatusAfter({ kind: 'reached' }),
      });
      await new MachineEventsRepository(tx).insert({
        machineId,
        eventType: 'apt.analyzed',
        severity: status === 'error' ? 'error' : status === 'warning' ? 'warning' : 'info',
        actor: { type: 'system', id: `job:${jobId}` },
        jobId,
        message: `${detail.count} update(s), ${securityCount} security${detail.heldCount ? `; ${detail.heldCount} held${detail.heldSecurityCount ? `, ${detail.heldSecurityCount} of them security` : ''}` : ''}${detail.rebootRequired ? ', reboot required' : ''}${detail.errors?.length ? `; ${detail.errors.length} problem(s)` : ''}`,
        payload: { snapshotId: id, status },
      });
      return id;
    });
    return { snapshotId, status, updates: detail.count, security: securityCount };
  }
}
