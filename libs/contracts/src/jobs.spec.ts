import { describe, expect, it } from 'vitest';
import { InvalidJobPayloadError, parseJobPayload } from './jobs.ts';
import { scopeSatisfies } from './scopes.ts';

describe('job payload contracts', () => {
  it('validates payloads and names each bad field', () => {
    expect(parseJobPayload('system.selftest', { echo: 'x' })).toEqual({ echo: 'x' });
    expect(parseJobPayload('system.selftest', undefined)).toEqual({});
    try {
      parseJobPayload('system.selftest', { echo: 5, extra: true });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidJobPayloadError);
      expect((e as InvalidJobPayloadError).issues.join(';')).toMatch(/echo/);
      expect((e as InvalidJobPayloadError).issues.join(';')).toMatch(/extra/);
    }
  });
});

describe('scopes', () => {
  it('orders read < operate < admin', () => {
    expect(scopeSatisfies(['admin'], 'operate')).toBe(true);
    expect(scopeSatisfies(['operate'], 'read')).toBe(true);
    expect(scopeSatisfies(['read'], 'operate')).toBe(false);
    expect(scopeSatisfies([], 'read')).toBe(false);
  });
});
