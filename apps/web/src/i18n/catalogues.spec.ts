import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { fr } from './fr.ts';
import { translator } from './translate.ts';

describe('UI catalogues', () => {
  it('the French catalogue has every key of the English one, and no other', () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
  });

  it('no French string is empty, and each keeps the placeholders of its English string', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(fr[key].trim(), key).not.toBe('');
      expect(placeholders(fr[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('puts values into placeholders as text', () => {
    expect(translator('fr')('tile.updates', { count: 3 })).toBe('3 mises à jour');
    expect(translator('en')('error.kind', { kind: '<b>x</b>' })).toBe('Error kind: <b>x</b>');
  });
});
