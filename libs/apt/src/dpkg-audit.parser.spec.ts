import { describe, expect, it } from 'vitest';
import { dpkgStateFailure, packagesToReinstall, parseDpkgAudit } from './dpkg-audit.parser.ts';
import { fixture, fixtureWithExit } from './fixtures.ts';

const audit = (name: string, stderr = '') => {
  const { output, exitCode } = fixtureWithExit(name);
  return parseDpkgAudit({ exitCode, stdout: output, stderr });
};

describe('dpkg state check (fails closed)', () => {
  it('a listed package is damage, named with its state (dpkg 1.21 exits 0 with problems)', () => {
    expect(audit('dpkg-audit-interrupted')).toEqual({
      verdict: 'damaged',
      problems: [{ name: 'homelab-demo', state: 'half-configured' }],
    });
    expect(dpkgStateFailure(audit('dpkg-audit-interrupted'))).toMatchObject({
      errorKind: 'dpkg_interrupted',
      message: 'dpkg has unfinished work: homelab-demo (half-configured)',
    });
    expect(audit('dpkg-audit-half-configured').problems).toEqual([
      { name: 'homelab-broken', state: 'half-configured' },
    ]);
  });

  it('names half-installed, unpacked, triggers-pending and reinstall-required packages apart', () => {
    const a = audit('dpkg-audit-mixed');
    // Captured on the lab with five packages' states set in /var/lib/dpkg/status.
    expect(a.problems).toEqual([
      { name: 'homelab-conf', state: 'unpacked' },
      { name: 'homelab-broken', state: 'half-configured' },
      { name: 'homelab-demo', state: 'half-installed' },
      { name: 'homelab-secfix', state: 'triggers-awaited' },
      { name: 'homelab-phased', state: 'triggers-pending' },
    ]);
    expect(dpkgStateFailure(a)).toMatchObject({ errorKind: 'dpkg_interrupted' });
    expect(dpkgStateFailure(a)!.message).toContain('homelab-demo (half-installed)');
    expect(dpkgStateFailure(a)!.remediation).toMatch(/dpkg --configure -a.*apt-get -f install/);
    const reinst = parseDpkgAudit({
      exitCode: 0,
      stdout:
        'The following packages are in a mess due to serious problems during\ninstallation.  They must be reinstalled for them (and any packages\nthat depend on them) to function properly:\n homelab-demo         lab demo package\n\n',
      stderr: '',
    });
    expect(dpkgStateFailure(reinst)).toMatchObject({
      errorKind: 'dpkg_broken',
      message: 'dpkg reports damaged packages: homelab-demo (reinst-required)',
    });
  });

  it('an essential package dpkg was killed unpacking (iHR) is half-installed, interrupted, to be reinstalled', () => {
    // Captured on the lab: dpkg SIGKILLed in homelab-essential 1.1's preinst during apt-get upgrade.
    const killed = fixtureWithExit('dpkg-audit-killed-unpack');
    const plain = parseDpkgAudit({ exitCode: killed.exitCode, stdout: killed.output, stderr: '' });
    expect(plain.problems).toEqual([{ name: 'homelab-essential', state: 'reinst-required' }]);
    const a = parseDpkgAudit(
      { exitCode: killed.exitCode, stdout: killed.output, stderr: '' },
      { exitCode: 0, stdout: 'iHR homelab-essential\n', stderr: '' },
    );
    expect(a).toEqual({ verdict: 'damaged', problems: [{ name: 'homelab-essential', state: 'half-installed' }] });
    const f = dpkgStateFailure(a)!;
    expect(f).toMatchObject({
      errorKind: 'dpkg_interrupted',
      message: 'dpkg has unfinished work: homelab-essential (half-installed)',
    });
    expect(f.remediation).toContain("'apt-get install --reinstall homelab-essential'");
    expect(packagesToReinstall(a.problems)).toEqual(['homelab-essential']);
    // The state listing failing fails the check too.
    expect(
      parseDpkgAudit(
        { exitCode: 0, stdout: '', stderr: '' },
        { exitCode: 2, stdout: '', stderr: 'dpkg-query: error: x' },
      ).verdict,
    ).toBe('check_failed');
  });

  it('a check that could not run is dpkg_check_failed, never clean', () => {
    // Captured on the lab: `dpkg --audit` as the non-root admin user while dpkg had work pending.
    const nonRoot = audit('dpkg-audit-non-root', fixture('dpkg-audit-non-root.stderr'));
    expect(nonRoot).toMatchObject({ verdict: 'check_failed' });
    expect(dpkgStateFailure(nonRoot)).toMatchObject({
      errorKind: 'dpkg_check_failed',
      message: expect.stringMatching(/unable to check lock file.*Permission denied/),
    });
    // A dpkg error on stderr fails the check even with exit 0; so do a signal and unrecognised output.
    expect(parseDpkgAudit({ exitCode: 0, stdout: '', stderr: 'dpkg: error: parsing file x' }).verdict).toBe(
      'check_failed',
    );
    expect(parseDpkgAudit({ exitCode: null, stdout: '', stderr: '' }).verdict).toBe('check_failed');
    expect(parseDpkgAudit({ exitCode: 0, stdout: 'something new\n', stderr: '' }).verdict).toBe('check_failed');
    expect(parseDpkgAudit({ exitCode: 127, stdout: '', stderr: 'sh: dpkg: not found' })).toMatchObject({
      verdict: 'check_failed',
      reason: 'sh: dpkg: not found',
    });
  });

  it('clean only when it ran, said nothing and exited 0', () => {
    expect(parseDpkgAudit({ exitCode: 0, stdout: '', stderr: '' })).toEqual({ verdict: 'clean', problems: [] });
    expect(dpkgStateFailure(parseDpkgAudit({ exitCode: 0, stdout: '\n', stderr: '' }))).toBeNull();
  });
});
