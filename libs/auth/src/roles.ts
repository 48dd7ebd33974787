import type { Scope } from '@su/contracts';

/** User roles and the token scope each gives: the same ladder as API clients (read < operate < admin). */
export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const ROLE_SCOPES: Record<Role, Scope[]> = { admin: ['admin'], operator: ['operate'], viewer: ['read'] };

/** The scopes of a role; an unknown role (a row edited by hand) gets the least. */
export function scopesOfRole(role: string): Scope[] {
  return (ROLE_SCOPES as Record<string, Scope[]>)[role] ?? ['read'];
}
