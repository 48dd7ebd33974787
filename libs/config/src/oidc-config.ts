import { readFileSync } from 'node:fs';
import { isUserRole, type UserRole } from '@su/contracts';
import type { Env } from './config.schema.ts';
import { SecretValue } from './secret-value.ts';

/** OpenID Connect sign-in (ADR 0017). Absent from AppConfig when SU_OIDC_ISSUER is not set. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE only, token endpoint auth `none`). */
  clientSecret: SecretValue | undefined;
  redirectUri: string;
  scopes: string[];
  /** Claim carrying the user's groups; a dotted path (`realm_access.roles`) reaches into nested claims. */
  groupsClaim: string;
  /** Provider group → role here. A user in several mapped groups gets the most powerful of their roles. */
  roleMap: ReadonlyMap<string, UserRole>;
  /** Role for a user whose groups map to none; absent: such a user is refused. */
  defaultRole: UserRole | undefined;
  /** Plain-HTTP issuer or redirect URI on a non-loopback host (otherwise refused at start). */
  allowHttp: boolean;
}

type OidcEnv = Pick<
  Env,
  | 'SU_OIDC_ISSUER'
  | 'SU_OIDC_CLIENT_ID'
  | 'SU_OIDC_CLIENT_SECRET'
  | 'SU_OIDC_CLIENT_SECRET_FILE'
  | 'SU_OIDC_REDIRECT_URI'
  | 'SU_OIDC_SCOPES'
  | 'SU_OIDC_GROUPS_CLAIM'
  | 'SU_OIDC_ROLE_MAP'
  | 'SU_OIDC_DEFAULT_ROLE'
  | 'SU_OIDC_ALLOW_HTTP'
>;

/** Variables whose presence means the operator meant to configure OIDC (defaulted ones do not count). */
const SETTING_NAMES = [
  'SU_OIDC_ISSUER',
  'SU_OIDC_CLIENT_ID',
  'SU_OIDC_CLIENT_SECRET',
  'SU_OIDC_CLIENT_SECRET_FILE',
  'SU_OIDC_REDIRECT_URI',
  'SU_OIDC_ROLE_MAP',
  'SU_OIDC_DEFAULT_ROLE',
] as const;

/**
 * Reads the OIDC settings; returns them (or null when OIDC is off) and the problems found, each naming its variable.
 * Values are never quoted back: a misplaced secret must not reach the start-up error.
 */
export function parseOidcConfig(e: OidcEnv): { oidc: OidcConfig | null; problems: string[] } {
  if (!SETTING_NAMES.some((k) => e[k] !== undefined)) return { oidc: null, problems: [] };
  const problems: string[] = [];
  const need = (name: (typeof SETTING_NAMES)[number], value: string | undefined): string => {
    if (value === undefined) problems.push(`${name}: required when OpenID Connect sign-in is configured`);
    return value ?? '';
  };
  const issuer = checkUrl('SU_OIDC_ISSUER', need('SU_OIDC_ISSUER', e.SU_OIDC_ISSUER), e.SU_OIDC_ALLOW_HTTP, problems);
  const clientId = need('SU_OIDC_CLIENT_ID', e.SU_OIDC_CLIENT_ID);
  const redirectUri = checkUrl(
    'SU_OIDC_REDIRECT_URI',
    need('SU_OIDC_REDIRECT_URI', e.SU_OIDC_REDIRECT_URI),
    e.SU_OIDC_ALLOW_HTTP,
    problems,
  );
  const scopes = e.SU_OIDC_SCOPES.split(' ');
  if (!scopes.includes('openid')) problems.push('SU_OIDC_SCOPES: must include "openid"');
  const roleMap = parseRoleMap(e.SU_OIDC_ROLE_MAP ?? '', problems);
  if (roleMap.size === 0 && !e.SU_OIDC_DEFAULT_ROLE && !problems.some((p) => p.startsWith('SU_OIDC_ROLE_MAP'))) {
    problems.push('SU_OIDC_ROLE_MAP: required (e.g. "admins=admin,ops=operator"), or set SU_OIDC_DEFAULT_ROLE');
  }
  const clientSecret = readClientSecret(e, problems);
  if (problems.length) return { oidc: null, problems };
  return {
    oidc: {
      issuer,
      clientId,
      clientSecret,
      redirectUri,
      scopes,
      groupsClaim: e.SU_OIDC_GROUPS_CLAIM,
      roleMap,
      defaultRole: e.SU_OIDC_DEFAULT_ROLE,
      allowHttp: e.SU_OIDC_ALLOW_HTTP,
    },
    problems,
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function checkUrl(name: string, value: string, allowHttp: boolean, problems: string[]): string {
  if (value === '') return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name}: must be an absolute http(s) URL`);
    return value;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') problems.push(`${name}: must be an http(s) URL`);
  else if (url.protocol === 'http:' && !allowHttp && !LOOPBACK.has(url.hostname)) {
    problems.push(`${name}: must use https (plain http only on loopback, or with SU_OIDC_ALLOW_HTTP=1)`);
  }
  if (url.username || url.password) problems.push(`${name}: must not carry credentials`);
  if (url.hash) problems.push(`${name}: must not have a #fragment`);
  return value;
}

/** `group=role,group=role`: a group name may hold `=` (the last one splits), not `,`. */
function parseRoleMap(raw: string, problems: string[]): Map<string, UserRole> {
  const map = new Map<string, UserRole>();
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  entries.forEach((entry, i) => {
    const at = entry.lastIndexOf('=');
    const group = entry.slice(0, at).trim();
    const role = entry.slice(at + 1).trim();
    if (at <= 0 || !group) {
      problems.push(`SU_OIDC_ROLE_MAP: entry ${i + 1} must be group=role`);
    } else if (!isUserRole(role)) {
      problems.push(`SU_OIDC_ROLE_MAP: entry ${i + 1} names an unknown role (use admin, operator or viewer)`);
    } else if (map.has(group) && map.get(group) !== role) {
      problems.push(`SU_OIDC_ROLE_MAP: entry ${i + 1} maps a group already mapped to another role`);
    } else {
      map.set(group, role);
    }
  });
  return map;
}

function readClientSecret(e: OidcEnv, problems: string[]): SecretValue | undefined {
  if (e.SU_OIDC_CLIENT_SECRET !== undefined && e.SU_OIDC_CLIENT_SECRET_FILE !== undefined) {
    problems.push('SU_OIDC_CLIENT_SECRET_FILE: set either it or SU_OIDC_CLIENT_SECRET, not both');
    return undefined;
  }
  if (e.SU_OIDC_CLIENT_SECRET !== undefined) return new SecretValue(e.SU_OIDC_CLIENT_SECRET);
  if (e.SU_OIDC_CLIENT_SECRET_FILE === undefined) return undefined;
  try {
    // Secret files (Docker/systemd credentials) usually end with a newline that is not part of the secret.
    const secret = readFileSync(e.SU_OIDC_CLIENT_SECRET_FILE, 'utf8').replace(/\r?\n$/, '');
    if (secret === '') problems.push('SU_OIDC_CLIENT_SECRET_FILE: the file is empty');
    return new SecretValue(secret);
  } catch (err) {
    problems.push(
      `SU_OIDC_CLIENT_SECRET_FILE: cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
    return undefined;
  }
}
