import { describe, expect, it } from 'vitest';
import { scopeSatisfies } from './scopes.ts';

describe('scopeSatisfies', () => {
  it('ranks read < operate < admin', () => {
    expect(scopeSatisfies(['operate'], 'read')).toBe(true);
    expect(scopeSatisfies(['read'], 'operate')).toBe(false);
    expect(scopeSatisfies(['admin'], 'operate')).toBe(true);
  });

  it('lets terminal open terminals and nothing else; admin includes it, operate does not', () => {
    expect(scopeSatisfies(['terminal'], 'terminal')).toBe(true);
    expect(scopeSatisfies(['admin'], 'terminal')).toBe(true);
    expect(scopeSatisfies(['operate'], 'terminal')).toBe(false);
    expect(scopeSatisfies(['terminal'], 'read')).toBe(false);
    expect(scopeSatisfies(['metrics:read'], 'terminal')).toBe(false);
  });

  it('lets metrics:read read /metrics and nothing else; admin includes it, read and operate do not', () => {
    expect(scopeSatisfies(['metrics:read'], 'metrics:read')).toBe(true);
    expect(scopeSatisfies(['metrics:read'], 'read')).toBe(false);
    expect(scopeSatisfies(['admin'], 'metrics:read')).toBe(true);
    expect(scopeSatisfies(['operate'], 'metrics:read')).toBe(false);
    expect(scopeSatisfies(['read'], 'metrics:read')).toBe(false);
  });
});
