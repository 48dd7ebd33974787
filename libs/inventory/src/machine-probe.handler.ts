import { Inject, Injectable } from '@nestjs/common';
import type { JobResult } from '@su/contracts';
import { join } from 'node:path';
import type { AppConfig } from '@su/config';
import { Database, ProbeRecordRepository } from '@su/db';
import { MachineConnector } from '@su/machine-access';
import { APP_CONFIG, machineJob, type JobContext, type JobHandler } from '@su/platform';
import { readHostMetricsSettings } from './host-metrics-settings.service.ts';
import { parseProbe } from './probe.parser.ts';
import { probeRecordOf } from './probe-record.ts';
import { PROBE_SCRIPT } from './probe.script.ts';

/**
 * machine.probe: one read-only script over one connection, then everything it learnt in one statement (ADR 0056) —
 * the snapshot (full JSON), machine_hardware, machine_metrics_latest, host_metrics, the machine's columns,
 * machine_state and an event.
 * The tiles read the derived rows; nothing re-reads the snapshot on a request.
 */
@Injectable()
export class MachineProbeHandler implements JobHandler<'machine.probe'> {
  readonly kind = 'machine.probe' as const;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async handle(ctx: JobContext<'machine.probe'>): Promise<JobResult<'machine.probe'>> {
    const { machineId, actor } = machineJob(ctx);
    // The settings are read while the machine answers: the record then holds no read (ADR 0054).
    const settings = readHostMetricsSettings(this.db.prisma);
    settings.catch(() => undefined); // awaited below; a failure is the job's once the machine has answered
    // The session's raw output (secrets redacted) is kept as an artifact, linked from the snapshot.
    const rawLog = {
      path: join(this.config.dataDir, 'artifacts', 'raw', machineId, `${ctx.message.jobId}.log`),
      maxBytes: 4 * 1024 * 1024,
    };
    const opened = await this.connector.open(machineId, {
      actor,
      purpose: 'machine.probe',
      jobId: ctx.message.jobId,
      rawLog,
      // A probe verifies the machine as it is now: a fresh connection (kept afterwards for the next job).
      verification: true,
      reuse: true,
    });
    let output: string;
    let raw;
    try {
      const r = await opened.session.runScript(PROBE_SCRIPT, {
        timeoutMs: 60_000,
        idleTimeoutMs: 30_000,
        signal: ctx.signal,
      });
      output = r.stdout;
    } finally {
      raw = await opened.release();
    }
    const probe = parseProbe(output, new Date());
    const { diskThresholdPercent } = await settings;
    const record = probeRecordOf({
      machineId,
      jobId: ctx.message.jobId,
      actor,
      rawLog: raw,
      probe,
      diskThresholdPercent,
    });
    const snapshotId = await new ProbeRecordRepository(this.db).record(record);
    return {
      snapshotId,
      os: `${probe.os.id ?? probe.os.family} ${probe.os.versionId ?? ''}`.trim(),
      arch: probe.arch,
      virtualization: probe.virtualization,
      machineKind: probe.machineKind,
    };
  }
}
