import { describe, expect, it } from 'vitest';
import { parsePackagePolicy, parseReleaseTable, withPolicy } from './apt-policy.parser.ts';
import { buildAptSnapshotDetail, parseAptSimulation } from './apt-simulation.parser.ts';
import { heldMessages } from './jobs/held-messages.ts';
import { extractAptMessages } from './apt-messages.extractor.ts';
import { parseOsVersion } from './os-release.parser.ts';
import { fixture } from './fixtures.ts';

// Captured on the lab (apt 2.6.1): homelab-both 1.1 in bookworm and bookworm-security, homelab-held (on hold) 1.1 in
// bookworm-security, homelab-secfix 1.1 in bookworm-security, homelab-demo 1.1 in bookworm.
const releases = parseReleaseTable(fixture('apt-cache-policy-releases'));
const packages = parsePackagePolicy(fixture('apt-cache-policy-packages'));
const upgrade = parseAptSimulation(fixture('sim-upgrade-both'));
const distUpgrade = parseAptSimulation(fixture('sim-dist-upgrade-both'));
const detail = withPolicy(
  buildAptSnapshotDetail({
    osFamily: 'debian',
    upgrade,
    distUpgrade,
    held: ['homelab-held'],
    phased: [],
    rebootRequired: false,
    rebootPkgs: [],
    listsRefreshedAt: null,
    errors: [],
  }),
  { releases, packages },
  ['homelab-held'],
  'debian',
);
const SECURITY = {
  origin: 'Debian',
  label: 'Debian-Security',
  suite: 'stable-security',
  codename: 'bookworm-security',
  version: '12',
  component: 'main',
  archive: 'http://10.213.0.1:8080/debian-security bookworm-security',
};
const STABLE = {
  origin: 'Debian',
  label: 'Debian',
  suite: 'stable',
  codename: 'bookworm',
  version: '12.10',
  component: 'main',
  archive: 'http://10.213.0.1:8080/debian bookworm',
};

describe('sources as apt reports them (apt-cache policy)', () => {
  it('reads every package file with its Release fields', () => {
    expect([...releases.values()]).toEqual([SECURITY, STABLE]);
    expect(packages.get('homelab-both')).toEqual({
      installed: '1.0',
      candidate: '1.1',
      candidateFiles: [
        'http://10.213.0.1:8080/debian bookworm/main amd64 Packages',
        'http://10.213.0.1:8080/debian-security bookworm-security/main amd64 Packages',
      ],
    });
  });

  it('origin and label apart; every suite offering the target version; security if any is a security suite', () => {
    const both = detail.packages.find((p) => p.name === 'homelab-both')!;
    expect(both).toMatchObject({ originName: 'Debian', label: 'Debian', security: true, sources: [STABLE, SECURITY] });
    const secfix = detail.packages.find((p) => p.name === 'homelab-secfix')!;
    // The simulation says "Debian-Security:12/stable-security": that is the label; the origin is Debian.
    expect(secfix).toMatchObject({ originName: 'Debian', label: 'Debian-Security', codename: 'bookworm-security' });
    expect(detail.packages.find((p) => p.name === 'homelab-demo')).toMatchObject({
      security: false,
      sources: [STABLE],
    });
    expect(detail.securityCount).toBe(2);
  });

  it('a held package with a security update stays listed, with origin and suite, counted apart; its notice says held, once', () => {
    expect(detail.count).toBe(3);
    expect(detail.heldPackages).toEqual([
      expect.objectContaining({
        name: 'homelab-held',
        currentVersion: '1.0',
        targetVersion: '1.1',
        held: true,
        security: true,
        originName: 'Debian',
        suite: 'stable-security',
        sources: [SECURITY],
      }),
    ]);
    expect([detail.heldCount, detail.heldSecurityCount]).toEqual([1, 1]);
    const log = `${fixture('sim-upgrade-both')}\n${fixture('sim-dist-upgrade-both')}`;
    const messages = heldMessages(extractAptMessages(log), detail).filter((m) => m.packageName === 'homelab-held');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ category: 'held', severity: 'warning' });
    expect(messages[0]!.message).toMatch(/^homelab-held 1\.0 → 1\.1 is held .*security update \(bookworm-security\)/);
  });

  it('OS version: Debian point release, else VERSION_ID', () => {
    expect(parseOsVersion(fixture('os-release-bookworm'))).toBe('12.15');
    expect(parseOsVersion('ID=ubuntu\nVERSION_ID="24.04"\nDEBIAN_VERSION_FULL=trixie/sid\n')).toBe('24.04');
  });
});
