import { describe, expect, it } from 'vitest';
import { ERROR_KINDS } from '@su/contracts';
import { REMEDIATIONS, SshError, classifyConnectFailure, connectFailureMessage } from './ssh-error.ts';
import { classifySudoFailure } from './sudo-invocation.ts';

describe('classifyConnectFailure', () => {
  it.each([
    [{ code: 'ECONNREFUSED' }, 'connection_refused'],
    [{ code: 'ETIMEDOUT' }, 'timeout'],
    [{ code: 'EHOSTUNREACH' }, 'unreachable'],
    [{ code: 'ENETUNREACH' }, 'unreachable'],
    [{ code: 'ENOTFOUND' }, 'unreachable'],
    [{ code: 'ECONNRESET' }, 'unreachable'],
    [{ level: 'client-authentication', message: 'All configured authentication methods failed' }, 'auth_failed'],
    [{ level: 'client-timeout', message: 'Timed out while waiting for handshake' }, 'timeout'],
    [{ level: 'handshake', message: 'Host denied (verification failed)' }, 'host_key_changed'],
    [
      { message: 'Cannot parse privateKey: Encrypted private OpenSSH key detected, but no passphrase given' },
      'auth_failed',
    ],
    [{ level: 'protocol', message: 'Bad packet length' }, 'unreachable'],
  ] as const)('%j → %s', (f, kind) => {
    expect(classifyConnectFailure(f)).toBe(kind);
  });

  it('every SSH kind is a persisted error kind and has a remediation', () => {
    for (const [k, r] of Object.entries(REMEDIATIONS)) {
      expect(ERROR_KINDS).toContain(k);
      expect(r.length).toBeGreaterThan(20);
    }
  });

  it('messages name the target and the budget, never a secret', () => {
    expect(connectFailureMessage('timeout', 'admin@10.0.0.1:22', 3000)).toBe(
      'No answer from admin@10.0.0.1:22 within 3000 ms',
    );
    const e = new SshError('auth_failed', 'x');
    expect(e.remediation).toBe(REMEDIATIONS.auth_failed);
    expect(new SshError('auth_failed', 'x', { remediation: 'y' }).remediation).toBe('y');
  });
});

describe('classifySudoFailure', () => {
  it.each([
    ['sudo: a terminal is required to read the password; either use the -S option', 'sudo_requires_tty'],
    ['sudo: sorry, you must have a tty to run sudo', 'sudo_requires_tty'],
    ['sudo: no tty present and no askpass program specified', 'sudo_requires_tty'],
    ['admin is not in the sudoers file.', 'sudo_failed'],
    ['Sorry, try again.\nsudo: no password was provided\nsudo: 1 incorrect password attempt', 'sudo_failed'],
    ['sudo: a password is required', 'sudo_failed'],
    ['something else', 'sudo_failed'],
  ] as const)('%j → %s', (stderr, kind) => {
    expect(classifySudoFailure(stderr).kind).toBe(kind);
  });

  it('gives a specific remediation for a refused account and for a wrong password', () => {
    expect(classifySudoFailure('admin is not in the sudoers file.').remediation).toMatch(/sudoers/);
    expect(classifySudoFailure('', { wrongPasswordSeen: true }).message).toMatch(/rejected the password/);
  });
});
