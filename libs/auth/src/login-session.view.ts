import type { LoginSession } from './auth.service.ts';

/** The answer to a successful login (password or OIDC): the token is shown here once and never again. */
export function loginSessionView(s: LoginSession) {
  return {
    token: s.token,
    tokenType: 'Bearer' as const,
    expiresAt: s.expiresAt.toISOString(),
    user: {
      id: s.principal.id,
      username: s.principal.label,
      scopes: s.principal.scopes,
      mustChangePassword: s.principal.mustChangePassword ?? false,
    },
  };
}
