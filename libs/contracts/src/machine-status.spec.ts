import { describe, expect, it } from 'vitest';
import { MACHINE_STATUSES, machineStatusAfter } from './machine-status.ts';

describe('machineStatusAfter', () => {
  it('says online when a job reached the machine', () => {
    expect(machineStatusAfter({ kind: 'reached' })).toBe('online');
  });

  it('says offline when the machine did not answer at all', () => {
    for (const errorKind of ['unreachable', 'timeout', 'connection_refused'])
      expect(machineStatusAfter({ kind: 'failed', errorKind })).toBe('offline');
  });

  it('says error when the machine answered but the job failed on it', () => {
    for (const errorKind of ['auth_failed', 'sudo_failed', 'apt_error', 'machine_did_not_return'])
      expect(machineStatusAfter({ kind: 'failed', errorKind })).toBe('error');
  });

  it('blocks, and forgets what it knew when unblocked (the next job finds out)', () => {
    expect(machineStatusAfter({ kind: 'blocked' })).toBe('blocked');
    expect(machineStatusAfter({ kind: 'unblocked' })).toBe('unknown');
  });

  it('only ever returns a listed value', () => {
    const all = [
      machineStatusAfter({ kind: 'reached' }),
      machineStatusAfter({ kind: 'failed', errorKind: 'x' }),
      machineStatusAfter({ kind: 'failed', errorKind: 'timeout' }),
      machineStatusAfter({ kind: 'blocked' }),
      machineStatusAfter({ kind: 'unblocked' }),
    ];
    for (const s of all) expect(MACHINE_STATUSES).toContain(s);
  });
});
