import { describe, expect, it } from 'vitest';
import { snapshotErrorSchema } from '@su/contracts';
import { parseAptUpdate } from './apt-update.parser.ts';
import { fixture, fixtureWithExit } from './fixtures.ts';

function run(name: string) {
  const { output, exitCode } = fixtureWithExit(name);
  const r = parseAptUpdate(exitCode, output);
  for (const e of r.errors) snapshotErrorSchema.parse(e);
  return r;
}

describe('apt-get update classification', () => {
  it('a clean update has no errors', () => {
    expect(parseAptUpdate(0, fixture('apt-update-ok'))).toEqual({ refreshed: true, errors: [] });
  });

  it('404 on an index', () => {
    const r = run('apt-update-404');
    expect(r.refreshed).toBe(false);
    expect(r.errors).toEqual([
      {
        source: 'apt',
        kind: 'repository_not_found',
        severity: 'error',
        message:
          'Failed to fetch http://10.213.0.1:8080/nonexistent/dists/bookworm/main/binary-amd64/Packages 404 Not Found [IP: 10.213.0.1 8080]',
        remediation: expect.stringContaining('404'),
        importantLines: [
          'E: Failed to fetch http://10.213.0.1:8080/nonexistent/dists/bookworm/main/binary-amd64/Packages  404  Not Found [IP: 10.213.0.1 8080]',
        ],
      },
    ]);
  });

  it('401 (captured from apt 2.6.1 against an httpd asking for credentials): repo_auth_required, one error per source', () => {
    const { output, exitCode } = fixtureWithExit('apt-update-401');
    const generic = parseAptUpdate(exitCode, output);
    expect(generic.errors).toEqual([
      expect.objectContaining({ kind: 'repo_auth_required', severity: 'error', importantLines: expect.any(Array) }),
    ]);
    expect(generic.errors[0]!.importantLines).toHaveLength(2); // the 401 and its "is not signed" follow-up
    expect(generic.errors[0]!.remediation).toMatch(/auth\.conf\.d/);
    // The same lines from Proxmox VE's enterprise repository (the URL is the only difference on a real PVE host).
    const pve = parseAptUpdate(exitCode, output.replaceAll('http://127.0.0.1:8091', 'https://enterprise.proxmox.com'));
    expect(pve.errors.map((e) => e.kind)).toEqual(['repo_auth_required']);
    expect(pve.errors[0]!.remediation).toMatch(
      /no-subscription repository: deb http:\/\/download\.proxmox\.com\/debian\/pve bookworm pve-no-subscription/,
    );
  });

  it('no Release file', () => {
    const r = run('apt-update-no-release-file');
    expect(r.errors.map((e) => [e.kind, e.severity, e.message])).toEqual([
      [
        'repository_no_release',
        'error',
        "The repository 'http://10.213.0.1:8080/nonexistent bookworm Release' does not have a Release file.",
      ],
    ]);
  });

  it('missing key: the GPG warning and "is not signed" are one error', () => {
    const r = run('apt-update-no-pubkey');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ kind: 'missing_key', severity: 'error' });
    expect(r.errors[0]!.message).toContain('NO_PUBKEY BD4AE3FDBC221209');
    expect(r.errors[0]!.importantLines).toHaveLength(2);
    expect(r.errors[0]!.remediation).toMatch(/signed-by/);
  });

  it('expired Release (Max-ValidTime and Valid-Until) and not yet valid', () => {
    const expired = run('apt-update-expired');
    expect(expired.errors.map((e) => e.kind)).toEqual(['release_expired', 'release_expired']);
    expect(run('apt-update-expired-valid-until').errors.map((e) => [e.kind, e.severity])).toEqual([
      ['release_expired', 'error'],
    ]);
    const future = run('apt-update-not-yet-valid');
    expect(future.errors.map((e) => e.kind)).toEqual(['release_not_yet_valid']);
    expect(future.errors[0]!.remediation).toMatch(/clock/);
  });

  it('unreachable mirror: apt exits 0 with a warning, the lists of the other sources are refreshed', () => {
    const r = run('apt-update-unreachable');
    expect(r.refreshed).toBe(true);
    expect(r.errors.map((e) => [e.kind, e.severity])).toEqual([['mirror_unreachable', 'warning']]);
    expect(r.errors[0]!.message).toContain('No route to host');
    const dns = parseAptUpdate(
      0,
      "W: Failed to fetch http://deb.example.org/debian/dists/bookworm/InRelease  Could not resolve 'deb.example.org'\n",
    );
    expect(dns.errors[0]!.kind).toBe('mirror_unreachable');
    const timeout = parseAptUpdate(
      0,
      'W: Failed to fetch http://10.0.0.9/debian/dists/bookworm/InRelease  Connection timed out [IP: 10.0.0.9 80]\n',
    );
    expect(timeout.errors[0]!.kind).toBe('mirror_unreachable');
  });

  it('invalid sources and generic failures', () => {
    expect(run('apt-update-conflicting-sources').errors.map((e) => e.kind)).toEqual([
      'sources_invalid',
      'sources_invalid',
    ]);
    expect(parseAptUpdate(100, 'something broke\n').errors).toEqual([
      expect.objectContaining({
        kind: 'apt_update_failed',
        severity: 'error',
        message: 'apt-get update exited with code 100',
      }),
    ]);
    expect(parseAptUpdate(0, 'W: Something new\n').errors[0]).toMatchObject({
      kind: 'apt_update_warning',
      severity: 'warning',
    });
  });
});
