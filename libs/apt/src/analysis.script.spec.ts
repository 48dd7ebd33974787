import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analysisScript, ANALYSIS_STEPS, splitAnalysisOutput } from './analysis.script.ts';
import { fixture } from './fixtures.ts';

/**
 * Stand-ins for apt-get, apt-cache, dpkg-query and dpkg that print the lab's recorded outputs (the script itself, its
 * framing, files and name extraction, run in a real shell): the real commands are in the APT lab specs.
 */
function fakeApt(dir: string, opts: { distUpgrade?: string; dpkgQuery?: string; aptConfig?: string } = {}): void {
  const tool = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  const cat = (f: string) => `cat ${join(import.meta.dirname, 'fixtures', f)}`;
  // Each call is logged, to see which commands the script ran.
  tool(
    'apt-get',
    `echo "$*" >>${join(dir, 'calls')}; case "$*" in *update) echo 'Hit:1 http://lab bookworm InRelease';; *" upgrade") ${cat('sim-upgrade-1.1.txt')};; *dist-upgrade) ${opts.distUpgrade ?? cat('sim-dist-upgrade-1.1.txt')};; *autoremove) ${cat('sim-autoremove.txt')};; esac`,
  );
  tool(
    'apt-cache',
    `echo "apt-cache $*" >>${join(dir, 'calls')}; while [ "$1" = -o ]; do shift 2; done; [ $# -eq 1 ] && { ${cat('apt-cache-policy-releases.txt')}; exit 0; }; shift; for p; do printf '%s:\\n  Installed: 1.0\\n  Candidate: 1.1\\n' "$p"; done`,
  );
  // What `dpkg-query -W -f='${db:Status-Want}\t${db:Status-Abbrev} ${binary:Package}\n'` prints.
  tool(
    'dpkg-query',
    opts.dpkgQuery ??
      `printf 'install\\tii  homelab-demo\\nhold\\thi  homelab-held\\ninstall\\tiHR homelab-half\\ninstall\\tiU  homelab-unpacked\\n'`,
  );
  tool('dpkg', 'exit 0');
  // What `apt-config … dump APT::Architectures` prints with the script's format: each architecture and a comma.
  tool('apt-config', opts.aptConfig ?? `printf 'amd64,i386,'`);
}

