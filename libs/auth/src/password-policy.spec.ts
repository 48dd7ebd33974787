import { describe, expect, it } from 'vitest';
import { passwordPolicyViolations } from './password-policy.ts';

describe('password policy', () => {
  it('accepts a long, varied password', () => {
    expect(passwordPolicyViolations('correct horse battery', 'admin')).toEqual([]);
  });
  it('refuses short, overlong, repetitive and username-equal passwords, naming each rule', () => {
    expect(passwordPolicyViolations('short', 'admin')).toEqual(['must be at least 12 characters long']);
    expect(passwordPolicyViolations('x'.repeat(1025), 'admin')).toContain('must be at most 1024 characters long');
    expect(passwordPolicyViolations('aaaaaaaaaaaaaaaa', 'admin')).toEqual(['must use at least 4 different characters']);
    expect(passwordPolicyViolations('Operator-Anna', 'operator-anna')).toEqual(['must not be the username']);
  });
  it('counts characters, not UTF-16 units', () => {
    expect(passwordPolicyViolations('😀😁😂🤣😃😄', 'admin')).toContain('must be at least 12 characters long');
  });
});
