import { describe, expect, it } from 'vitest';
import { blockSeconds } from './login-throttle.policy.ts';

describe('login throttle delays', () => {
  const rule = { freeFailures: 5, baseDelaySeconds: 1, maxDelaySeconds: 900 };
  it('allows the free failures, then doubles from the base delay', () => {
    expect([1, 5, 6, 7, 8, 10].map((n) => blockSeconds(n, rule))).toEqual([0, 0, 1, 2, 4, 16]);
  });
  it('never exceeds the cap, even after a huge number of failures', () => {
    expect(blockSeconds(20, rule)).toBe(900);
    expect(blockSeconds(1_000_000, rule)).toBe(900);
    expect(blockSeconds(1_000_000, { ...rule, maxDelaySeconds: 30 })).toBe(30);
  });
});
