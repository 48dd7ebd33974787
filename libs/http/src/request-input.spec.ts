import { describe, expect, it } from 'vitest';
import { inputProblems, safeFieldName } from './request-input.ts';

describe('inputProblems', () => {
  it('names each NUL character by field path, in strings and in property names, without quoting it', () => {
    const problems = inputProblems({ a: 'ok', b: { c: ['x', 'y\0SECRET'] }, ['k\0SECRET']: 1 }, '', {
      refuseNull: false,
      root: 'body',
    });
    expect(problems).toEqual([
      { field: 'b.c.1', reasons: ['b.c.1 must not contain a NUL character'] },
      { field: 'body', reasons: ['a property name must not contain a NUL character'] },
    ]);
    expect(JSON.stringify(problems)).not.toContain('SECRET');
  });

  it('refuses null only where asked (bodies), at any depth', () => {
    expect(inputProblems({ a: null, b: [null] }, '', { refuseNull: true, root: 'body' }).map((p) => p.field)).toEqual([
      'a',
      'b.0',
    ]);
    expect(inputProblems({ a: null }, '', { refuseNull: false, root: 'query' })).toEqual([]);
    expect(inputProblems('x\0', 'tag', { refuseNull: false, root: 'query' }).map((p) => p.field)).toEqual(['tag']);
  });
});

describe('safeFieldName', () => {
  it('keeps plain names and indices, hides anything else', () => {
    expect(safeFieldName('machineScope')).toBe('machineScope');
    expect(safeFieldName('12')).toBe('12');
    expect(safeFieldName('<script>')).toBe('(unnamed property)');
    expect(safeFieldName('a'.repeat(100))).toBe('(unnamed property)');
  });
});
