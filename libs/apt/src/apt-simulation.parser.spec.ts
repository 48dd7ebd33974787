import { describe, expect, it } from 'vitest';
import { aptSnapshotDetailSchema } from '@su/contracts';
import {
  buildAptSnapshotDetail,
  isSecurityOrigin,
  parseAptSimulation,
  parsePhasedFromPolicy,
  parseShowhold,
  splitOrigin,
} from './apt-simulation.parser.ts';
import { fixture } from './fixtures.ts';

const base = {
  osFamily: 'debian',
  rebootRequired: false,
  rebootPkgs: [],
  listsRefreshedAt: '2026-01-01T00:00:00.000Z',
  errors: [],
};
const held = parseShowhold(fixture('apt-mark-showhold'));
const phased = parsePhasedFromPolicy(fixture('apt-cache-policy-kept-back'));

describe('apt simulation parser', () => {
  it('reads Inst/Conf lines, origins and the -V kept-back list of `upgrade` (1.1 published)', () => {
    const sim = parseAptSimulation(fixture('sim-upgrade-1.1'));
    expect(sim.actions).toEqual([
      {
        operation: 'upgrade',
        name: 'homelab-broken',
        arch: 'all',
        currentVersion: '1.0',
        targetVersion: '1.1',
        origin: 'Debian:12.10/stable',
      },
      {
        operation: 'upgrade',
        name: 'homelab-conf',
        arch: 'all',
        currentVersion: '1.0',
        targetVersion: '1.1',
        origin: 'Debian:12.10/stable',
      },
      {
        operation: 'upgrade',
        name: 'homelab-demo',
        arch: 'all',
        currentVersion: '1.0',
        targetVersion: '1.1',
        origin: 'Debian:12.10/stable',
      },
      {
        operation: 'upgrade',
        name: 'homelab-secfix',
        arch: 'all',
        currentVersion: '1.0',
        targetVersion: '1.1',
        origin: 'Debian-Security:12/stable-security',
      },
    ]);
    expect(sim.keptBack).toEqual([
      { name: 'homelab-held', currentVersion: '1.0', targetVersion: '1.1' },
      { name: 'homelab-phased', currentVersion: '1.0', targetVersion: '1.1' },
    ]);
    expect(sim.counts).toEqual({ upgraded: 4, newlyInstalled: 0, removed: 0, notUpgraded: 2 });
    expect(sim.errors).toEqual([]);
  });

  it('reads the plain (non -V) kept-back list and the phasing section of newer apt', () => {
    const sim = parseAptSimulation(
      'The following packages have been kept back:\n  a b\nThe following upgrades have been deferred due to phasing:\n  c\n0 upgraded, 0 newly installed, 0 to remove and 3 not upgraded.\n',
    );
    expect(sim.keptBack.map((k) => k.name)).toEqual(['a', 'b']);
    expect(sim.deferredByPhasing).toEqual(['c']);
  });

  it('splits origins and flags security from the archive, never the name', () => {
    expect(splitOrigin('Debian:12.10/stable')).toEqual({ originName: 'Debian', suite: 'stable' });
    expect(splitOrigin('Debian-Security:12/stable-security')).toEqual({
      originName: 'Debian-Security',
      suite: 'stable-security',
    });
    expect(isSecurityOrigin('Debian-Security:12/stable-security')).toBe(true);
    expect(isSecurityOrigin('Ubuntu:22.04/jammy-security, Ubuntu:22.04/jammy-updates')).toBe(true);
    expect(isSecurityOrigin('Debian:12.10/stable')).toBe(false);
    expect(isSecurityOrigin(null)).toBe(false);
  });

  it('reads held packages from apt-mark showhold and phased ones from apt-cache policy', () => {
    expect(held).toEqual(['homelab-held']);
    // apt 2.6 prints nothing about phasing in the simulation; the policy's "(phased 0%)" is where it shows.
    expect(phased).toEqual(['homelab-phased']);
  });

  it('builds the snapshot with 1.1 published: 4 updates, one security, held/phased not counted', () => {
    const d = buildAptSnapshotDetail({
      ...base,
      upgrade: parseAptSimulation(fixture('sim-upgrade-1.1')),
      distUpgrade: parseAptSimulation(fixture('sim-dist-upgrade-1.1')),
      held,
      phased,
    });
    expect(aptSnapshotDetailSchema.parse(d)).toEqual(d);
    expect(d.status).toBe('updates_available');
    expect(d.packages.map((p) => `${p.name} ${p.currentVersion}->${p.targetVersion}`)).toEqual([
      'homelab-broken 1.0->1.1',
      'homelab-conf 1.0->1.1',
      'homelab-demo 1.0->1.1',
      'homelab-secfix 1.0->1.1',
    ]);
    expect(d.packages.find((p) => p.name === 'homelab-demo')).toEqual({
      name: 'homelab-demo',
      arch: 'all',
      currentVersion: '1.0',
      targetVersion: '1.1',
      origin: 'Debian:12.10/stable',
      originName: 'Debian',
      suite: 'stable',
      operation: 'upgrade',
      security: false,
      keptBack: false,
      held: false,
      phased: false,
      dedupKey: 'debian|homelab-demo|1.0|1.1|Debian:12.10/stable',
      severityHint: 'normal',
    });
    expect(d.packages.filter((p) => p.security).map((p) => p.name)).toEqual(['homelab-secfix']);
    expect(d.securityCount).toBe(1);
    expect(d.count).toBe(4);
    expect(d.upgradeCount).toBe(4);
    expect(d.distUpgradeCount).toBe(4);
    expect(d.held).toEqual(['homelab-held']);
    expect(d.phased).toEqual(['homelab-phased']);
    expect(d.keptBack!.map((k) => [k.name, k.held, k.phased, k.targetVersion])).toEqual([
      ['homelab-held', true, false, '1.1'],
      ['homelab-phased', false, true, '1.1'],
    ]);
    expect(d.installed).toEqual([]);
    expect(d.removed).toEqual([]);
  });

  it('with 1.2 published: upgrade keeps homelab-demo back, dist-upgrade plans it with homelab-dep as a new install', () => {
    const upgrade = parseAptSimulation(fixture('sim-upgrade-1.2'));
    expect(upgrade.keptBack.map((k) => k.name)).toEqual(['homelab-demo', 'homelab-held', 'homelab-phased']);
    expect(upgrade.actions.map((a) => a.name)).not.toContain('homelab-demo');
    const dist = parseAptSimulation(fixture('sim-dist-upgrade-1.2'));
    expect(dist.actions.find((a) => a.name === 'homelab-dep')).toEqual({
      operation: 'install',
      name: 'homelab-dep',
      arch: 'all',
      currentVersion: null,
      targetVersion: '1.0',
      origin: 'Debian:12.10/stable',
    });

    const d = buildAptSnapshotDetail({
      ...base,
      upgrade,
      distUpgrade: dist,
      held,
      phased,
      rebootRequired: true,
      rebootPkgs: ['homelab-demo'],
    });
    expect(aptSnapshotDetailSchema.parse(d)).toEqual(d);
    expect(d.status).toBe('updates_available');
    expect(d.upgradeCount).toBe(3);
    expect(d.distUpgradeCount).toBe(5);
    const demo = d.packages.find((p) => p.name === 'homelab-demo')!;
    expect(demo).toMatchObject({ currentVersion: '1.0', targetVersion: '1.2', keptBack: true, operation: 'upgrade' });
    expect(d.installed!.map((p) => [p.name, p.operation, p.targetVersion, p.currentVersion])).toEqual([
      ['homelab-dep', 'install', '1.0', null],
    ]);
    expect(d.keptBack!.map((k) => k.name)).toEqual(['homelab-demo', 'homelab-held', 'homelab-phased']);
    expect(d.rebootRequired).toBe(true);
    expect(d.rebootPkgs).toEqual(['homelab-demo']);
  });

  it('held/phased only is ok, not updates_available; removals and errors make a warning; a failed simulation an error', () => {
    const onlyKept = parseAptSimulation(
      'The following packages have been kept back:\n   homelab-held (1.0 => 1.1)\n   homelab-phased (1.0 => 1.1)\n0 upgraded, 0 newly installed, 0 to remove and 2 not upgraded.\n',
    );
    const ok = buildAptSnapshotDetail({ ...base, upgrade: onlyKept, distUpgrade: onlyKept, held, phased });
    expect(ok.status).toBe('ok');
    expect(ok.count).toBe(0);
    expect(ok.keptBack).toHaveLength(2);
    expect(
      buildAptSnapshotDetail({
        ...base,
        listsRefreshedAt: null,
        upgrade: onlyKept,
        distUpgrade: onlyKept,
        held,
        phased,
      }).status,
    ).toBe('warning');

    const removal = parseAptSimulation(fixture('sim-autoremove'));
    expect(removal.actions).toEqual([
      {
        operation: 'remove',
        name: 'homelab-phased',
        arch: 'unknown',
        currentVersion: '1.1',
        targetVersion: null,
        origin: null,
      },
    ]);
    const withRemoval = buildAptSnapshotDetail({ ...base, upgrade: onlyKept, distUpgrade: removal, held, phased });
    expect(withRemoval.status).toBe('warning');
    expect(withRemoval.removed!.map((p) => p.name)).toEqual(['homelab-phased']);

    const warned = buildAptSnapshotDetail({
      ...base,
      upgrade: parseAptSimulation(fixture('sim-upgrade-1.1')),
      distUpgrade: parseAptSimulation(fixture('sim-dist-upgrade-1.1')),
      held,
      phased,
      errors: [{ source: 'apt', kind: 'mirror_unreachable', severity: 'warning', message: 'x' }],
    });
    expect(warned.status).toBe('warning');
    expect(warned.count).toBe(4);

    const failed = parseAptSimulation(
      "E: dpkg was interrupted, you must manually run 'dpkg --configure -a' to correct the problem.\n",
    );
    const error = buildAptSnapshotDetail({ ...base, upgrade: failed, distUpgrade: failed, held: [], phased: [] });
    expect(error.status).toBe('error');
    expect(error.errors![0]).toMatchObject({ kind: 'simulation_failed', severity: 'error' });
  });
});
