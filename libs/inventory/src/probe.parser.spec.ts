import { describe, expect, it } from 'vitest';
import { machineProbeSchema } from '@su/contracts';
import { parseDf, parseOsRelease, parseProbe } from './probe.parser.ts';

const section = (name: string, body: string) => `\n@@su:${name}@@\n${body}`;

const DEBIAN_VM =
  section(
    'os-release',
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian',
  ) +
  section('hostname', 'nas') +
  section('uname', '6.1.0-27-amd64\nx86_64') +
  section('detect-virt', 'kvm') +
  section('container', '') +
  section('dmi', 'sys_vendor=QEMU\nproduct_name=Standard PC (Q35 + ICH9, 2009)') +
  section('dt-model', '') +
  section('cpuinfo', 'model name\t: AMD EPYC 7302P 16-Core Processor') +
  section('nproc', '4') +
  section('meminfo', 'MemTotal:        8048576 kB\nMemAvailable:    6036432 kB') +
  section(
    'df',
    'Filesystem     Type     1-blocks        Used   Available Capacity Mounted on\n' +
      '/dev/vda1      ext4  20957446144  9957446144 10000000000      50% /\n' +
      'tmpfs          tmpfs   824180736           0   824180736       0% /run\n' +
      '/dev/vdb1      ext4 100000000000 95000000000  5000000000      95% /srv/my data',
  ) +
  section('loadavg', '0.52 0.40 0.31 1/123 4567') +
  section('boot-id', '6f1c1c1e-1b2a-4e63-9a55-0d3b2a4c5d6e') +
  section('uptime', '12345.67 23456.78') +
  section('pve', '') +
  section('docker', 'Docker version 20.10.24+dfsg1, build 297e128') +
  section('apt', 'usable') +
  section('end', '');

