import { describe, expect, it } from 'vitest';
import { AptProgressTracker, LineSplitter } from './apt-progress.parser.ts';
import { fixtureWithExit } from './fixtures.ts';

describe('apply progress from apt-get output', () => {
  it('follows a real dist-upgrade: downloads, then each unpack and set-up as a share of the announced steps', () => {
    const t = new AptProgressTracker();
    const seen = fixtureWithExit('apply-dist-upgrade-conffile-broken')
      .output.split('\n')
      .map((l) => t.line(l))
      .filter((p) => p !== null);
    expect(seen.length).toBeGreaterThan(4);
    expect(seen.some((p) => p.phase === 'download' && p.package !== null)).toBe(true);
    const installs = seen.filter((p) => p.phase === 'install');
    expect(installs.map((p) => p.percent)).toEqual([...installs.map((p) => p.percent)].sort((a, b) => a - b));
    expect(installs.at(-1)!.percent).toBe(100);
    expect(installs[0]).toMatchObject({ package: expect.stringMatching(/^homelab-/) });
    expect(installs[0]!.text).toMatch(/^Unpacking homelab-/);
  });

  it('splits chunks into lines', () => {
    const s = new LineSplitter();
    expect(s.push('Setting up a (1')).toEqual([]);
    expect(s.push('.0) ...\nUnpa')).toEqual(['Setting up a (1.0) ...']);
  });
});
