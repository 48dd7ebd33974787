import { Inject, Injectable } from '@nestjs/common';
import type { JobResult, RebootResult } from '@su/contracts';
import { machineStatusAfter } from '@su/contracts';
import { Database, ExecutionsRepository, ImportantMessagesRepository, MachineStateRepository, type Tx } from '@su/db';
import { MachineConnector } from '@su/machine-access';
import {
  ClassifiedError,
  JobOutcomeRecorder,
  machineJob,
  markdownTable,
  type JobContext,
  type JobHandler,
} from '@su/platform';
import { tcpPortProbe } from '../port-probe.ts';
import { verifiedReboot } from '../verified-reboot.ts';

function renderReport(machineName: string, r: RebootResult): string {
  return [
    `# Verified reboot of ${machineName}: ${r.status}`,
    '',
    markdownTable(
      ['step', 'value'],
      [
        ['requested at', r.requestedAt],
        ['boot_id before', r.beforeBootId],
        ['SSH went down at', r.sshWentDownAt],
        ['SSH came back at', r.sshCameBackAt],
        ['boot_id after', r.afterBootId],
        ['waited (s)', r.waitedSeconds],
        ['reboot duration (s)', r.lastRebootDurationSeconds],
        ['recommended wait next time (s)', r.nextRecommendedWaitSeconds],
      ],
    ),
    '',
    ...(r.errors?.length
      ? [
          '## Errors',
          '',
          ...r.errors.map((e) => `- **${e.kind}**: ${e.message}${e.remediation ? ` — ${e.remediation}` : ''}`),
        ]
      : []),
    '',
  ].join('\n');
}

/**
 * machine.reboot_verified: reboot and prove it (boot_id changed, SSH went down and came back with the same trusted
 * host key). The outcome is an execution with the contracts' `RebootResult` (docs/ARCHITECTURE.md §C4), a report, an event, and machine_state.
 */
@Injectable()
export class RebootVerifiedHandler implements JobHandler<'machine.reboot_verified'> {
  readonly kind = 'machine.reboot_verified' as const;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
    @Inject(JobOutcomeRecorder) private readonly outcomes: JobOutcomeRecorder,
  ) {}

  async handle(ctx: JobContext<'machine.reboot_verified'>): Promise<JobResult<'machine.reboot_verified'>> {
    const { machineId, jobId, actor } = machineJob(ctx);
    const executions = new ExecutionsRepository(this.db.prisma);
    const executionId = await executions.start({ machineId, action: 'reboot_verified', mode: 'manual', jobId });
    const previous = (await executions.recentRebootDurations(machineId)).reverse();
    const opened = await this.connector.open(machineId, {
      actor,
      purpose: 'machine.reboot_verified',
      jobId,
      verification: true,
    });
    const result = (await verifiedReboot(
      {
        session: opened.session,
        connect: opened.reconnect,
        probePort: tcpPortProbe(opened.machine.hostname, opened.machine.port),
      },
      {
        previousDurationsSeconds: previous,
        ...(ctx.message.payload.maxWaitSeconds ? { maxWaitSeconds: ctx.message.payload.maxWaitSeconds } : {}),
      },
    )) as RebootResult;
    const ok = result.status === 'ok';
    await this.db.transaction((tx) =>
      this.outcomes.record(
        tx,
        {
          machineId,
          jobId,
          executionId,
          actor,
          report: {
            title: `reboot-${opened.machine.name}-${result.requestedAt.slice(0, 19)}`,
            markdown: renderReport(opened.machine.name, result),
            summary: { status: result.status, waitedSeconds: result.waitedSeconds },
          },
          execution: {
            status: ok ? 'ok' : 'error',
            result: { schemaVersion: 1, action: 'reboot_verified', reboot: result },
            importantJson: { status: result.status, waitedSeconds: result.waitedSeconds },
            errorKind: ok ? null : result.status,
            errorMessage: ok ? null : (result.errors?.[0]?.message ?? result.status),
          },
          event: {
            eventType: ok ? 'machine.rebooted' : 'machine.reboot_failed',
            severity: ok ? 'info' : 'error',
            message: ok
              ? `rebooted and verified in ${result.waitedSeconds}s (boot_id ${result.beforeBootId} → ${result.afterBootId})`
              : `verified reboot failed: ${result.status}`,
            payload: { executionId, status: result.status },
          },
        },
        () => this.recordMachineState(tx, machineId, executionId, result),
      ),
    );
    if (!ok)
      throw new ClassifiedError(
        result.status,
        result.errors?.[0]?.message ?? `verified reboot ended with ${result.status}`,
      );
    return { executionId, status: result.status, waitedSeconds: result.waitedSeconds };
  }

  /** Rebooted: the machine is reached and its reboot-required flag cleared; failed: its error, and a message that stays. */
  private async recordMachineState(tx: Tx, machineId: string, executionId: string, result: RebootResult) {
    if (result.status === 'ok') {
      await new MachineStateRepository(tx).markRebooted(machineId, machineStatusAfter({ kind: 'reached' }));
      return;
    }
    const message = result.errors?.[0]?.message ?? result.status;
    await this.outcomes.recordFailure(tx, machineId, { errorKind: result.status, message });
    await new ImportantMessagesRepository(tx).upsert({
      machineId,
      source: 'system',
      category: 'error',
      severity: 'error',
      message: `Verified reboot failed: ${result.status}. ${result.errors?.[0]?.message ?? ''}`.trim(),
      dedupKey: `reboot:${result.status}`,
      executionId,
    });
  }
}