describe('analysis script', () => {
  const dir = mkdtempSync(join(tmpdir(), 'analysis-script-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('frames each step with its exit code so it parses as if run alone', () => {
    const script = analysisScript({ lockTimeoutSeconds: 7 });
    expect(script).toContain("'DPkg::Lock::Timeout=7'");
    const fake =
      '\n@@su-step:update@@\nHit:1 x\nE: oops\n\n@@su-rc:100@@\n\n@@su-step:showhold@@\nhomelab-held\n\n@@su-rc:0@@\n';
    const steps = splitAnalysisOutput(fake);
    expect(steps.get('update')).toEqual({ output: 'Hit:1 x\nE: oops', exitCode: 100 });
    expect(steps.get('showhold')).toEqual({ output: 'homelab-held', exitCode: 0 });
  });

  it('is valid sh and its framing survives a real shell', () => {
    const real = execFileSync(
      'sh',
      ['-c', "printf '\\n@@su-step:update@@\\n'; echo hello; false; printf '\\n@@su-rc:%s@@\\n' \"$?\""],
      { encoding: 'utf8' },
    );
    expect(splitAnalysisOutput(real).get('update')).toEqual({ output: 'hello', exitCode: 1 });
    execFileSync('sh', ['-n', '-c', analysisScript({})]);
  });

  it('run by a real shell, reports every step once, each output whole, and the policy of the named packages', () => {
    fakeApt(dir);
    // The stand-ins come first on the script's PATH.
    const out = execFileSync('sh', ['-s'], { input: `PATH=${dir}:$PATH\n${analysisScript({})}`, encoding: 'utf8' });
    const steps = splitAnalysisOutput(out);
    expect([...steps.keys()].sort()).toEqual([...ANALYSIS_STEPS].sort());
    expect(steps.get('upgrade')).toEqual({ output: fixture('sim-upgrade-1.1').trimEnd(), exitCode: 0 });
    expect(steps.get('policy')?.output).toBe(fixture('apt-cache-policy-releases').trimEnd());
    expect(steps.get('showhold')).toEqual({ output: 'homelab-held', exitCode: 0 });
    expect(steps.get('dpkg-unsettled')).toEqual({ output: 'iHR homelab-half\niU  homelab-unpacked', exitCode: 0 });
    // Installed or upgraded, kept back (both simulations), held: each once, nothing else.
    const policyOf = [...(steps.get('package-policy')?.output.matchAll(/^(\S+):$/gm) ?? [])].map((m) => m[1]);
    expect(policyOf.sort()).toEqual(
      ['homelab-broken', 'homelab-conf', 'homelab-demo', 'homelab-held', 'homelab-phased', 'homelab-secfix'].sort(),
    );
    expect(steps.get('package-policy')?.exitCode).toBe(0);
  });

  const runScript = () =>
    splitAnalysisOutput(
      execFileSync('sh', ['-s'], { input: `PATH=${dir}:$PATH\n${analysisScript({})}`, encoding: 'utf8' }),
    );
  const calls = () => readFileSync(join(dir, 'calls'), 'utf8');

  it('runs `apt-get -s upgrade` when dist-upgrade keeps a package back (its plan may differ)', () => {
    rmSync(join(dir, 'calls'), { force: true });
    fakeApt(dir);
    const steps = runScript();
    expect(calls()).toMatch(/ upgrade$/m);
    expect(steps.get('upgrade')).toEqual({ output: fixture('sim-upgrade-1.1').trimEnd(), exitCode: 0 });
  });

  it("takes dist-upgrade's answer for upgrade only when that plan upgrades everything and nothing else", () => {
    const plain = [
      'Reading package lists...',
      'Calculating upgrade...',
      'The following packages will be upgraded:',
      '   homelab-demo (1.0 => 1.1)',
      '1 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.',
      'Inst homelab-demo [1.0] (1.1 Debian:12.10/stable [all])',
      'Conf homelab-demo (1.1 Debian:12.10/stable [all])',
    ].join('\n');
    const variants: [string, string, boolean][] = [
      ['plain', `printf '%s\\n' '${plain}'`, true],
      ['a warning', `printf '%s\\nW: something\\n' '${plain}'`, false],
      ['a new package', `printf '%s\\n' '${plain.replace('0 newly', '1 newly')}'`, false],
      ['one not upgraded', `printf '%s\\n' '${plain.replace('0 not upgraded', '1 not upgraded')}'`, false],
      ['a failure', `printf '%s\\n' '${plain}'; exit 100`, false],
    ];
    for (const [what, distUpgrade, derived] of variants) {
      rmSync(join(dir, 'calls'), { force: true });
      fakeApt(dir, { distUpgrade });
      const steps = runScript();
      expect(/ upgrade$/m.test(calls()), what).toBe(!derived);
      if (derived) expect(steps.get('upgrade'), what).toEqual(steps.get('dist-upgrade'));
      else expect(steps.get('upgrade'), what).toEqual({ output: fixture('sim-upgrade-1.1').trimEnd(), exitCode: 0 });
    }
  });

  it("gives every apt run apt's own architectures, and nothing when apt-config's answer is not a list of them", () => {
    const aptCalls = () => calls().trimEnd().split('\n');
    rmSync(join(dir, 'calls'), { force: true });
    fakeApt(dir);
    runScript();
    // update, dist-upgrade, upgrade (a package is kept back), autoremove, the release table, the named packages.
    expect(aptCalls()).toHaveLength(6);
    for (const call of aptCalls()) expect(call).toMatch(/^(apt-cache )?-o APT::Architectures=amd64,i386, /);
    for (const aptConfig of [`printf 'amd64,$(reboot),'`, `printf 'amd64 i386'`, 'exit 0', 'printf amd64,; exit 1']) {
      rmSync(join(dir, 'calls'), { force: true });
      fakeApt(dir, { aptConfig });
      const steps = runScript();
      expect(aptCalls(), aptConfig).toHaveLength(6);
      for (const call of aptCalls()) expect(call, aptConfig).not.toContain('APT::Architectures');
      expect(steps.get('policy')?.output, aptConfig).toBe(fixture('apt-cache-policy-releases').trimEnd());
    }
  });

  it('reports a dpkg-query that failed as a failed step for both holds and unsettled packages, never an empty list', () => {
    fakeApt(dir, { dpkgQuery: `echo 'dpkg-query: error: parsing file /var/lib/dpkg/status' >&2; exit 2` });
    const steps = runScript();
    for (const name of ['showhold', 'dpkg-unsettled'] as const)
      expect(steps.get(name)).toEqual({ output: 'dpkg-query: error: parsing file /var/lib/dpkg/status', exitCode: 2 });
  });
});
