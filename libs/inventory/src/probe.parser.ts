import type { FilesystemUsage, MachineProbe } from '@su/contracts';
import { PROBE_MARKER } from './probe.script.ts';

/** Splits the probe output into its sections (name → text). */
export function splitSections(output: string): Map<string, string> {
  const sections = new Map<string, string>();
  let current: string | null = null;
  let lines: string[] = [];
  for (const line of output.split('\n')) {
    const name = line.startsWith(PROBE_MARKER) ? /^@@su:([a-z-]+)@@$/.exec(line)?.[1] : undefined;
    if (name) {
      if (current) sections.set(current, lines.join('\n').trim());
      current = name;
      lines = [];
    } else if (current) {
      lines.push(line);
    }
  }
  if (current) sections.set(current, lines.join('\n').trim());
  return sections;
}

/** /etc/os-release: KEY=value lines, values optionally quoted. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, key = '', value = ''] = m;
    let v = value;
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[key] = v.replace(/\\(["$`\\])/g, '$1');
  }
  return out;
}

/** `df -P -T -B1`: device, type, size, used, available, capacity, mount (mount may contain spaces). */
export function parseDf(text: string): FilesystemUsage[] {
  const pseudo = new Set([
    'tmpfs',
    'devtmpfs',
    'proc',
    'sysfs',
    'cgroup',
    'cgroup2',
    'devpts',
    'mqueue',
    'squashfs',
    'efivarfs',
    'ramfs',
    'nsfs',
    'fuse.lxcfs',
    'autofs',
  ]);
  const out: FilesystemUsage[] = [];
  // The listing of every mount, then `df` of the paths that matter: one entry per mount point.
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(.+)$/.exec(line.trim());
    if (!m) continue;
    const [, device = '', fsType = '', size, used, avail, , mount = ''] = m;
    if (pseudo.has(fsType) && mount !== '/') continue;
    if (out.some((f) => f.mount === mount)) continue;
    const sizeBytes = Number(size);
    if (sizeBytes === 0) continue;
    const usedBytes = Number(used);
    const availableBytes = Number(avail);
    // df's own percentage rounds up and ignores reserved blocks the same way; recompute for precision.
    const usedPercent =
      usedBytes + availableBytes > 0 ? Math.round((usedBytes / (usedBytes + availableBytes)) * 1000) / 10 : 0;
    out.push({ mount, device, fsType, sizeBytes, usedBytes, availableBytes, usedPercent });
  }
  return out;
}

// systemd-detect-virt's container identifiers; anything else a runtime writes is "container-other".
const CONTAINERS = new Set([
  'lxc',
  'lxc-libvirt',
  'systemd-nspawn',
  'docker',
  'podman',
  'rkt',
  'wsl',
  'proot',
  'pouch',
  'openvz',
]);
const DMI_VMS: [RegExp, string][] = [
  [/qemu|kvm|standard pc/i, 'kvm'],
  [/vmware/i, 'vmware'],
  [/virtualbox|innotek/i, 'oracle'],
  [/xen/i, 'xen'],
  [/microsoft corporation.*virtual|hyper-v/i, 'microsoft'],
  [/amazon ec2/i, 'amazon'],
  [/google compute/i, 'google'],
  [/firecracker/i, 'firecracker'],
  [/parallels/i, 'parallels'],
];

/**
 * Virtualization in systemd-detect-virt's vocabulary, from the strongest evidence available without root: the
 * container marker a runtime leaves (/run/systemd/container, container= in PID 1's environment, .dockerenv), then
 * systemd-detect-virt itself, then DMI strings. 'unknown' when nothing answers.
 */
export function detectVirtualization(sections: Map<string, string>): string {
  const marker = (sections.get('container') ?? '')
    .split('\n')
    .map((l) => l.trim())
    .find(Boolean);
  if (marker) return CONTAINERS.has(marker) ? marker : 'container-other';
  const dv = (sections.get('detect-virt') ?? '').trim();
  if (dv) return dv;
  const dmi = sections.get('dmi') ?? '';
  for (const [re, name] of DMI_VMS) if (re.test(dmi)) return name;
  // The CPU says it runs under a hypervisor (cpuinfo's "hypervisor" flag): a VM, whatever the DMI strings claim.
  if ((sections.get('cpu-flags') ?? '').trim() === 'hypervisor') return 'vm-other';
  if (/product_name=\S/.test(dmi)) return 'none';
  return 'unknown';
}

