import { describe, expect, it } from 'vitest';
import { analysisPlanOf, planDrift, planHash, plannedChangeOf, type ApprovedPlan } from '@su/contracts';
import { buildAptSnapshotDetail, parseAptSimulation, parseShowhold } from '../apt-simulation.parser.ts';
import { fixture } from '../fixtures.ts';
import { simulatedPlan } from './apt-apply.service.ts';

// An approval is bound to the plan of an analysis; the worker compares it with the simulation it runs just before
// applying. On an unchanged machine the two must hash the same, or every approved apply would fail plan_drifted.
const held = parseShowhold(fixture('apt-mark-showhold'));

function analysis(version: '1.1' | '1.2') {
  return buildAptSnapshotDetail({
    osFamily: 'debian',
    upgrade: parseAptSimulation(fixture(`sim-upgrade-${version}`)),
    distUpgrade: parseAptSimulation(fixture(`sim-dist-upgrade-${version}`)),
    held,
    phased: ['homelab-phased'],
    rebootRequired: false,
    rebootPkgs: [],
    listsRefreshedAt: '2026-01-01T00:00:00.000Z',
    errors: [],
  });
}
const beforeApply = (mode: 'upgrade' | 'dist_upgrade' | 'packages', version: '1.1' | '1.2', packages?: string[]) =>
  simulatedPlan(
    parseAptSimulation(fixture(`sim-${mode === 'dist_upgrade' ? 'dist-upgrade' : 'upgrade'}-${version}`)),
    held,
    'debian',
    packages,
  ).map(plannedChangeOf);
const approve = (changes: ReturnType<typeof plannedChangeOf>[]): ApprovedPlan => ({
  requestId: '7f1c8d6e-0000-4000-8000-000000000001',
  hash: planHash(changes),
  changes,
  allowSuperset: false,
});

describe('approved plan vs the simulation before applying', () => {
  it('upgrade: the analysis plan (kept-back homelab-demo, held and phased left out) hashes as the simulation does', () => {
    const approved = analysisPlanOf('apt_upgrade', analysis('1.2')).map(plannedChangeOf);
    expect(approved.map((c) => c.name).sort()).toEqual(['homelab-broken', 'homelab-conf', 'homelab-secfix']);
    const now = beforeApply('upgrade', '1.2');
    expect(planHash(now)).toBe(planHash(approved));
    expect(planDrift(approve(approved), now)).toBeNull();
  });

  it('dist-upgrade: the new dependency and the kept-back package are in both; held and phased in neither', () => {
    const approved = analysisPlanOf('apt_dist_upgrade', analysis('1.2')).map(plannedChangeOf);
    expect(approved.map((c) => `${c.operation} ${c.name}`).sort()).toEqual([
      'install homelab-dep',
      'upgrade homelab-broken',
      'upgrade homelab-conf',
      'upgrade homelab-demo',
      'upgrade homelab-secfix',
    ]);
    expect(planHash(beforeApply('dist_upgrade', '1.2'))).toBe(planHash(approved));
  });

  it('named packages: narrowed the same way on both sides', () => {
    const approved = analysisPlanOf('apt_upgrade', analysis('1.2'), ['homelab-conf']).map(plannedChangeOf);
    expect(approved).toEqual([{ name: 'homelab-conf', arch: 'all', targetVersion: '1.1', operation: 'upgrade' }]);
    expect(planHash(beforeApply('packages', '1.2', ['homelab-conf']))).toBe(planHash(approved));
  });

  it('a version published after the approval drifts: the approved change is gone and another one is new', () => {
    const approved = approve(analysisPlanOf('apt_dist_upgrade', analysis('1.1')).map(plannedChangeOf));
    const reason = planDrift(approved, beforeApply('dist_upgrade', '1.2'));
    expect(reason).toMatch(/new: .*upgrade homelab-demo:all=1\.2/);
    expect(reason).toMatch(/no longer planned: .*upgrade homelab-demo:all=1\.1/);
    expect(planDrift({ ...approved, allowSuperset: true }, beforeApply('dist_upgrade', '1.2'))).not.toBeNull();
  });
});
