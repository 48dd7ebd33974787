import type { RawLogResult } from '@su/ssh';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import type { AptExecutionResult, SnapshotError } from '@su/contracts';
import { Database, ExecutionsRepository, JobsRepository, MachineStateRepository, MachinesRepository } from '@su/db';
import { MachineConnector } from '@su/machine-access';
import { APP_CONFIG, ClassifiedError, JobOutcomeRecorder, JobsService } from '@su/platform';
import {
  DPKG_AUDIT_ARGV,
  DPKG_CONFIGURE_PENDING_ARGV,
  DPKG_UNSETTLED_ARGV,
  fixBrokenArgv,
  reinstallArgv,
  REBOOT_REQUIRED_ARGV,
  simulationOf,
  type AptApplyOptions,
} from '../apt-commands.ts';
import { reduceAptLines } from '../apt-dedup.ts';
import { dpkgStateFailure, packagesToReinstall, parseDpkgAudit, type DpkgAudit } from '../dpkg-audit.parser.ts';
import { diffPackageSets, DPKG_QUERY_ARGV, parseDpkgQuery } from '../dpkg-state.parser.ts';
import { parseRebootRequired } from '../reboot-required.parser.ts';
import { renderAptReport } from './apt-report.renderer.ts';
import { saveApplied, saveErrors } from './apt-results.writer.ts';
import { combined, openAptSession, type AptJobSession } from './apt-session.ts';

type RepairStep = NonNullable<AptExecutionResult['repair']>['steps'][number];

/**
 * apt.dpkg_repair (through an approved action request): finishes what an interrupted dpkg left — `dpkg --configure
 * -a`, then `apt-get install --reinstall` of the half-installed packages (dpkg cannot configure them), then
 * `apt-get -f install` — each apt-get simulated first, its plan recorded and shown in the report. The same dpkg
 * state check as the preflight decides: ok only when dpkg is clean afterwards.
 */
