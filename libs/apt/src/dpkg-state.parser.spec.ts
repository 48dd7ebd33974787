import { describe, expect, it } from 'vitest';
import { aptChangeSchema } from '@su/contracts';
import { buildAptSnapshotDetail, parseAptSimulation } from './apt-simulation.parser.ts';
import { brokenPackages, comparePlan, diffPackageSets, DPKG_QUERY_ARGV, parseDpkgQuery } from './dpkg-state.parser.ts';
import { compareDebianVersions } from './dpkg-version.ts';
import { fixture } from './fixtures.ts';

const before = parseDpkgQuery(fixture('dpkg-query-before'));
const after = parseDpkgQuery(fixture('dpkg-query-after'));

describe('dpkg state', () => {
  it('runs dpkg-query with a tab-separated format', () => {
    expect(DPKG_QUERY_ARGV).toEqual([
      'env',
      'LC_ALL=C',
      'dpkg-query',
      '-W',
      '-f=${binary:Package}\\t${Version}\\t${Architecture}\\t${db:Status-Abbrev}\\n',
    ]);
  });

  it('parses the package set', () => {
    expect(before.length).toBe(142);
    expect(before.find((p) => p.name === 'apt')).toEqual({
      name: 'apt',
      arch: 'amd64',
      version: '2.6.1',
      status: 'ii',
      present: true,
      broken: false,
    });
    expect(before.find((p) => p.name === 'homelab-held')).toMatchObject({ status: 'hi', present: true });
    // homelab-broken 1.1's postinst failed: half-configured.
    expect(after.find((p) => p.name === 'homelab-broken')).toMatchObject({
      version: '1.1',
      status: 'iF',
      present: true,
      broken: true,
    });
    expect(brokenPackages(after)).toEqual(['homelab-broken']);
  });

  it('diffs the real dist-upgrade: 4 upgraded, homelab-dep installed', () => {
    const diff = diffPackageSets(before, after);
    for (const c of diff) aptChangeSchema.parse(c);
    expect(diff).toEqual([
      { name: 'homelab-broken', arch: 'all', fromVersion: '1.0', toVersion: '1.1', operation: 'upgraded' },
      { name: 'homelab-conf', arch: 'all', fromVersion: '1.0', toVersion: '1.1', operation: 'upgraded' },
      { name: 'homelab-demo', arch: 'all', fromVersion: '1.0', toVersion: '1.2', operation: 'upgraded' },
      { name: 'homelab-dep', arch: 'all', fromVersion: null, toVersion: '1.0', operation: 'installed' },
      { name: 'homelab-secfix', arch: 'all', fromVersion: '1.0', toVersion: '1.1', operation: 'upgraded' },
    ]);
    expect(diffPackageSets(after, before).find((c) => c.name === 'homelab-dep')).toMatchObject({
      operation: 'removed',
      fromVersion: '1.0',
      toVersion: null,
    });
    expect(diffPackageSets(after, before).find((c) => c.name === 'homelab-demo')).toMatchObject({
      operation: 'downgraded',
    });
  });

  it('treats rc (config files only) as not present', () => {
    const rc = parseDpkgQuery('foo\t1.0\tamd64\trc \n');
    expect(diffPackageSets(parseDpkgQuery('foo\t1.0\tamd64\tii \n'), rc)).toEqual([
      { name: 'foo', arch: 'amd64', fromVersion: '1.0', toVersion: null, operation: 'removed' },
    ]);
  });

  it('compares the applied diff with the dist-upgrade plan', () => {
    const d = buildAptSnapshotDetail({
      osFamily: 'debian',
      upgrade: parseAptSimulation(fixture('sim-upgrade-1.2')),
      distUpgrade: parseAptSimulation(fixture('sim-dist-upgrade-1.2')),
      held: [],
      phased: [],
      rebootRequired: false,
      rebootPkgs: [],
      listsRefreshedAt: null,
      errors: [],
    });
    const planned = [...d.packages, ...d.installed!, ...d.removed!];
    const applied = diffPackageSets(before, after);
    expect(comparePlan(planned, applied)).toEqual({ matches: true, unexpected: [], missing: [] });

    const partial = comparePlan(
      planned,
      applied.filter((c) => c.name !== 'homelab-dep'),
    );
    expect(partial.matches).toBe(false);
    expect(partial.missing.map((p) => p.name)).toEqual(['homelab-dep']);
    const extra = comparePlan(
      planned.filter((p) => p.name !== 'homelab-secfix'),
      applied,
    );
    expect(extra.unexpected.map((c) => c.name)).toEqual(['homelab-secfix']);
  });

  it('orders Debian versions like dpkg', () => {
    expect(compareDebianVersions('1.1', '1.0')).toBeGreaterThan(0);
    expect(compareDebianVersions('1.0~rc1', '1.0')).toBeLessThan(0);
    expect(compareDebianVersions('1:0.9', '2.0')).toBeGreaterThan(0);
    expect(compareDebianVersions('12.4+deb12u15', '12.4+deb12u9')).toBeGreaterThan(0);
    expect(compareDebianVersions('5.2.15-2+b13', '5.2.15-2+b13')).toBe(0);
    expect(compareDebianVersions('1.0-1', '1.0-1.1')).toBeLessThan(0);
    expect(compareDebianVersions('1.0a', '1.0')).toBeGreaterThan(0);
  });
});
