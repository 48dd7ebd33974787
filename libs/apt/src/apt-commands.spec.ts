import { describe, expect, it } from 'vitest';
import {
  aptUpdateArgv,
  applyDistUpgradeArgv,
  applyOnlyUpgradeArgv,
  applyUpgradeArgv,
  autoremoveArgv,
  cleanArgv,
  DPKG_AUDIT_ARGV,
  policyArgv,
  REBOOT_REQUIRED_ARGV,
  SHOWHOLD_ARGV,
  simulateArgv,
} from './apt-commands.ts';
import { classifyAptFailure } from './apt-failure.classifier.ts';
import { parseAptSpaceFreed, parseDuBytes, parseRemovedPackages } from './apt-maintenance.parser.ts';
import { parseRebootRequired } from './reboot-required.parser.ts';
import { aptDedupKey, reduceAptLines } from './apt-dedup.ts';
import { fixture, fixtureWithExit } from './fixtures.ts';

const NONINTERACTIVE = [
  'env',
  'LC_ALL=C',
  'DEBIAN_FRONTEND=noninteractive',
  'APT_LISTCHANGES_FRONTEND=none',
  'NEEDRESTART_MODE=a',
];
const KEEP = ['-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];

describe('apt argv', () => {
  it('builds the exact commands', () => {
    expect(aptUpdateArgv({ lockTimeoutSeconds: 60 })).toEqual([
      'env',
      'LC_ALL=C',
      'apt-get',
      '-o',
      'DPkg::Lock::Timeout=60',
      'update',
    ]);
    expect(simulateArgv('dist-upgrade')).toEqual([
      'env',
      'LC_ALL=C',
      'apt-get',
      '-s',
      '-o',
      'Debug::NoLocking=1',
      '-o',
      'Dir::Log::Planner=/dev/null',
      '-V',
      'dist-upgrade',
    ]);
    expect(SHOWHOLD_ARGV.slice(0, 4)).toEqual(['env', 'LC_ALL=C', 'sh', '-c']);
    expect(SHOWHOLD_ARGV[4]).toContain("dpkg-query -W -f='${db:Status-Want} ${binary:Package}\\n'");
    expect(policyArgv(['homelab-phased'])).toEqual(['env', 'LC_ALL=C', 'apt-cache', 'policy', 'homelab-phased']);
    expect(DPKG_AUDIT_ARGV).toEqual(['env', 'LC_ALL=C', 'dpkg', '--audit']);
    expect(REBOOT_REQUIRED_ARGV[0]).toBe('sh');
    expect(applyUpgradeArgv()).toEqual([
      ...NONINTERACTIVE,
      'apt-get',
      '-y',
      '-o',
      'DPkg::Lock::Timeout=300',
      ...KEEP,
      '-o',
      'Dpkg::Use-Pty=0',
      'upgrade',
    ]);
    expect(applyDistUpgradeArgv({ lockTimeoutSeconds: 30, conffiles: 'take-maintainer' })).toEqual([
      ...NONINTERACTIVE,
      'apt-get',
      '-y',
      '-o',
      'DPkg::Lock::Timeout=30',
      '-o',
      'Dpkg::Options::=--force-confnew',
      '-o',
      'Dpkg::Use-Pty=0',
      'dist-upgrade',
    ]);
    expect(applyOnlyUpgradeArgv(['homelab-demo', 'libc6:amd64']).slice(-4)).toEqual([
      'install',
      '--only-upgrade',
      'homelab-demo',
      'libc6:amd64',
    ]);
    expect(autoremoveArgv().at(-1)).toBe('autoremove');
    expect(cleanArgv()).toEqual(['env', 'LC_ALL=C', 'apt-get', '-o', 'DPkg::Lock::Timeout=300', 'clean']);
  });

  it('refuses package names that are not package names', () => {
    expect(() => applyOnlyUpgradeArgv(['foo; rm -rf /'])).toThrow(/invalid package name/);
    expect(() => applyOnlyUpgradeArgv(['-o=foo'])).toThrow(/invalid package name/);
    expect(() => applyOnlyUpgradeArgv([])).toThrow(/empty/);
  });
});

describe('classifyAptFailure', () => {
  it('lock wait ran out: apt_lock_busy (real apt 2.6 output with DPkg::Lock::Timeout=3)', () => {
    const { output, exitCode } = fixtureWithExit('apt-lock-timeout');
    expect(exitCode).toBe(100);
    expect(classifyAptFailure(exitCode, '', output)).toEqual({
      errorKind: 'apt_lock_busy',
      message:
        'Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it? (held by process 247 /usr/bin/python)',
      remediation: expect.stringContaining('lock'),
    });
  });

  it('lock held for less than the wait: success, nothing to classify', () => {
    const { output, exitCode } = fixtureWithExit('apt-lock-waited-then-upgrade');
    expect(classifyAptFailure(exitCode, output, '')).toBeNull();
  });

  it('dpkg interrupted', () => {
    const { output, exitCode } = fixtureWithExit('apt-dpkg-interrupted');
    expect(classifyAptFailure(exitCode, '', output)).toEqual({
      errorKind: 'dpkg_interrupted',
      message: "dpkg was interrupted, you must manually run 'dpkg --configure -a'",
      remediation: expect.stringContaining('dpkg --configure -a'),
    });
  });

  it('a failing maintainer script is command_failed with the E: line', () => {
    const { output, exitCode } = fixtureWithExit('apply-dist-upgrade-conffile-broken');
    expect(classifyAptFailure(exitCode, output, '')).toMatchObject({
      errorKind: 'command_failed',
      message: 'Sub-process /usr/bin/dpkg returned an error code (1)',
    });
  });
});

describe('maintenance and reboot parsers', () => {
  it('autoremove: what was (or would be) removed', () => {
    expect(parseRemovedPackages(fixture('sim-autoremove'))).toEqual([{ name: 'homelab-phased', version: '1.1' }]);
    expect(parseRemovedPackages(fixtureWithExit('apply-autoremove').output)).toEqual([
      { name: 'homelab-phased', version: '1.1' },
    ]);
    expect(parseAptSpaceFreed(fixtureWithExit('apply-autoremove').output)).toBe(0);
    expect(parseAptSpaceFreed('After this operation, 1,234 kB disk space will be freed.\n')).toBe(1_234_000);
    expect(parseAptSpaceFreed('After this operation, 12.5 MB disk space will be freed.\n')).toBe(12_500_000);
    expect(parseAptSpaceFreed('nothing')).toBeNull();
  });

  it('clean: du -sb before/after', () => {
    // Captured as: du -sb (before); apt-get clean; echo EXIT=$?; du -sb (after).
    const [before, , after] = fixture('clean-du').split('\n');
    expect(parseDuBytes(before!)).toBe(4710);
    expect(parseDuBytes(after!)).toBe(120);
  });

  it('reboot-required files', () => {
    expect(parseRebootRequired('yes\nhomelab-demo\nhomelab-demo\n')).toEqual({
      rebootRequired: true,
      rebootPkgs: ['homelab-demo'],
    });
    expect(parseRebootRequired('no\n')).toEqual({ rebootRequired: false, rebootPkgs: [] });
  });
});

describe('dedup and reduction (ARCHITECTURE §C6, §C7)', () => {
  it('dedup key', () => {
    expect(
      aptDedupKey('debian', 'openssl', '3.0.15-1~deb12u1', '3.0.16-1~deb12u1', 'Debian-Security:12/stable-security'),
    ).toBe('debian|openssl|3.0.15-1~deb12u1|3.0.16-1~deb12u1|Debian-Security:12/stable-security');
    expect(aptDedupKey('debian', 'homelab-dep', null, '1.0', null)).toBe('debian|homelab-dep||1.0|');
  });

  it('reduces an apply log to the lines that matter', () => {
    const reduced = reduceAptLines(fixtureWithExit('apply-dist-upgrade-conffile-broken').output);
    expect(reduced).toEqual([
      'dpkg: error processing package homelab-broken (--configure):',
      'E: Sub-process /usr/bin/dpkg returned an error code (1)',
    ]);
    expect(reduceAptLines(fixture('sim-dist-upgrade-1.2'))).toHaveLength(10);
    expect(reduceAptLines(fixtureWithExit('apt-update-404').output).filter((l) => l.startsWith('Err:'))).toHaveLength(
      1,
    );
  });
});
