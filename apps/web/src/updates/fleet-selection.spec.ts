import { describe, expect, it } from 'vitest';
import { pairKey, requestsOf, type PendingGroup } from './fleet-selection.ts';

const group = (name: string, machineCount: number, over: Partial<PendingGroup> = {}): PendingGroup => ({
  dedupKey: `debian|${name}|1|2|Debian`,
  name,
  currentVersion: '1',
  targetVersion: '2',
  origin: 'Debian',
  security: false,
  held: false,
  machineCount,
  ...over,
});

describe('fleet update selection', () => {
  it('makes one request per machine with the packages chosen for it, never a held one', () => {
    const openssl = group('openssl', 2, { security: true });
    const curl = group('curl', 2);
    const held = group('homelab-held', 1, { held: true });
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
    // A pair whose change is no longer listed (a new analysis) asks for nothing.
    expect(requestsOf([curl], new Set([pairKey(openssl.dedupKey, 'm1')]))).toEqual([]);
  });
});