export function machineKindOf(virtualization: string, hardwareModel: string | null, proxmox: boolean): string {
  if (virtualization === 'lxc' || virtualization === 'lxc-libvirt') return 'lxc';
  if (CONTAINERS.has(virtualization) || virtualization === 'container-other') return 'container';
  if (proxmox) return 'proxmox_host';
  if (hardwareModel && /raspberry pi/i.test(hardwareModel)) return 'raspberry_pi';
  if (virtualization === 'none') return 'physical';
  if (virtualization === 'unknown') return 'unknown';
  return 'vm';
}

const num = (v: string | undefined): number | null =>
  v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : null;

/** Turns the probe script's output into the canonical `machine_probe` JSON. */
export function parseProbe(output: string, collectedAt: Date): MachineProbe {
  const s = splitSections(output);
  const warnings: string[] = [];
  if (!s.has('end')) warnings.push('probe output was cut short; some values may be missing');
  const osr = parseOsRelease(s.get('os-release') ?? '');
  if (!osr['ID']) warnings.push('/etc/os-release not readable: OS unknown');
  const [kernel, arch] = (s.get('uname') ?? '').split('\n').map((l) => l.trim());
  const hardwareModel = s.get('dt-model') || (s.get('dmi') ?? '').match(/product_name=(.+)/)?.[1]?.trim() || null;
  const virtualization = detectVirtualization(s);
  const cpuLine = s.get('cpuinfo') ?? '';
  const mem = Object.fromEntries(
    (s.get('meminfo') ?? '')
      .split('\n')
      .map((l) => /^(\w+):\s+(\d+)\s*kB/.exec(l))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => [m[1] ?? '', Number(m[2]) * 1024]),
  ) as Record<string, number>;
  const total = mem['MemTotal'] ?? null;
  const available = mem['MemAvailable'] ?? null;
  const used = total !== null && available !== null ? total - available : null;
  const [load1, load5, load15] = (s.get('loadavg') ?? '').split(/\s+/).map(Number);
  const filesystems = parseDf(s.get('df') ?? '');
  if (!filesystems.some((f) => f.mount === '/')) warnings.push('root file system usage not available');
  for (const f of filesystems) if (f.usedPercent >= 90) warnings.push(`${f.mount} is ${f.usedPercent}% full`);
  const dockerText = s.get('docker') ?? '';
  const aptText = s.get('apt') ?? '';
  const docker = { installed: dockerText !== '', version: /version ([\w.+~-]+)/i.exec(dockerText)?.[1] ?? null };
  const apt = { usable: aptText === 'usable', reason: aptText === 'usable' ? null : aptText || 'not checked' };
  if (!apt.usable) warnings.push(`apt is not usable: ${apt.reason}`);
  return {
    schemaVersion: 1,
    collectedAt: collectedAt.toISOString(),
    hostname: s.get('hostname')?.trim() || s.get('nodename')?.trim() || null,
    hypervisorFlag: (s.get('cpu-flags') ?? '').trim() === 'hypervisor',
    os: {
      family: osr['ID'] ?? 'unknown',
      id: osr['ID'] ?? null,
      versionId: osr['VERSION_ID'] ?? null,
      version: osr['VERSION'] ?? null,
      codename: osr['VERSION_CODENAME'] ?? null,
      prettyName: osr['PRETTY_NAME'] ?? null,
    },
    kernel: kernel || null,
    arch: arch || null,
    virtualization,
    machineKind: machineKindOf(virtualization, hardwareModel, s.get('pve') === 'yes'),
    hardwareModel,
    cpu: { model: /:\s*(.+)$/.exec(cpuLine)?.[1]?.trim() ?? null, cores: num(s.get('nproc')?.trim()) },
    memory: {
      totalBytes: total,
      availableBytes: available,
      usedBytes: used,
      usedPercent: total && used !== null ? Math.round((used / total) * 1000) / 10 : null,
    },
    filesystems,
    load:
      load1 !== undefined &&
      load5 !== undefined &&
      load15 !== undefined &&
      [load1, load5, load15].every(Number.isFinite)
        ? { load1, load5, load15 }
        : null,
    bootId: (s.get('boot-id') ?? '').trim() || null,
    uptimeSeconds: num((s.get('uptime') ?? '').split(/\s+/)[0]),
    docker,
    apt,
    warnings,
  };
}
