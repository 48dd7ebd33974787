import { ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { scopeSatisfies, type Scope } from '@su/contracts';
import { assistantRefusal } from './assistant.rule.ts';
import { AuthService } from './auth.service.ts';
import { MachineScopeRule } from './machine-scope.rule.ts';
import { forbidden } from './auth-errors.ts';
import type { Principal } from './principal.ts';
import { sessionTokenOf } from './session-cookie.ts';

/** The parts of an HTTP upgrade request (Node's IncomingMessage) the check reads. */
export interface UpgradeRequest {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The global guard's rule (ADR 0014) for a WebSocket upgrade, which never reaches Nest's router: token (bearer, or
 * the browser's session cookie), a pending password change, the scope, the assistant rule (a terminal executes), and
 * the machine scope of an API client. Before all of them, the Origin: a browser sends its page's origin with every
 * WebSocket handshake and SameSite does not guard a handshake a page on another site opens (cross-site WebSocket
 * hijacking), so a cookie counts only with an Origin equal to this gateway's own, and any Origin sent must match.
 * Refusals are Nest's exceptions, written out by the caller as problem details.
 */
@Injectable()
export class UpgradeAuthenticator {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(MachineScopeRule) private readonly machineScope: MachineScopeRule,
  ) {}

  async authorizeMachineAct(
    req: UpgradeRequest,
    need: { scope: Scope; machineId: string },
  ): Promise<{ principal: Principal; token: string }> {
    const origin = header(req, 'origin');
    if (origin !== null && !sameOrigin(origin, header(req, 'host')))
      throw new ForbiddenException('the Origin of this WebSocket handshake is not this gateway');
    const token = bearerOf(req) ?? (origin !== null ? sessionTokenOf(req.headers['cookie']) : null);
    if (!token) throw new UnauthorizedException('missing bearer token (Authorization: Bearer <token>) or session');
    const principal = await this.auth.authenticate(token);
    if (!principal) throw new UnauthorizedException('invalid, expired or revoked token');
    if (principal.mustChangePassword)
      throw forbidden('this password must be changed before anything else', 'password_change_required');
    if (!scopeSatisfies(principal.scopes, need.scope))
      throw new ForbiddenException(
        `this action needs the "${need.scope}" scope; the token has: ${principal.scopes.join(', ')}`,
      );
    const refusal = assistantRefusal(principal, 'POST', false);
    if (refusal) throw new ForbiddenException(refusal);
    await this.machineScope.enforce(
      principal,
      { kind: 'machine', param: 'id' },
      { method: 'POST', params: { id: need.machineId } },
    );
    return { principal, token };
  }
}

function header(req: UpgradeRequest, name: string): string | null {
  const v = req.headers[name];
  return typeof v === 'string' ? v : null;
}

function bearerOf(req: UpgradeRequest): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header(req, 'authorization') ?? '');
  return match?.[1] ?? null;
}

/** The Origin's host:port is the Host the request came to (a reverse proxy must pass Host on, as the README says). */
function sameOrigin(origin: string, host: string | null): boolean {
  if (!host) return false;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host === host.toLowerCase();
  } catch {
    return false;
  }
}
