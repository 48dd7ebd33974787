import type { RawLogResult } from '@su/ssh';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import type { JobResult, SnapshotError, UpdateSnapshot } from '@su/contracts';
import { machineStatusAfter } from '@su/contracts';
import {
  Database,
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
import { extractAptMessages } from '../apt-messages.extractor.ts';
import {
  buildAptSnapshotDetail,
  parseAptSimulation,
  parsePhasedFromPolicy,
  parseShowhold,
} from '../apt-simulation.parser.ts';
import { parseAptUpdate } from '../apt-update.parser.ts';
import { parseRebootRequired } from '../reboot-required.parser.ts';
import { openAptSession } from './apt-session.ts';
import { saveErrors, saveMessages, savePlan } from './apt-results.writer.ts';

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
    try {
      const script = await s.opened.session.runScript(
        analysisScript({ lockTimeoutSeconds: this.config.apt.lockTimeoutSeconds }),
        {
          sudo: true,
          timeoutMs: 20 * 60_000,
          signal: ctx.signal,
        },
      );
      log = script.stdout;
      const steps = splitAnalysisOutput(script.stdout);
      const step = (name: AnalysisStep) => steps.get(name) ?? { output: '', exitCode: null };
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
      // Phasing shows only in `apt-cache policy` on apt 2.6; asked only when something was kept back.
      const phased = keptBack.length ? parsePhasedFromPolicy((await s.run(policyArgv(keptBack))).stdout) : [];
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
    } finally {
      raw = await s.opened.release();
    }
    const detail = buildAptSnapshotDetail(snapshotInput);
    const status = detail.status ?? 'ok';
    const snapshot: UpdateSnapshot = {
      schemaVersion: 1,
      kind: 'apt_update_analyze',
      machineId,
      hostname: s.opened.machine.hostname,
      os: { family: snapshotInput.osFamily, version: '' },
      checkedAt: new Date().toISOString(),
      status,
      apt: detail,
      errors: detail.errors ?? [],
      rawHints: { logImportantLines: reduceAptLines(log).slice(0, 200) },
    };
    const messages = extractAptMessages(log);
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
      ]);
      await saveErrors(tx, machineId, { snapshotId: id }, detail.errors ?? []);
      await saveMessages(tx, machineId, { snapshotId: id, rawArtifactId }, messages);
      await new MachineStateRepository(tx).recordAptAnalysis(machineId, {
        status,
        updates: detail.count,
        security: securityCount,
        rebootRequired: detail.rebootRequired,
        firstError: detail.errors?.[0] ? { kind: detail.errors[0].kind, message: detail.errors[0].message } : null,
        machineStatus: machineStatusAfter({ kind: 'reached' }),
      });
      await new MachineEventsRepository(tx).insert({
        machineId,
        eventType: 'apt.analyzed',
        severity: status === 'error' ? 'error' : status === 'warning' ? 'warning' : 'info',
        actor: { type: 'system', id: `job:${jobId}` },
        jobId,
        message: `${detail.count} update(s), ${securityCount} security${detail.rebootRequired ? ', reboot required' : ''}${detail.errors?.length ? `; ${detail.errors.length} problem(s)` : ''}`,
        payload: { snapshotId: id, status },
      });
      return id;
    });
    return { snapshotId, status, updates: detail.count, security: securityCount };
  }
}
