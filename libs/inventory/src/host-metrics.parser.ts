import type { HostMetricsSample, MachineProbe } from '@su/contracts';
import { parseProbe, splitSections } from './probe.parser.ts';

/** A sample that lacked a value it must carry: an error on its job, never a row of zeros. */
export class MetricsUnreadableError extends Error {
  readonly errorKind = 'metrics_unreadable';
  readonly remediation = 'Check that /proc/loadavg, /proc/meminfo, /proc/uptime and `df /` are readable by the login user.';
  constructor(readonly missing: string[]) {
    super(`the metrics sample could not read: ${missing.join(', ')}`);
  }
}

/** The values a host-metrics row needs, as the probe read them; the names of those it could not read. */
export function sampleFromProbe(p: MachineProbe): { sample: HostMetricsSample } | { missing: string[] } {
  const { totalBytes, usedBytes, usedPercent } = p.memory;
  const root = p.filesystems.find((f) => f.mount === '/');
  const missing = [
    ...(p.load ? [] : ['load average']),
    ...(totalBytes !== null && usedBytes !== null && usedPercent !== null ? [] : ['memory']),
    ...(root ? [] : ['root file system']),
    ...(p.uptimeSeconds === null ? ['uptime'] : []),
  ];
  if (!p.load || totalBytes === null || usedBytes === null || usedPercent === null || !root || p.uptimeSeconds === null)
    return { missing };
  return {
    sample: {
      collectedAt: p.collectedAt,
      load: p.load,
      cpuCores: p.cpu.cores,
      memory: { totalBytes, usedBytes, usedPercent },
      filesystems: p.filesystems,
      rootUsedPercent: root.usedPercent,
      uptimeSeconds: p.uptimeSeconds,
    },
  };
}

/** Reads the periodic sample's output; throws MetricsUnreadableError when anything it must carry is absent. */
export function parseMetricsSample(output: string, collectedAt: Date): HostMetricsSample {
  const cut = splitSections(output).has('end') ? [] : ['the end of the output (cut short)'];
  const read = sampleFromProbe(parseProbe(output, collectedAt));
  if ('missing' in read || cut.length) throw new MetricsUnreadableError([...('missing' in read ? read.missing : []), ...cut]);
  return read.sample;
}
