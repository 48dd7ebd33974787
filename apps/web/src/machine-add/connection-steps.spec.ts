import { describe, expect, it } from 'vitest';
import type { ConnectionTestResult } from '../api/types.ts';
import { stepsOf } from './connection-steps.ts';

const base: ConnectionTestResult = {
  ok: false,
  reached: 'none',
  hostKey: null,
  remoteUser: null,
  remoteUid: null,
  sudo: 'not_checked',
  errorKind: null,
  message: null,
  remediation: null,
};
const states = (r: Partial<ConnectionTestResult>, pending = false) =>
  stepsOf({ ...base, ...r }, pending).map((s) => `${s.step}:${s.state}`);

describe('connection test steps', () => {
  it('all four steps pass when sudo answered', () => {
    expect(states({ ok: true, reached: 'sudo', sudo: 'ok', remoteUser: 'admin', remoteUid: 1000 })).toEqual([
      'connect:ok',
      'hostKey:ok',
      'identity:ok',
      'sudo:ok',
    ]);
  });
  it('a first key pending approval waits for a person; the later steps are not reached', () => {
    expect(states({ errorKind: 'host_key_unknown' }, true)).toEqual([
      'connect:ok',
      'hostKey:waiting',
      'identity:skipped',
      'sudo:skipped',
    ]);
  });
  it('a changed key fails the host key step', () => {
    expect(states({ errorKind: 'host_key_changed' })).toContain('hostKey:failed');
  });
  it('an unreachable machine fails at connect', () => {
    expect(states({ errorKind: 'unreachable' })).toEqual([
      'connect:failed',
      'hostKey:skipped',
      'identity:skipped',
      'sudo:skipped',
    ]);
  });
  it('a wrong sudo password fails the last step only; root needs no sudo', () => {
    expect(states({ reached: 'identity', sudo: 'failed', errorKind: 'sudo_failed' })).toEqual([
      'connect:ok',
      'hostKey:ok',
      'identity:ok',
      'sudo:failed',
    ]);
    expect(states({ ok: true, reached: 'identity', sudo: 'not_needed' })).toContain('sudo:ok');
  });
});
