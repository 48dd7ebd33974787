/** API scopes, from least to most powerful. `operate` includes `read`; `admin` includes both. */
export const SCOPES = ['read', 'operate', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(value: unknown): value is Scope {
  return typeof value === 'string' && (SCOPES as readonly string[]).includes(value);
}

/** True when a principal holding `granted` may do what needs `required`. */
export function scopeSatisfies(granted: readonly Scope[], required: Scope): boolean {
  const need = SCOPES.indexOf(required);
  return granted.some((s) => SCOPES.indexOf(s) >= need);
}
