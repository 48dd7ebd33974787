import { readFileSync } from 'node:fs';

/** The mount points this process sees (the fifth field of each /proc/self/mountinfo line). */
export function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter(Boolean);
}
