import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseRecipeManifest, renderScript, resolveVariables } from '@su/templates';
import { checkedRecipeVersion } from '../recipe-input.ts';
import { BUILT_IN_PROFILES } from './built-in-profiles.ts';
import { UNATTENDED_FILES } from './unattended-upgrades.recipe.ts';

const withRecipe = BUILT_IN_PROFILES.filter((p) => p.recipe);

function renderDefaults(p: (typeof withRecipe)[number], values: Record<string, unknown> = {}) {
  const m = parseRecipeManifest(p.recipe!.manifest);
  const resolved = resolveVariables(m, [{ source: 'request', values }]);
  return renderScript(p.recipe!.template, m, resolved.values);
}

/** `sh -n`: the shell parses it (nothing runs). */
function parses(script: string): boolean {
  execFileSync('sh', ['-n'], { input: script });
  return true;
}

describe('built-in profiles', () => {
  it('are the five the issue names, each with a stable key; the bootstrap one is the bootstrap action', () => {
    expect(BUILT_IN_PROFILES.map((p) => p.key)).toEqual([
      'base_tools',
      'unattended_upgrades_security',
      'timezone_ntp',
      'docker_engine',
      'bootstrap',
    ]);
    expect(BUILT_IN_PROFILES.find((p) => p.key === 'bootstrap')?.profileManifest?.action).toBe('bootstrap');
  });

  it.each(withRecipe.map((p) => [p.key, p] as const))(
    '%s: passes the recipe checks, has a check command, and renders with its defaults into scripts sh parses',
    (_key, p) => {
      expect(() => checkedRecipeVersion(p.recipe!.template, p.recipe!.manifest)).not.toThrow();
      const r = renderDefaults(p);
      expect(r.check).toBeTruthy();
      expect(parses(r.script)).toBe(true);
      expect(parses(r.check!)).toBe(true);
    },
  );

  it('base tools: each package one quoted word in the install line and the check', () => {
    const r = renderDefaults(withRecipe[0]!, { packages: ['homelab-dep', '$(id)'] });
    expect(r.script).toContain(`apt-get install -y -q --no-install-recommends 'homelab-dep' '$(id)' \n`);
    expect(r.check).toContain(`for p in 'homelab-dep' '$(id)' ; do`);
  });

  it('time zone: a zone that is not a zone name is refused before anything renders', () => {
    const p = withRecipe.find((x) => x.key === 'timezone_ntp')!;
    expect(() => renderDefaults(p, { timezone: '../../etc/passwd' })).toThrow();
    expect(renderDefaults(p, { timezone: 'Europe/Paris', ntp_servers: ['ntp.lan'] }).script).toContain(
      `tz='Europe/Paris'`,
    );
  });

  it('unattended upgrades: security origins only (the distribution’s list is cleared first), and the check compares the files', () => {
    const conf = UNATTENDED_FILES['/etc/apt/apt.conf.d/52su-unattended-upgrades'];
    expect(conf.indexOf('#clear Unattended-Upgrade::Origins-Pattern;')).toBeLessThan(conf.indexOf('Origins-Pattern {'));
    for (const line of conf.split('\n').filter((l) => l.includes('"origin=')))
      expect(line).toMatch(/security|Debian-Security/);
    const p = withRecipe.find((x) => x.key === 'unattended_upgrades_security')!;
    expect(renderDefaults(p).check).toContain(`cmp -s - '/etc/apt/apt.conf.d/52su-unattended-upgrades'`);
  });
});
