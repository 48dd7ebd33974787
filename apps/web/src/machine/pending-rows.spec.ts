import { describe, expect, it } from 'vitest';
import type { AptPackage } from '@su/contracts';
import { pendingRows } from './pending-rows.ts';

const pkg = (name: string, over: Partial<AptPackage> = {}): AptPackage => ({
  name,
  arch: 'amd64',
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
  dedupKey: name,
  ...over,
});

describe('pending package rows', () => {
  it('lists security first, merges a package seen in two lists, and keeps held and phased ones flagged', () => {
    const rows = pendingRows({
      packages: [pkg('homelab-demo'), pkg('homelab-secfix', { security: true, suite: 'stable-security' })],
      keptBack: [pkg('homelab-demo', { targetVersion: '1.2' })],
      heldPackages: [pkg('homelab-held', { held: true, security: true })],
      phased: ['homelab-phased'],
    });
    expect(rows.map((r) => [r.name, r.flags.join(',')])).toEqual([
      ['homelab-held', 'security,held'],
      ['homelab-secfix', 'security'],
      ['homelab-demo', 'keptBack'],
      ['homelab-phased', 'phased'],
    ]);
    expect(rows[1]).toMatchObject({ from: '1.0', to: '1.1', origin: 'Debian', suite: 'stable-security' });
  });
  it('leaves removals out (they are not updates) and answers nothing for an empty analysis', () => {
    expect(pendingRows({ packages: [pkg('old', { operation: 'remove', targetVersion: null })] })).toEqual([]);
    expect(pendingRows({})).toEqual([]);
  });
});
