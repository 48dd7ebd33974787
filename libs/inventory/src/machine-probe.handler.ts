import { Inject, Injectable } from '@nestjs/common';
import type { JobResult } from '@su/contracts';
import { Database, MachineEventsRepository, MachineInventoryRepository } from '@su/db';
import { MachineConnector } from '@su/machine-access';
import type { JobContext, JobHandler } from '@su/platform';
import { ClassifiedError } from '@su/platform';
import { parseProbe } from './probe.parser.ts';
import { PROBE_SCRIPT } from './probe.script.ts';

/**
 * machine.probe: one read-only script over one connection, then everything it learnt in one transaction — the
 * snapshot (full JSON), machine_hardware, machine_metrics_latest, the machine's columns, machine_state and an event.
 * The tiles read the derived rows; nothing re-reads the snapshot on a request.
 */
@Injectable()
export class MachineProbeHandler implements JobHandler<'machine.probe'> {
  readonly kind = 'machine.probe' as const;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
  ) {}

  async handle(ctx: JobContext<'machine.probe'>): Promise<JobResult<'machine.probe'>> {
    const machineId = ctx.message.machineId;
    if (!machineId) throw new ClassifiedError('invalid_payload', 'machine.probe needs a machine');
    const actor = { type: 'system' as const, id: `job:${ctx.message.jobId}` };
    const { session } = await this.connector.open(machineId, { actor, purpose: 'machine.probe', jobId: ctx.message.jobId });
    let output: string;
    try {
      const r = await session.runScript(PROBE_SCRIPT, { timeoutMs: 60_000, idleTimeoutMs: 30_000, signal: ctx.signal });
      output = r.stdout;
    } finally {
      await session.close();
    }
    const probe = parseProbe(output, new Date());
    const status = probe.warnings.length ? 'warning' : 'ok';
    const snapshotId = await this.db.transaction(async (tx) => {
      const inv = new MachineInventoryRepository(tx);
      const id = await inv.insertSnapshot({
        machineId,
        kind: 'machine_probe',
        status,
        payload: probe,
        importantJson: { os: probe.os.prettyName, arch: probe.arch, virtualization: probe.virtualization, warnings: probe.warnings },
        sourceJobId: ctx.message.jobId,
      });
      await inv.upsertHardware(machineId, id, probe);
      await inv.upsertMetrics(machineId, id, probe);
      await inv.updateMachineFacts(machineId, probe);
      await inv.updateStateFromProbe(machineId, probe);
      await new MachineEventsRepository(tx).insert({
        machineId,
        eventType: 'machine.probed',
        severity: status === 'ok' ? 'info' : 'warning',
        actor,
        jobId: ctx.message.jobId,
        message: `${probe.os.prettyName ?? probe.os.family} ${probe.arch ?? ''} (${probe.virtualization}, ${probe.machineKind})${probe.warnings.length ? `; ${probe.warnings.join('; ')}` : ''}`,
        payload: { snapshotId: id },
      });
      return id;
    });
    return { snapshotId, os: `${probe.os.id ?? probe.os.family} ${probe.os.versionId ?? ''}`.trim(), arch: probe.arch, virtualization: probe.virtualization, machineKind: probe.machineKind };
  }
}
