import { describe, expect, it } from 'vitest';
import { MetricsUnreadableError, parseMetricsSample } from './host-metrics.parser.ts';

const at = new Date('2026-11-30T04:00:00Z');
const section = (name: string, body: string) => `\n@@su:${name}@@\n${body}`;
const FULL = [
  section('nproc', '4'),
  section('meminfo', 'MemTotal:        2048000 kB\nMemAvailable:     512000 kB'),
  section(
    'df',
    'Filesystem Type 1-blocks Used Available Capacity Mounted on\n/dev/sda1 ext4 1000000 900000 100000 90% /\n/dev/sdb1 xfs 2000000 500000 1500000 25% /srv',
  ),
  section('loadavg', '0.52 0.40 0.31 1/123 4567'),
  section('uptime', '12345.67 24000.00'),
  section('end', ''),
].join('');

describe('the periodic sample parser', () => {
  it('reads load, memory, each file system and uptime', () => {
    const s = parseMetricsSample(FULL, at);
    expect(s).toMatchObject({
      collectedAt: at.toISOString(),
      load: { load1: 0.52, load5: 0.4, load15: 0.31 },
      cpuCores: 4,
      memory: { totalBytes: 2048000 * 1024, usedBytes: 1536000 * 1024, usedPercent: 75 },
      rootUsedPercent: 90,
      uptimeSeconds: 12345.67,
    });
    expect(s.filesystems.map((f) => [f.mount, f.usedPercent])).toEqual([
      ['/', 90],
      ['/srv', 25],
    ]);
  });

  it('fails closed: a value it cannot read is an error naming it, never a zero', () => {
    const without = (name: string) => FULL.replace(new RegExp(`\\n@@su:${name}@@\\n[^@]*`), `\n@@su:${name}@@\n`);
    for (const [name, what] of [
      ['loadavg', 'load average'],
      ['meminfo', 'memory'],
      ['df', 'root file system'],
      ['uptime', 'uptime'],
    ] as const) {
      expect(() => parseMetricsSample(without(name), at)).toThrow(MetricsUnreadableError);
      expect(() => parseMetricsSample(without(name), at)).toThrow(what);
    }
    const cut = FULL.slice(0, FULL.indexOf('@@su:end@@'));
    expect(() => parseMetricsSample(cut, at)).toThrow(/cut short/);
    expect(() => parseMetricsSample('', at)).toThrow(MetricsUnreadableError);
  });
});
