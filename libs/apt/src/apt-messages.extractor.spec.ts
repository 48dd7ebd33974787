import { describe, expect, it } from 'vitest';
import { cleanMessage, extractAptMessages, normalizeForDedup } from './apt-messages.extractor.ts';
import { fixture, fixtureWithExit } from './fixtures.ts';

describe('apt messages extractor', () => {
  const { output } = fixtureWithExit('apply-dist-upgrade-conffile-broken');
  const messages = extractAptMessages(output);
  const lines = output.split(/\r?\n/);

  it('names the package whose maintainer script failed', () => {
    const broken = messages.find((m) => m.category === 'error' && m.packageName === 'homelab-broken')!;
    expect(broken).toMatchObject({
      severity: 'error',
      message:
        'dpkg: error processing package homelab-broken (--configure): installed homelab-broken package post-installation script subprocess returned error exit status 1',
    });
    expect(lines[broken.lineNo - 1]).toBe('dpkg: error processing package homelab-broken (--configure):');
    // "Errors were encountered while processing: homelab-broken" says the same thing: not repeated.
    expect(messages.filter((m) => m.packageName === 'homelab-broken')).toHaveLength(1);
    expect(messages.find((m) => m.message === 'Sub-process /usr/bin/dpkg returned an error code (1)')).toMatchObject({
      category: 'error',
      packageName: null,
    });
  });

  it('says the modified conffile was kept, for the right package', () => {
    const conf = messages.find((m) => m.category === 'conffile')!;
    expect(conf).toMatchObject({
      severity: 'warning',
      packageName: 'homelab-conf',
      message:
        "Configuration file '/etc/homelab/homelab.conf': kept the local version (Modified (by you or by a script) since installation. Package distributor has shipped an updated version. Keeping old config file as default.)",
    });
    expect(lines[conf.lineNo - 1]).toBe("Configuration file '/etc/homelab/homelab.conf'");
  });

  it('reports kept-back packages', () => {
    expect(messages.filter((m) => m.category === 'kept_back').map((m) => [m.packageName, m.message])).toEqual([
      ['homelab-held', 'homelab-held: kept back'],
      ['homelab-phased', 'homelab-phased: kept back'],
    ]);
    const verbose = extractAptMessages(fixture('sim-upgrade-1.2'));
    expect(verbose.filter((m) => m.category === 'kept_back').map((m) => m.message)).toEqual([
      'homelab-demo (1.0 => 1.2): kept back',
      'homelab-held (1.0 => 1.1): kept back',
      'homelab-phased (1.0 => 1.1): kept back',
    ]);
  });

  it('extracts exactly the important lines of the run', () => {
    expect(messages.map((m) => m.category)).toEqual(['kept_back', 'kept_back', 'conffile', 'error', 'error']);
  });

  it('gives nothing important for a normal upgrade except the lock wait', () => {
    const normal = extractAptMessages(fixtureWithExit('apt-lock-waited-then-upgrade').output);
    expect(normal).toHaveLength(1);
    expect(normal[0]).toMatchObject({ category: 'warning', packageName: null, lineNo: 1 });
    expect(normal[0]!.message).toMatch(
      /^Waited for the package manager lock: Could not get lock \/var\/lib\/dpkg\/lock-frontend/,
    );
  });

  it('keys are stable across runs (versions, pids and durations removed)', () => {
    const a = extractAptMessages(
      'Waiting for cache lock: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 247 (/usr/bin/python)...\n',
    );
    const b = extractAptMessages(
      'Waiting for cache lock: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 9981 (/usr/bin/python)...\n',
    );
    expect(a[0]!.dedupKey).toBe(b[0]!.dedupKey);
    const again = extractAptMessages(fixtureWithExit('apply-upgrade-broken-pending').output);
    const brokenAgain = again.find((m) => m.packageName === 'homelab-broken')!;
    expect(brokenAgain.dedupKey).toBe(messages.find((m) => m.packageName === 'homelab-broken')!.dedupKey);
    expect(normalizeForDedup('Release file is expired (invalid since 690d 14h 47min 25s)')).toBe(
      normalizeForDedup('Release file is expired (invalid since 1056d 14h 47min 43s)'),
    );
  });

  it('classifies W:/N: lines, deprecations and reboot notices; masks credentials', () => {
    const m = extractAptMessages(
      [
        'W: http://deb.example.org/debian/dists/bookworm/InRelease: Key is stored in legacy trusted.gpg keyring (/etc/apt/trusted.gpg), see the DEPRECATION section in apt-key(8) for details.',
        "N: Repository 'Debian bookworm' changed its 'firmware component' value from 'non-free' to 'non-free-firmware'",
        'W: GPG error: http://user:secret@repo.example.org stable InRelease: NO_PUBKEY 0123ABCD',
        '*** System restart required ***',
        'Setting up foo (2.0) ...',
        'foo: this option is obsolete and will be removed in a future release',
      ].join('\n'),
    );
    expect(m.map((x) => [x.category, x.severity, x.packageName])).toEqual([
      ['deprecation', 'warning', null],
      ['repository_notice', 'info', null],
      ['repository_notice', 'warning', null],
      ['reboot_required', 'info', null],
      ['deprecation', 'warning', 'foo'],
    ]);
    expect(m[2]!.message).toBe('GPG error: http://***@repo.example.org stable InRelease: NO_PUBKEY 0123ABCD');
    expect(cleanMessage('a\tb\u001b[0m  c')).toBe('a b [0m c');
  });
});
