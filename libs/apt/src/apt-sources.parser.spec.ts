import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSources, repositoryFlags, SOURCES_SCRIPT } from './apt-sources.parser.ts';

// Shapes as Debian 12, Ubuntu 24.04 (deb822 ubuntu.sources), Proxmox VE and third-party vendors ship them.
const OUTPUT = [
  '@@su-file:/etc/apt/sources.list@@',
  'deb http://deb.debian.org/debian bookworm main contrib # comment',
  '# deb-src http://deb.debian.org/debian bookworm main',
  'deb http://security.debian.org/debian-security bookworm-security main',
  'deb [arch=amd64 signed-by=/usr/share/keyrings/docker.gpg] https://download.docker.com/linux/debian bullseye stable',
  '@@su-file:/etc/apt/sources.list.d/lab.list@@',
  'deb [trusted=yes] http://10.213.0.1:8080/debian bookworm main',
  '@@su-file:/etc/apt/sources.list.d/ubuntu.sources@@',
  'Types: deb',
  'URIs: http://archive.ubuntu.com/ubuntu/',
  'Suites: noble noble-updates noble-backports',
  'Components: main restricted universe multiverse',
  'Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg',
  '',
  '# security',
  'Types: deb',
  'URIs: http://security.ubuntu.com/ubuntu/',
  'Suites: noble-security',
  'Components: main',
  'Enabled: no',
  'Signed-By:',
  ' -----BEGIN PGP PUBLIC KEY BLOCK-----',
  ' .',
  ' mQINBF...',
  ' -----END PGP PUBLIC KEY BLOCK-----',
].join('\n');

describe('APT sources', () => {
  const repos = parseSources(OUTPUT);

  it('reads one-line and deb822 files with suites, components and keys', () => {
    expect(repos.map((r) => [r.file.split('/').pop(), r.format, r.suites.join(' '), r.signedBy, r.enabled])).toEqual([
      ['sources.list', 'one-line', 'bookworm', null, true],
      ['sources.list', 'one-line', 'bookworm-security', null, true],
      ['sources.list', 'one-line', 'bullseye', '/usr/share/keyrings/docker.gpg', true],
      ['lab.list', 'one-line', 'bookworm', null, true],
      [
        'ubuntu.sources',
        'deb822',
        'noble noble-updates noble-backports',
        '/usr/share/keyrings/ubuntu-archive-keyring.gpg',
        true,
      ],
      ['ubuntu.sources', 'deb822', 'noble-security', 'inline', false],
    ]);
    expect(repos[0]!.components).toEqual(['main', 'contrib']);
    expect(repos[3]!.trusted).toBe(true);
  });

  it('flags an older suite, a third-party repository, a missing key', () => {
    const f = repos.map((r) => repositoryFlags(r, 'bookworm'));
    expect(f[0]).toEqual({ olderSuite: false, thirdParty: false, unsigned: true });
    expect(f[2]).toEqual({ olderSuite: true, thirdParty: true, unsigned: false });
    expect(f[3]).toEqual({ olderSuite: false, thirdParty: true, unsigned: true });
    expect(repositoryFlags(repos[4]!, 'noble')).toEqual({ olderSuite: false, thirdParty: false, unsigned: false });
    expect(repositoryFlags({ ...repos[4]!, suites: ['jammy'] }, 'noble').olderSuite).toBe(true);
    // What apt read from the Release decides when known: the lab's repository says Origin: Debian.
    const origins = new Map([['http://10.213.0.1:8080/debian bookworm', 'Debian']]);
    expect(repositoryFlags(repos[3]!, 'bookworm', origins).thirdParty).toBe(false);
    expect(
      repositoryFlags(repos[0]!, 'bookworm', new Map([['http://deb.debian.org/debian bookworm', 'Vendor']])).thirdParty,
    ).toBe(true);
  });

  it('the script prints every source file framed, and nothing when there is none', () => {
    const root = mkdtempSync(join(tmpdir(), 'su-sources-'));
    mkdirSync(join(root, 'etc/apt/sources.list.d'), { recursive: true });
    writeFileSync(join(root, 'etc/apt/sources.list.d/a.list'), 'deb http://deb.debian.org/debian bookworm main\n');
    const out = execFileSync('sh', ['-c', SOURCES_SCRIPT.replaceAll('/etc/apt', join(root, 'etc/apt'))], {
      encoding: 'utf8',
    });
    expect(parseSources(out).map((r) => r.uris[0])).toEqual(['http://deb.debian.org/debian']);
  });
});
