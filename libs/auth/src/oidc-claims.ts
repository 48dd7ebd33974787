import { createHash } from 'node:crypto';

export type Claims = Record<string, unknown>;

const MAX_GROUPS = 500;
const MAX_GROUP_LENGTH = 255;

/**
 * The user's groups from the configured claim: a claim of that exact name (providers use names like
 * `https://example.com/groups`), else a dotted path into nested claims (Keycloak's `realm_access.roles`). A single
 * string counts as one group; anything that is not a string is ignored.
 */
export function groupsFromClaims(claims: Claims, claimName: string): string[] {
  const value = Object.hasOwn(claims, claimName) ? claims[claimName] : claimAtPath(claims, claimName.split('.'));
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return list
    .filter((g): g is string => typeof g === 'string' && g.length > 0 && g.length <= MAX_GROUP_LENGTH)
    .slice(0, MAX_GROUPS);
}

function claimAtPath(claims: Claims, path: string[]): unknown {
  let node: unknown = claims;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const USERNAME_MAX = 48;

/**
 * A username to create a first-time OIDC user with: `preferred_username`, else the e-mail address, else one made
 * from the subject; limited to letters, digits and `._@+-` (anything else becomes `-`) so it stays readable in
 * timelines and valid for the password login's username rules. The caller makes it unique.
 */
export function usernameFromClaims(claims: Claims): string {
  for (const key of ['preferred_username', 'email']) {
    const raw = claims[key];
    if (typeof raw !== 'string') continue;
    const cleaned = raw
      .normalize('NFKC')
      .replace(/[^\p{L}\p{N}._@+-]+/gu, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, USERNAME_MAX);
    if (cleaned) return cleaned;
  }
  const sub = typeof claims['sub'] === 'string' ? claims['sub'] : '';
  return `oidc-${createHash('sha256').update(sub).digest('hex').slice(0, 10)}`;
}

/** The names to try for a new user, in order: the name itself, then numbered ones. */
export function usernameCandidates(base: string, count: number): string[] {
  return [base, ...Array.from({ length: count - 1 }, (_, i) => `${base}-${i + 2}`)];
}
