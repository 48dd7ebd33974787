import { USER_ROLES, type Scope, type UserRole } from '@su/contracts';

/** User roles (contracts: `USER_ROLES`) and the token scope each gives: the same ladder as API clients. */
export const ROLES = USER_ROLES;
export type Role = UserRole;

const ROLE_SCOPES: Record<Role, Scope[]> = { admin: ['admin'], operator: ['operate'], viewer: ['read'] };

/** The scopes of a role; an unknown role (a row edited by hand) gets the least. */
export function scopesOfRole(role: string): Scope[] {
  return (ROLE_SCOPES as Record<string, Scope[]>)[role] ?? ['read'];
}
