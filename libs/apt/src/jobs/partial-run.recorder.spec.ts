import { describe, expect, it } from 'vitest';
import { diffPackageSets, parseDpkgQuery } from '../dpkg-state.parser.ts';
import { fixture } from '../fixtures.ts';
import { restoredState, storedState } from './partial-run.recorder.ts';

describe('before-state kept on a running execution', () => {
  it('round-trips through its stored (JSON) form: no change against itself, the real diff against the after-state', () => {
    const before = parseDpkgQuery(fixture('dpkg-query-before'));
    const after = parseDpkgQuery(fixture('dpkg-query-after'));
    const back = restoredState(JSON.parse(JSON.stringify(storedState(before))));
    expect(back).toEqual(before);
    expect(diffPackageSets(back, before)).toEqual([]);
    expect(diffPackageSets(back, after)).toEqual(diffPackageSets(before, after));
    expect(restoredState('not a list')).toEqual([]);
  });
});
