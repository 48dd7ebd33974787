import type { ConnectionTestResult } from '../api/types.ts';

export const CONNECTION_STEPS = ['connect', 'hostKey', 'identity', 'sudo'] as const;
export type ConnectionStep = (typeof CONNECTION_STEPS)[number];
/** `waiting`: the host key waits for a person to compare its fingerprint and trust it. */
export type StepState = 'ok' | 'failed' | 'waiting' | 'skipped';

const HOST_KEY_KINDS = new Set(['host_key_unknown', 'host_key_changed']);

/** What each step of a connection test came to: the API reports the last step reached and the error kind. */
export function stepsOf(r: ConnectionTestResult, keyPending: boolean): { step: ConnectionStep; state: StepState }[] {
  const keyRefused = HOST_KEY_KINDS.has(r.errorKind ?? '');
  const connected = r.reached !== 'none' || keyRefused;
  const identified = r.reached === 'identity' || r.reached === 'sudo';
  const hostKey: StepState =
    r.reached !== 'none'
      ? 'ok'
      : keyRefused
        ? keyPending && r.errorKind === 'host_key_unknown'
          ? 'waiting'
          : 'failed'
        : 'skipped';
  const sudo: StepState =
    r.sudo === 'ok' || r.sudo === 'not_needed' ? 'ok' : r.sudo === 'failed' ? 'failed' : 'skipped';
  return [
    { step: 'connect', state: connected ? 'ok' : 'failed' },
    { step: 'hostKey', state: hostKey },
    { step: 'identity', state: identified ? 'ok' : r.reached === 'connected' ? 'failed' : 'skipped' },
    { step: 'sudo', state: identified ? sudo : 'skipped' },
  ];
}
