/** API scopes that include each other, from least to most powerful: `operate` includes `read`; `admin` both. */
export const RANKED_SCOPES = ['read', 'operate', 'admin'] as const;

/**
 * Every API scope: the ranked ones, `metrics:read`, which reads /metrics and nothing else (a Prometheus scraper's
 * token; ADR 0034), and `terminal`, which opens web SSH terminals and nothing else (ADR 0043). `admin` includes both.
 */
export const SCOPES = [...RANKED_SCOPES, 'metrics:read', 'terminal'] as const;

/** Scopes outside the ranking: each grants one thing, and `admin` includes it. */
const SIDE_SCOPES: readonly string[] = ['metrics:read', 'terminal'];
export type Scope = (typeof SCOPES)[number];

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/** True when a principal holding `granted` may do what needs `required`. */
export function scopeSatisfies(granted: readonly Scope[], required: Scope): boolean {
  if (SIDE_SCOPES.includes(required)) return granted.includes(required) || granted.includes('admin');
  const ranked: readonly string[] = RANKED_SCOPES;
  const need = ranked.indexOf(required);
  return granted.some((s) => ranked.indexOf(s) >= need);
}
