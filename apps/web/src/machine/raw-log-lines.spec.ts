import { describe, expect, it } from 'vitest';
import { importantLineIndexes } from './raw-log-lines.ts';

describe('raw log lines an important message points to', () => {
  it('finds the first line carrying the message text, across the commands of the job', () => {
    const lines = [
      '$ sudo apt-get -y dist-upgrade',
      'Setting up homelab-demo (1.2) ...',
      "W: homelab-demo:  the 'frobnicate' option is deprecated and will be removed",
      '$ sudo dpkg-query -W',
    ];
    const found = importantLineIndexes(lines, [
      "homelab-demo: the 'frobnicate' option is deprecated and will be removed",
      'a message no line carries',
      'short',
    ]);
    expect([...found]).toEqual([2]);
  });
});
