import { describe, expect, it } from 'vitest';
import { parsePackagePolicy, parseReleaseTable, withPolicy } from './apt-policy.parser.ts';
import { buildAptSnapshotDetail, parseAptSimulation, parsePhasedFromPolicy } from './apt-simulation.parser.ts';
import { extractAptMessages } from './apt-messages.extractor.ts';
import { rebootAfterApply } from './kernel-reboot.rule.ts';
import { parsePhasedPercentages, phasedMessages, withPhased } from './phased-updates.ts';
import { fixture } from './fixtures.ts';

// Captured on the lab (apt 2.6.1) with the other distributions' archives in the sources: an Ubuntu noble-updates
// pocket whose homelab-noble-phased 1.0-0ubuntu1.1 has Phased-Update-Percentage: 0; Raspberry Pi OS's
// raspberrypi-kernel and linux-image-rpi-v8 (which pulls a new linux-image-<abi>+rpt-rpi-v8); Proxmox VE's
// proxmox-kernel-6.8 (which pulls a new proxmox-kernel-<abi>-pve-signed).
const policyOut = fixture('apt-cache-policy-ubuntu-phased');
const upgrade = parseAptSimulation(fixture('sim-upgrade-kernels'));
const distUpgrade = parseAptSimulation(fixture('sim-dist-upgrade-kernels'));
const planned = withPolicy(
  buildAptSnapshotDetail({
    osFamily: 'debian',
    upgrade,
    distUpgrade,
    held: [],
    phased: parsePhasedFromPolicy(policyOut),
    rebootRequired: false,
    rebootPkgs: [],
    listsRefreshedAt: null,
    errors: [],
  }),
  {
    releases: parseReleaseTable(fixture('apt-cache-policy-releases-distros')),
    packages: parsePackagePolicy(policyOut),
  },
  [],
  'debian',
);
const detail = withPhased(planned, parsePhasedPercentages(policyOut));

describe('phased updates (Ubuntu noble-updates pocket, apt 2.6)', () => {
  it('apt keeps the phased version back in both simulations: it is listed apart, with its pocket and percentage', () => {
    expect(upgrade.keptBack.map((k) => k.name)).toContain('homelab-noble-phased');
    expect(distUpgrade.keptBack.map((k) => k.name)).toEqual(['homelab-noble-phased']);
    expect(parsePhasedPercentages(policyOut)).toEqual(new Map([['homelab-noble-phased', 0]]));
    expect(detail.phasedCount).toBe(1);
    expect(detail.phasedPackages).toEqual([
      expect.objectContaining({
        name: 'homelab-noble-phased',
        currentVersion: '1.0-0ubuntu1',
        targetVersion: '1.0-0ubuntu1.1',
        phased: true,
        phasedPercentage: 0,
        originName: 'Ubuntu',
        suite: 'noble-updates',
        codename: 'noble',
        security: false,
      }),
    ]);
  });

  it('is not in the plan nor in the count', () => {
    const plan = [...detail.packages, ...(detail.installed ?? [])].map((p) => p.name);
    expect(plan).not.toContain('homelab-noble-phased');
    expect(detail.count).toBe(3);
    expect(detail.status).toBe('updates_available');
  });

  it('one "phased" notice explains it, in place of the "kept back" line', () => {
    const sims = `${fixture('sim-upgrade-kernels')}\n${fixture('sim-dist-upgrade-kernels')}`;
    const raw = extractAptMessages(sims);
    expect(raw.some((m) => m.category === 'kept_back' && m.packageName === 'homelab-noble-phased')).toBe(true);
    const notices = phasedMessages(raw, detail).filter((m) => m.packageName === 'homelab-noble-phased');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ category: 'phased', severity: 'info' });
    expect(notices[0]!.message).toMatch(
      /^homelab-noble-phased 1\.0-0ubuntu1 → 1\.0-0ubuntu1\.1 \(Ubuntu noble-updates\) is a phased update: it is offered to 0% of machines/,
    );
    expect(notices[0]!.message).toMatch(/not in the plan/);
  });
});

describe('kernels of other distributions in the plan: the analysis predicts the reboot', () => {
  it('Raspberry Pi OS and Proxmox VE kernels, upgraded and newly installed, with their real origins', () => {
    expect(rebootAfterApply(detail)).toEqual({
      rebootAfterApply: true,
      rebootAfterApplyPkgs: [
        'linux-image-rpi-v8',
        'proxmox-kernel-6.8',
        'raspberrypi-kernel',
        'linux-image-6.6.74+rpt-rpi-v8',
        'proxmox-kernel-6.8.12-5-pve-signed',
      ],
    });
    const byName = new Map([...detail.packages, ...(detail.installed ?? [])].map((p) => [p.name, p]));
    expect(byName.get('raspberrypi-kernel')).toMatchObject({
      originName: 'Raspberry Pi Foundation',
      label: 'Raspberry Pi Foundation',
      suite: 'bookworm',
      codename: 'bookworm',
      security: false,
    });
    expect(byName.get('proxmox-kernel-6.8')).toMatchObject({
      originName: 'Proxmox',
      label: 'Proxmox Debian Repository',
      suite: 'stable',
      codename: 'bookworm',
      sources: [expect.objectContaining({ component: 'pve-no-subscription' })],
    });
  });
});
