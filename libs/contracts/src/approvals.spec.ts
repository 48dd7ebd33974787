import { describe, expect, it } from 'vitest';
import {
  analysisPlanOf,
  approvedPlanSchema,
  describePackageChange,
  machineScopeRefusal,
  planDrift,
  planHash,
  plannedChangeOf,
  type ApprovedPlan,
  type PlannedChange,
} from './approvals.ts';

const up = (name: string, to: string, arch: string | null = 'amd64'): PlannedChange => ({
  name,
  arch,
  targetVersion: to,
  operation: 'upgrade',
});
const openssl = up('openssl', '3.0.2');
const libssl = up('libssl3', '3.0.2');
const curl = up('curl', '7.88.1-10+deb12u9');

const approved = (changes: PlannedChange[], allowSuperset = false): ApprovedPlan => ({
  requestId: '7f1c8d6e-0000-4000-8000-000000000001',
  hash: planHash(changes),
  changes,
  allowSuperset,
});

describe('planHash', () => {
  it('is a sha256 independent of the order and of repeated entries', () => {
    const h = planHash([openssl, libssl, curl]);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(planHash([curl, openssl, libssl])).toBe(h);
    expect(planHash([curl, openssl, libssl, openssl])).toBe(h);
    expect(approvedPlanSchema.parse(approved([openssl, libssl]))).toBeTruthy();
  });

  it('changes with the version, the arch or the operation of any package', () => {
    const h = planHash([openssl, libssl]);
    expect(planHash([up('openssl', '3.0.3'), libssl])).not.toBe(h);
    expect(planHash([up('openssl', '3.0.2', 'arm64'), libssl])).not.toBe(h);
    expect(planHash([{ ...openssl, operation: 'install' }, libssl])).not.toBe(h);
    expect(planHash([openssl])).not.toBe(h);
  });

  it('tells a missing arch from an empty one and a removal from an upgrade (no key collisions)', () => {
    expect(planHash([{ name: 'x', arch: null, targetVersion: null, operation: 'remove' }])).not.toBe(
      planHash([{ name: 'x', arch: null, targetVersion: null, operation: 'upgrade' }]),
    );
    expect(planHash([])).toBe(planHash([]));
  });
});

describe('planDrift', () => {
  it('accepts the same plan in another order', () => {
    expect(planDrift(approved([openssl, libssl, curl]), [curl, libssl, openssl])).toBeNull();
  });

  it('refuses a larger plan unless the approval allows a superset, and names what is new', () => {
    const reason = planDrift(approved([openssl, libssl]), [openssl, libssl, curl]);
    expect(reason).toMatch(/the plan changed since it was approved/);
    expect(reason).toMatch(/new: upgrade curl:amd64=7\.88\.1-10\+deb12u9/);
    expect(reason).not.toMatch(/no longer planned/);
    expect(planDrift(approved([openssl, libssl], true), [openssl, libssl, curl])).toBeNull();
  });

  it('refuses a smaller plan even with superset allowed: an approved change that would not happen is drift', () => {
    const reason = planDrift(approved([openssl, libssl], true), [openssl]);
    expect(reason).toMatch(/no longer planned: upgrade libssl3:amd64=3\.0\.2/);
  });

  it('treats a new target version as drift, with or without superset (old version gone, new one added)', () => {
    for (const allow of [false, true]) {
      const reason = planDrift(approved([openssl, libssl], allow), [up('openssl', '3.0.3'), libssl]);
      expect(reason).toMatch(/new: upgrade openssl:amd64=3\.0\.3/);
      expect(reason).toMatch(/no longer planned: upgrade openssl:amd64=3\.0\.2/);
    }
  });

  it('shortens long lists', () => {
    const many = Array.from({ length: 25 }, (_, i) => up(`pkg${i}`, '2'));
    const reason = planDrift(approved([]), many)!;
    expect(reason).toMatch(/… \(25 in all\)/);
    expect(reason.split(', ').length).toBeLessThan(15);
  });
});

describe('analysisPlanOf', () => {
  const pkg = (name: string, operation: string, keptBack = false) => ({
    name,
    arch: 'amd64',
    currentVersion: operation === 'install' ? null : '1.0',
    targetVersion: operation === 'remove' ? null : '1.2',
    operation,
    keptBack,
  });
  const apt = {
    packages: [pkg('demo', 'upgrade', true), pkg('secfix', 'upgrade'), pkg('conf', 'upgrade')],
    installed: [pkg('dep', 'install')],
    removed: [pkg('old', 'remove')],
  };

  it('dist-upgrade: every upgrade, install and removal of the analysis', () => {
    expect(analysisPlanOf('apt_dist_upgrade', apt).map((p) => p.name)).toEqual([
      'demo',
      'secfix',
      'conf',
      'dep',
      'old',
    ]);
  });

  it('upgrade: no install or removal, nothing upgrade keeps back; narrowed to named packages', () => {
    expect(analysisPlanOf('apt_upgrade', apt).map((p) => p.name)).toEqual(['secfix', 'conf']);
    expect(analysisPlanOf('apt_upgrade', apt, ['conf', 'demo']).map((p) => p.name)).toEqual(['conf']);
  });

  it('maps to the approved fields only, so extra analysis fields never change the hash', () => {
    const [first] = analysisPlanOf('apt_upgrade', apt);
    expect(plannedChangeOf({ ...first!, origin: 'Debian:12/stable' } as never)).toEqual({
      name: 'secfix',
      arch: 'amd64',
      targetVersion: '1.2',
      operation: 'upgrade',
    });
  });
});

describe('describePackageChange', () => {
  it('reads as from → to, new or removed', () => {
    expect(
      describePackageChange({ name: 'openssl', currentVersion: '3.0.1', targetVersion: '3.0.2', operation: 'upgrade' }),
    ).toBe('openssl 3.0.1 → 3.0.2');
    expect(
      describePackageChange({ name: 'dep', currentVersion: null, targetVersion: '1.0', operation: 'install' }),
    ).toBe('dep (new) 1.0');
    expect(
      describePackageChange({ name: 'old', currentVersion: '2.1', targetVersion: null, operation: 'remove' }),
    ).toBe('old 2.1 (removed)');
  });
});

describe('machineScopeRefusal', () => {
  const web1 = { id: '11111111-1111-4111-8111-111111111111', name: 'web1', tags: ['prod', 'web'] };
  const db1 = { id: '22222222-2222-4222-8222-222222222222', name: 'db1', tags: ['prod'] };

  it('lets an unscoped client act anywhere', () => {
    expect(machineScopeRefusal(null, web1)).toBeNull();
    expect(machineScopeRefusal(undefined, web1)).toBeNull();
  });

  it('admits a machine by one of its tags or by its id, and refuses the others naming the machine', () => {
    expect(machineScopeRefusal({ tags: ['web'] }, web1)).toBeNull();
    expect(machineScopeRefusal({ machineIds: [db1.id] }, db1)).toBeNull();
    expect(machineScopeRefusal({ tags: ['web'], machineIds: [] }, db1)).toBe(
      `machine db1 (${db1.id}) is outside this API client's machine scope (tags web)`,
    );
  });

  it('admits nothing with a scope that names nothing', () => {
    expect(machineScopeRefusal({}, web1)).toMatch(/outside this API client's machine scope \(no machine\)/);
  });
});
