import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from './shell-quote.ts';

/** What a real POSIX shell makes of the quoted line: each argument printed between NUL separators. */
function roundTrip(argv: string[]): string[] {
  const line = `printf '%s\\0' ${shellQuote(argv)}`;
  const r = spawnSync('/bin/sh', ['-c', line], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\0').slice(0, -1);
}

const NASTY = [
  'plain',
  'with space',
  '',
  "it's",
  "'",
  "''",
  '"double"',
  '$(touch /tmp/pwned)',
  '`id`',
  '${HOME}',
  'a;b && c || d | e',
  'line1\nline2',
  'tab\there',
  '*',
  '~',
  '!bang',
  '#comment',
  'x=1',
  '\\backslash\\',
  "'\\''",
  'if',
  '-n',
  'ünïcödé ✓',
];

describe('shellQuote', () => {
  it('quotes single quotes the POSIX way', () => {
    expect(shellQuote(["it's"])).toBe(`'it'\\''s'`);
    expect(shellQuote([''])).toBe(`''`);
    expect(shellQuote(['a b', '$(x)'])).toBe(`'a b' '$(x)'`);
    expect(shellQuote(['apt-get', '-y', 'install', 'pkg=1.0'])).toBe(`apt-get -y install 'pkg=1.0'`);
  });

  it.each(NASTY.map((a) => [JSON.stringify(a), a]))('a shell gives back %s unchanged', (_, arg) => {
    expect(roundTrip(['x', arg, 'y'])).toEqual(['x', arg, 'y']);
  });

  it('all of them at once, and nothing is executed', () => {
    expect(roundTrip(NASTY)).toEqual(NASTY);
  });

  it('reserved words are quoted so they stay plain words in command position', () => {
    const r = spawnSync('/bin/sh', ['-c', `${shellQuote(['if'])} 2>/dev/null; echo $?`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('127'); // "if: not found", not a syntax error
  });

  it('rejects an empty argv', () => {
    expect(() => shellQuote([])).toThrow(/empty argv/);
  });
});
