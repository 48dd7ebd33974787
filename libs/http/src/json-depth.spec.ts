import { describe, expect, it } from 'vitest';
import { jsonNestsDeeperThan } from './json-depth.ts';

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('jsonNestsDeeperThan', () => {
  it('counts objects and arrays, not brackets inside strings or escaped quotes', () => {
    expect(jsonNestsDeeperThan(bytes('{"a":[{"b":1}]}'), 3)).toBe(false);
    expect(jsonNestsDeeperThan(bytes('{"a":[{"b":[1]}]}'), 3)).toBe(true);
    expect(jsonNestsDeeperThan(bytes(JSON.stringify({ s: '[[[[{{{{"\\' })), 1)).toBe(false);
    expect(jsonNestsDeeperThan(bytes('{"s":"\\"[[[[","t":1}'), 1)).toBe(false);
    expect(jsonNestsDeeperThan(bytes('{"é":"ü[[[["}'), 1)).toBe(false);
  });

  it('stops at the limit on a 10,000-deep body', () => {
    expect(jsonNestsDeeperThan(bytes('['.repeat(10_000) + ']'.repeat(10_000)), 32)).toBe(true);
    expect(jsonNestsDeeperThan(bytes('['.repeat(32) + ']'.repeat(32)), 32)).toBe(false);
  });
});