describe('probe parser', () => {
  it('reads a Debian 12 KVM guest', () => {
    const p = parseProbe(DEBIAN_VM, new Date('2026-01-01T00:00:00Z'));
    expect(machineProbeSchema.parse(p)).toEqual(p);
    expect(p.os).toMatchObject({
      family: 'debian',
      versionId: '12',
      codename: 'bookworm',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    });
    expect(p).toMatchObject({
      kernel: '6.1.0-27-amd64',
      arch: 'x86_64',
      virtualization: 'kvm',
      machineKind: 'vm',
      hostname: 'nas',
    });
    expect(p.cpu).toEqual({ model: 'AMD EPYC 7302P 16-Core Processor', cores: 4 });
    expect(p.memory.totalBytes).toBe(8048576 * 1024);
    expect(p.memory.usedPercent).toBe(25);
    expect(p.filesystems.map((f) => f.mount)).toEqual(['/', '/srv/my data']);
    expect(p.load).toEqual({ load1: 0.52, load5: 0.4, load15: 0.31 });
    expect(p.docker).toEqual({ installed: true, version: '20.10.24+dfsg1' });
    expect(p.apt.usable).toBe(true);
    expect(p.warnings).toEqual(['/srv/my data is 95% full']);
  });

  it('prefers a container marker, and knows LXC, Raspberry Pi and bare metal', () => {
    const lxc = parseProbe(DEBIAN_VM.replace('@@su:container@@\n', '@@su:container@@\nlxc'), new Date());
    expect(lxc).toMatchObject({ virtualization: 'lxc', machineKind: 'lxc' });
    const other = parseProbe(DEBIAN_VM.replace('@@su:container@@\n', '@@su:container@@\nsu-lab'), new Date());
    expect(other).toMatchObject({ virtualization: 'container-other', machineKind: 'container' });
    const pi = parseProbe(
      DEBIAN_VM.replace('@@su:detect-virt@@\nkvm', '@@su:detect-virt@@\nnone').replace(
        '@@su:dt-model@@\n',
        '@@su:dt-model@@\nRaspberry Pi 4 Model B Rev 1.4',
      ),
      new Date(),
    );
    expect(pi).toMatchObject({
      virtualization: 'none',
      machineKind: 'raspberry_pi',
      hardwareModel: 'Raspberry Pi 4 Model B Rev 1.4',
    });
    const metal = parseProbe(
      DEBIAN_VM.replace('@@su:detect-virt@@\nkvm', '@@su:detect-virt@@\nnone').replace(
        'sys_vendor=QEMU\nproduct_name=Standard PC (Q35 + ICH9, 2009)',
        'sys_vendor=Dell Inc.\nproduct_name=OptiPlex 7050',
      ),
      new Date(),
    );
    expect(metal).toMatchObject({ virtualization: 'none', machineKind: 'physical' });
  });

  it("the machine's own hostname, the hypervisor CPU flag, and df of the paths that matter (a chroot lists nothing)", () => {
    const chroot = parseProbe(
      DEBIAN_VM.replace('@@su:hostname@@\nnas', '@@su:hostname@@\nnas\n@@su:nodename@@\nbuild-host-42')
        .replace('@@su:detect-virt@@\nkvm', '@@su:detect-virt@@\n')
        .replace('sys_vendor=QEMU\nproduct_name=Standard PC (Q35 + ICH9, 2009)', 'sys_vendor=\nproduct_name=')
        .replace('@@su:cpuinfo@@', '@@su:cpu-flags@@\nhypervisor\n@@su:cpuinfo@@')
        .replace(
          /@@su:df@@\n[\s\S]*?\n@@su:loadavg/,
          '@@su:df@@\n' +
            // A plain `df` printed only its header; `df /` and `df /var` (the same file system) named the root.
            'Filesystem     Type     1-blocks        Used   Available Capacity Mounted on\n' +
            'Filesystem     Type     1-blocks        Used   Available Capacity Mounted on\n' +
            'overlay        overlay 3221225472  1073741824  2147483648      34% /\n' +
            'overlay        overlay 3221225472  1073741824  2147483648      34% /\n' +
            '\n@@su:loadavg',
        ),
      new Date(),
    );
    expect(chroot).toMatchObject({
      hostname: 'nas',
      hypervisorFlag: true,
      virtualization: 'vm-other',
      machineKind: 'vm',
    });
    expect(chroot.filesystems.map((f) => [f.mount, f.fsType, f.usedPercent])).toEqual([['/', 'overlay', 33.3]]);
    expect(chroot.warnings).not.toContain('root file system usage not available');
    // No /etc/hostname: the kernel's node name.
    expect(parseProbe(section('hostname', '') + section('nodename', 'node1'), new Date()).hostname).toBe('node1');
  });

  it('reports what it could not read instead of failing', () => {
    const p = parseProbe(section('uname', '6.1.0\naarch64') + section('apt', 'apt-get not found'), new Date());
    expect(p.os.family).toBe('unknown');
    expect(p.arch).toBe('aarch64');
    expect(p.apt).toEqual({ usable: false, reason: 'apt-get not found' });
    expect(p.warnings).toEqual(
      expect.arrayContaining([
        'probe output was cut short; some values may be missing',
        'apt is not usable: apt-get not found',
      ]),
    );
  });

  it('parses os-release quoting and df edge cases', () => {
    expect(parseOsRelease('NAME="A \\"quoted\\" name"\nID=ubuntu\n# comment')).toEqual({
      NAME: 'A "quoted" name',
      ID: 'ubuntu',
    });
    expect(
      parseDf('Filesystem Type 1-blocks Used Available Capacity Mounted on\noverlay overlay 100 25 75 25% /'),
    ).toEqual([
      {
        mount: '/',
        device: 'overlay',
        fsType: 'overlay',
        sizeBytes: 100,
        usedBytes: 25,
        availableBytes: 75,
        usedPercent: 25,
      },
    ]);
  });
});
