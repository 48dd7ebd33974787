import { describe, expect, it } from 'vitest';
import { sudoInvocation, sudoPasswordFor } from './sudo-invocation.ts';

describe('which password sudo gets (one rule)', () => {
  const passwords = { login: 'login-pw', own: 'sudo-pw' };

  it('same_as_ssh: the login password; separate: sudo’s own; none and root: no password', () => {
    expect(sudoPasswordFor('same_as_ssh', passwords)).toBe('login-pw');
    expect(sudoPasswordFor('separate', passwords)).toBe('sudo-pw');
    expect(sudoPasswordFor('none', passwords)).toBeNull();
    expect(sudoPasswordFor('root', passwords)).toBeNull();
  });

  it('without the password its mode needs, sudo is invoked with -n and never prompts', () => {
    expect(sudoPasswordFor('separate', { login: 'login-pw' })).toBeNull();
    const inv = sudoInvocation('separate', sudoPasswordFor('separate', { login: 'login-pw' }));
    expect(inv.prefix.slice(0, 2)).toEqual(['sudo', '-n']);
    expect(inv.password).toBeNull();
  });

  it('with a password, sudo reads it from stdin after its prompt marker (-S -p)', () => {
    const inv = sudoInvocation('same_as_ssh', sudoPasswordFor('same_as_ssh', passwords));
    expect(inv.prefix.slice(0, 3)).toEqual(['sudo', '-S', '-p']);
    expect(inv.password).toBe('login-pw');
  });
});
