import { machineStatusAfter, type Actor, type MachineProbe } from '@su/contracts';
import type { ProbeRecord, RawLogFile } from '@su/db';
import { sampleFromProbe } from './host-metrics.parser.ts';
import { diskUsageConditions } from './host-metrics.recorder.ts';

/**
 * What a probe keeps (ProbeRecordRepository writes it in one statement): its snapshot, the derived rows, a
 * host_metrics row and the disk messages when it read every value a row needs (its warnings already say what it
 * could not read), the machine reached, and an event saying what the machine is.
 */
export function probeRecordOf(r: {
  machineId: string;
  jobId: string;
  actor: Actor;
  rawLog: RawLogFile | null;
  probe: MachineProbe;
  diskThresholdPercent: number;
}): ProbeRecord {
  const { machineId, probe, diskThresholdPercent } = r;
  const status = probe.warnings.length ? 'warning' : 'ok';
  const read = sampleFromProbe(probe);
  const sample = 'sample' in read ? read.sample : null;
  return {
    machineId,
    jobId: r.jobId,
    rawLog: r.rawLog,
    probe,
    snapshot: {
      status,
      importantJson: {
        os: probe.os.prettyName,
        arch: probe.arch,
        virtualization: probe.virtualization,
        warnings: probe.warnings,
      },
    },
    machineStatus: machineStatusAfter({ kind: 'reached' }),
    diskThresholdPercent,
    hostMetrics: sample,
    conditions: sample
      ? diskUsageConditions(machineId, sample.filesystems, diskThresholdPercent)
      : { categories: [], raised: [] },
    event: {
      eventType: 'machine.probed',
      severity: status === 'ok' ? 'info' : 'warning',
      actor: r.actor,
      jobId: r.jobId,
      message: `${probe.os.prettyName ?? probe.os.family} ${probe.arch ?? ''} (${probe.virtualization}, ${probe.machineKind})${probe.warnings.length ? `; ${probe.warnings.join('; ')}` : ''}`,
    },
  };
}
