// Real outputs captured from the lab machine lab1 (Debian 12, apt 2.6.1, dpkg 1.21), for the unit tests.
import { readFileSync } from 'node:fs';

/** Contents of fixtures/NAME.txt; the capture scripts appended "EXIT=<code>" where the exit code mattered. */
export function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}.txt`, import.meta.url), 'utf8');
}

/** Splits a fixture with a trailing "EXIT=n" line into output and exit code. */
export function fixtureWithExit(name: string): { output: string; exitCode: number } {
  const text = fixture(name);
  const m = /\nEXIT=(\d+)\n(?:ELAPSED=\d+\n)?$/.exec(text);
  return m ? { output: text.slice(0, m.index + 1), exitCode: Number(m[1]) } : { output: text, exitCode: 0 };
}
