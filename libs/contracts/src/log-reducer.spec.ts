import { describe, expect, it } from 'vitest';
import { reduceLogLines } from './log-reducer.ts';

const aptLog = [
  'Reading package lists...',
  'Building dependency tree...',
  'Inst openssl [3.0.1] (3.0.2 Debian:12/stable [amd64])',
  'Conf openssl (3.0.2 Debian:12/stable [amd64])',
  'Unpacking openssl (3.0.2) over (3.0.1) ...',
  'W: Some index files failed to download.   ',
  'dpkg: warning: files list file for package x missing',
  '*** System restart required *** (/var/run/reboot-required)',
].join('\n');

const dockerLog = [
  '1.1: Pulling from library/web',
  'a1b2c3: Already exists',
  'Digest: sha256:abc',
  'Status: Downloaded newer image for registry.local/web:1.1',
  ' Container web-web-1  Recreate',
  ' Container web-web-1  Recreated',
  ' Container web-web-1  Starting',
  ' Container web-web-1  Started',
  'deleted: sha256:0123',
  'untagged: registry.local/web:1.0',
  'Total reclaimed space: 12.5MB',
].join('\n');

describe('reduceLogLines (seed 004 §7)', () => {
  it('keeps the APT lines by prefix, in order, trailing blanks trimmed, and drops progress', () => {
    expect(reduceLogLines(aptLog, ['apt'])).toEqual([
      'Inst openssl [3.0.1] (3.0.2 Debian:12/stable [amd64])',
      'Conf openssl (3.0.2 Debian:12/stable [amd64])',
      'W: Some index files failed to download.',
      'dpkg: warning: files list file for package x missing',
      '*** System restart required *** (/var/run/reboot-required)',
    ]);
  });

  it("keeps Docker's pull, recreate, start and prune lines, Compose's status column included", () => {
    expect(reduceLogLines(dockerLog, ['docker'])).toEqual([
      '1.1: Pulling from library/web',
      'Digest: sha256:abc',
      'Status: Downloaded newer image for registry.local/web:1.1',
      ' Container web-web-1  Recreate',
      ' Container web-web-1  Recreated',
      ' Container web-web-1  Started',
      'deleted: sha256:0123',
      'Total reclaimed space: 12.5MB',
    ]);
  });

  it('is deterministic and reduces a mixed log with both families by default', () => {
    const mixed = `${aptLog}\n${dockerLog}`;
    expect(reduceLogLines(mixed)).toEqual(reduceLogLines(mixed));
    expect(reduceLogLines(mixed)).toHaveLength(5 + 8);
    expect(reduceLogLines(mixed).join('\n')).not.toMatch(/Unpacking|Reading package|Already exists|untagged|Starting/);
  });
});
