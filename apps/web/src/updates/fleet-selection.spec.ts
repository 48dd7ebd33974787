import { describe, expect, it } from 'vitest';
import { pairKey, requestsOf, type PendingGroup } from './fleet-selection.ts';

const group = (name: string, machineIds: string[], over: Partial<PendingGroup> = {}): PendingGroup => ({
  dedupKey: `debian|${name}|1|2|Debian`,
  name,
  currentVersion: '1',
  targetVersion: '2',
  origin: 'Debian',
  security: false,
  held: false,
  machineCount: machineIds.length,
  machineIds,
  ...over,
});

describe('fleet update selection', () => {
  it('makes one request per machine with the packages chosen for it, never a held one', () => {
    const openssl = group('openssl', ['m1', 'm2'], { security: true });
    const curl = group('curl', ['m1', 'm3']);
    const held = group('homelab-held', ['m1'], { held: true });
    const selected = new Set([
      pairKey(openssl.dedupKey, 'm1'),
      pairKey(openssl.dedupKey, 'm2'),
      pairKey(curl.dedupKey, 'm1'),
      pairKey(held.dedupKey, 'm1'),
    ]);
    expect(requestsOf([openssl, curl, held], selected)).toEqual([
      { machineId: 'm1', packages: ['curl', 'openssl'] },
      { machineId: 'm2', packages: ['openssl'] },
    ]);
    expect(requestsOf([openssl], new Set())).toEqual([]);
  });
});