@Injectable()
export class DpkgRepairService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JobOutcomeRecorder) private readonly outcomes: JobOutcomeRecorder,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  async repair(p: { machineId: string; jobId: string; signal: AbortSignal }) {
    const { machineId, jobId } = p;
    const startedAt = new Date().toISOString();
    // The action request it carries out (dpkg_repair runs only through one) is linked from the execution.
    const origin = await new JobsRepository(this.db.prisma).requestOrigin(jobId);
    const executionId = await new ExecutionsRepository(this.db.prisma).start({
      machineId,
      action: 'dpkg_repair',
      mode: 'manual',
      jobId,
      requestId: origin?.requestId ?? null,
    });
    const opts: AptApplyOptions = {
      lockTimeoutSeconds: this.config.apt.lockTimeoutSeconds,
      proxy: await new MachinesRepository(this.db.prisma).aptProxy(p.machineId),
    };
    const s = await openAptSession(this.connector, this.config, machineId, jobId, 'dpkg_repair', p.signal);
    const steps: RepairStep[] = [];
    let raw: RawLogResult | null = null;
    let before: DpkgAudit;
    let after: DpkgAudit;
    let result: AptExecutionResult;
    try {
      before = await this.check(s);
      const was = parseDpkgQuery((await s.run(DPKG_QUERY_ARGV, { sudo: true })).stdout);
      if (before.verdict === 'damaged') {
        const configure = await s.run(DPKG_CONFIGURE_PENDING_ARGV, { sudo: true, timeoutMs: 60 * 60_000 });
        steps.push({ command: 'dpkg --configure -a', simulated: [], exitCode: configure.exitCode });
        const reinstall = packagesToReinstall((await this.check(s)).problems);
        if (reinstall.length) steps.push(await this.simulateThenRun(s, reinstallArgv(reinstall, opts)));
        steps.push(await this.simulateThenRun(s, fixBrokenArgv(opts)));
      }
      after = await this.check(s);
      const now = parseDpkgQuery((await s.run(DPKG_QUERY_ARGV, { sudo: true })).stdout);
      const reboot = parseRebootRequired((await s.run(REBOOT_REQUIRED_ARGV)).stdout);
      const applied = diffPackageSets(was, now);
      result = {
        planned: [],
        applied,
        installed: applied.filter((c) => c.operation === 'installed'),
        removed: applied.filter((c) => c.operation === 'removed'),
        held: [],
        rebootRequiredAfterRun: reboot.rebootRequired,
        rebootPkgs: reboot.rebootPkgs,
        repair: { before: before.problems, after: after.problems, steps },
      };
    } finally {
      raw = await s.opened.release();
    }
    const failure = before.verdict === 'check_failed' ? dpkgStateFailure(before) : dpkgStateFailure(after);
    const errors: SnapshotError[] = failure
      ? [
          {
            source: 'apt',
            kind: failure.errorKind,
            severity: 'error',
            message: failure.message,
            remediation: failure.remediation,
          },
        ]
      : [];
    result.errors = errors;
    await this.record({
      machineId,
      jobId,
      executionId,
      startedAt,
      machineName: s.opened.machine.name,
      raw,
      result,
      failure,
    });
    if (failure) throw new ClassifiedError(failure.errorKind, failure.message, failure.remediation);
    return { executionId, status: 'ok', changed: result.applied.length, repaired: before.problems.map((x) => x.name) };
  }

  private async check(s: AptJobSession): Promise<DpkgAudit> {
    return parseDpkgAudit(
      await s.run(DPKG_AUDIT_ARGV, { sudo: true }),
      await s.run(DPKG_UNSETTLED_ARGV, { sudo: true }),
    );
  }

  /** The apt-get step's plan as apt simulates it now, kept with the step, then the step itself. */
  private async simulateThenRun(s: AptJobSession, argv: string[]): Promise<RepairStep> {
    const sim = combined(await s.run(simulationOf(argv)));
    const simulated = sim
      .split('\n')
      .filter((l) => /^(Inst|Conf|Remv) /.test(l))
      .slice(0, 200);
    const run = await s.run(argv, { sudo: true, timeoutMs: 2 * 60 * 60_000, idleTimeoutMs: 30 * 60_000 });
    const command = argv
      .slice(argv.indexOf('apt-get'))
      .filter((a) => !a.startsWith('-o') && !a.includes('::') && a !== '-y');
    return { command: command.join(' '), simulated, exitCode: run.exitCode };
  }

  private async record(r: {
    machineId: string;
    jobId: string;
    executionId: string;
    startedAt: string;
    machineName: string;
    raw: RawLogResult | null;
    result: AptExecutionResult;
    failure: { errorKind: string; message: string } | null;
  }): Promise<void> {
    const { machineId, jobId, executionId, result, failure } = r;
    const status = failure ? 'error' : 'ok';
    const finishedAt = new Date().toISOString();
    const repair = result.repair;
    const actor = { type: 'system' as const, id: `job:${jobId}` };
    await this.db.transaction(async (tx) => {
      const origin = await new JobsRepository(tx).requestOrigin(jobId);
      await this.outcomes.record(
        tx,
        {
          machineId,
          jobId,
          executionId,
          actor,
          rawLog: r.raw,
          report: {
            title: `dpkg_repair-${r.machineName}-${r.startedAt.slice(0, 19)}`,
            markdown: renderRepairReport({ ...r, status, finishedAt, origin }),
            summary: { status, changed: result.applied.length, rebootRequired: result.rebootRequiredAfterRun },
          },
          execution: {
            status,
            result: {
              schemaVersion: 1,
              action: 'dpkg_repair',
              executionId,
              machineId,
              startedAt: r.startedAt,
              finishedAt,
              status,
              rebootRequiredAfterRun: result.rebootRequiredAfterRun,
              importantLogLines: reduceAptLines(repair?.steps.flatMap((st) => st.simulated).join('\n') ?? '').slice(
                0,
                50,
              ),
              apt: result,
            },
            importantJson: {
              status,
              changed: result.applied.map((c) => `${c.name} ${c.fromVersion ?? '∅'} → ${c.toVersion ?? '∅'}`),
              errors: (result.errors ?? []).map((e) => e.kind),
              repaired: repair?.before.map((x) => x.name) ?? [],
            },
            exitCode: null,
            errorKind: failure?.errorKind ?? null,
            errorMessage: failure?.message ?? null,
          },
          event: {
            eventType: failure ? 'apt.dpkg_repair_failed' : 'apt.dpkg_repaired',
            severity: failure ? 'error' : 'info',
            message: failure
              ? `dpkg_repair failed: ${failure.errorKind}: ${failure.message}`
              : `dpkg_repair: ${repair?.before.length ?? 0} package(s) repaired, ${result.applied.length} changed`,
            payload: { executionId },
          },
        },
        async () => {
          await saveApplied(tx, machineId, executionId, result.applied);
          await saveErrors(tx, machineId, { executionId }, result.errors ?? []);
          await new MachineStateRepository(tx).setRebootRequired(machineId, result.rebootRequiredAfterRun);
          if (failure) await this.outcomes.recordFailure(tx, machineId, failure);
        },
      );
      // The tile and the plan on record come from an analysis: take a new one once this job releases the machine.
      await this.jobs.enqueueIn(tx, { kind: 'apt.update_analyze', payload: {}, machineId, actor });
    });
  }
}

/** The APT report of the repair, with each step and its simulated plan, and dpkg's state before and after. */
function renderRepairReport(r: {
  machineName: string;
  status: string;
  startedAt: string;
  finishedAt: string;
  result: AptExecutionResult;
  origin: Parameters<typeof renderAptReport>[0]['origin'];
}): string {
  const repair = r.result.repair;
  return [
    renderAptReport({
      machineName: r.machineName,
      action: 'dpkg_repair',
      status: r.status,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      result: r.result,
      messages: [],
      errors: r.result.errors ?? [],
      origin: r.origin,
    }),
    '## Repair steps (each apt-get simulated first)',
    '',
    ...(repair?.steps ?? []).map(
      (st) =>
        `- \`${st.command}\` (exit ${st.exitCode ?? 'signal'})${st.simulated.length ? `\n  - simulated: ${st.simulated.join('; ')}` : ''}`,
    ),
    '',
    `dpkg before: ${repair?.before.map((x) => `${x.name} (${x.state})`).join(', ') || 'clean'}; after: ${repair?.after.map((x) => `${x.name} (${x.state})`).join(', ') || 'clean'}.`,
    '',
  ].join('\n');
}
