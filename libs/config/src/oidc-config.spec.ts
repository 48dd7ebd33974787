import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const BASE = {
  SU_OIDC_ISSUER: 'https://sso.example.org/application/o/su/',
  SU_OIDC_CLIENT_ID: 'system-update',
  SU_OIDC_REDIRECT_URI: 'https://su.example.org/api/v1/auth/oidc/callback',
  SU_OIDC_ROLE_MAP: 'homelab-admins=admin,ops=operator',
};

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('OIDC configuration', () => {
  it('is off (null) when no SU_OIDC_ variable is set', () => {
    expect(loadConfig({}).oidc).toBeNull();
    expect(loadConfig({ SU_OIDC_GROUPS_CLAIM: 'roles' }).oidc).toBeNull();
  });

  it('reads the settings, with defaults for scopes and the groups claim', () => {
    const oidc = loadConfig({ ...BASE, SU_OIDC_CLIENT_SECRET: 's3cret' }).oidc!;
    expect(oidc.issuer).toBe(BASE.SU_OIDC_ISSUER);
    expect(oidc.scopes).toEqual(['openid', 'profile', 'email']);
    expect(oidc.groupsClaim).toBe('groups');
    expect([...oidc.roleMap]).toEqual([
      ['homelab-admins', 'admin'],
      ['ops', 'operator'],
    ]);
    expect(oidc.defaultRole).toBeUndefined();
    expect(oidc.clientSecret?.reveal()).toBe('s3cret');
  });

  it('never prints the client secret, whichever way the configuration is logged', () => {
    const config = loadConfig({ ...BASE, SU_OIDC_CLIENT_SECRET: 'top-s3cret-value' });
    for (const text of [JSON.stringify(config), inspect(config, { depth: 10 }), `${config.oidc!.clientSecret}`]) {
      expect(text).not.toContain('top-s3cret-value');
    }
  });

  it('reads the secret from a file, without its final newline', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'su-oidc-cfg-')), 'secret');
    writeFileSync(file, 'from-a-file\n');
    expect(loadConfig({ ...BASE, SU_OIDC_CLIENT_SECRET_FILE: file }).oidc!.clientSecret?.reveal()).toBe('from-a-file');
    expect(problems({ ...BASE, SU_OIDC_CLIENT_SECRET_FILE: `${file}.missing` })).toMatch(
      /SU_OIDC_CLIENT_SECRET_FILE: cannot read the file \(ENOENT\)/,
    );
    expect(problems({ ...BASE, SU_OIDC_CLIENT_SECRET_FILE: file, SU_OIDC_CLIENT_SECRET: 'x' })).toMatch(
      /SU_OIDC_CLIENT_SECRET_FILE: set either it or SU_OIDC_CLIENT_SECRET/,
    );
  });

  it('names each missing or bad setting, quoting no value', () => {
    const msg = problems({
      SU_OIDC_CLIENT_SECRET: 'leaky-secret',
      SU_OIDC_ROLE_MAP: 'admins=root,ops,=viewer',
      SU_OIDC_SCOPES: 'profile email',
    });
    expect(msg).toMatch(/SU_OIDC_ISSUER: required/);
    expect(msg).toMatch(/SU_OIDC_CLIENT_ID: required/);
    expect(msg).toMatch(/SU_OIDC_REDIRECT_URI: required/);
    expect(msg).toMatch(/SU_OIDC_SCOPES: must include "openid"/);
    expect(msg).toMatch(/SU_OIDC_ROLE_MAP: entry 1 names an unknown role/);
    expect(msg).toMatch(/SU_OIDC_ROLE_MAP: entry 2 must be group=role/);
    expect(msg).toMatch(/SU_OIDC_ROLE_MAP: entry 3 must be group=role/);
    expect(msg).not.toContain('leaky-secret');
    expect(msg).not.toContain('root');
  });

  it('wants a role map or a default role, so that nobody is refused by accident of configuration', () => {
    const { SU_OIDC_ROLE_MAP: _, ...noMap } = BASE;
    expect(problems(noMap)).toMatch(/SU_OIDC_ROLE_MAP: required/);
    expect(loadConfig({ ...noMap, SU_OIDC_DEFAULT_ROLE: 'viewer' }).oidc!.defaultRole).toBe('viewer');
    expect(problems({ ...BASE, SU_OIDC_DEFAULT_ROLE: 'root' })).toMatch(/SU_OIDC_DEFAULT_ROLE/);
  });

  it('refuses plain http off loopback unless allowed', () => {
    const http = { ...BASE, SU_OIDC_ISSUER: 'http://authelia:9091' };
    expect(problems(http)).toMatch(/SU_OIDC_ISSUER: must use https/);
    expect(loadConfig({ ...http, SU_OIDC_ALLOW_HTTP: '1' }).oidc!.allowHttp).toBe(true);
    expect(loadConfig({ ...BASE, SU_OIDC_ISSUER: 'http://127.0.0.1:9000' }).oidc).not.toBeNull();
    expect(problems({ ...BASE, SU_OIDC_REDIRECT_URI: 'not a url' })).toMatch(
      /SU_OIDC_REDIRECT_URI: must be an absolute/,
    );
    expect(problems({ ...BASE, SU_OIDC_ISSUER: 'https://u:p@sso.example.org' })).toMatch(/must not carry credentials/);
  });

  it('keeps group names with "=" and refuses one group mapped to two roles', () => {
    const oidc = loadConfig({ ...BASE, SU_OIDC_ROLE_MAP: 'team=blue=admin, /ops = operator' }).oidc!;
    expect([...oidc.roleMap]).toEqual([
      ['team=blue', 'admin'],
      ['/ops', 'operator'],
    ]);
    expect(problems({ ...BASE, SU_OIDC_ROLE_MAP: 'ops=operator,ops=admin' })).toMatch(/entry 2 maps a group already/);
  });
});
