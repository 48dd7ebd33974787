import { describe, expect, it } from 'vitest';
import { findNewerVersions, parseVersionTag } from './version-tags.ts';

describe('version tags', () => {
  it('reads 2- and 3-part versions with an optional v and suffix', () => {
    expect(parseVersionTag('1.25')?.numbers).toEqual([1, 25]);
    expect(parseVersionTag('v2.3.1')?.family).toBe('v|3|');
    expect(parseVersionTag('1.25.3-alpine')?.family).toBe('|3|-alpine');
    for (const t of ['latest', '16', '1.2.3.4', 'stable-1.2', '1.x', '1..2']) expect(parseVersionTag(t)).toBeNull();
  });

  it('1.0 with 1.1 and 2.0 → 1.1 in the same major and 2.0 overall', () => {
    expect(findNewerVersions('1.0', ['1.0', '1.1', '2.0', 'latest'])).toEqual({
      current: '1.0',
      sameMajor: '1.1',
      newest: '2.0',
    });
  });

  it('1.25.3 → 1.25.5 and 1.27.0 is the same major; 2.0.0 is the newest overall; numbers compare as numbers', () => {
    expect(findNewerVersions('1.25.3', ['1.25.5', '1.27.0', '1.9.9', '2.0.0', '1.25.10'])).toEqual({
      current: '1.25.3',
      sameMajor: '1.27.0',
      newest: '2.0.0',
    });
  });

  it('keeps suffix variants, v prefixes and part counts apart', () => {
    const tags = ['1.25-alpine', '1.27-alpine', '1.28', '1.29.0-alpine', 'v1.30-alpine', '2.0.0-rc1'];
    expect(findNewerVersions('1.25-alpine', tags)).toEqual({
      current: '1.25-alpine',
      sameMajor: '1.27-alpine',
      newest: '1.27-alpine',
    });
    expect(findNewerVersions('1.9.0', tags)).toEqual({ current: '1.9.0', sameMajor: null, newest: null });
  });

  it('reports nothing newer when the pinned tag is the newest, and null for a tag that is not a version', () => {
    expect(findNewerVersions('2.0', ['1.0', '2.0'])).toEqual({ current: '2.0', sameMajor: null, newest: null });
    expect(findNewerVersions('latest', ['1.0'])).toBeNull();
  });
});
