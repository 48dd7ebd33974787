import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { ApiClientsRepository, Database, UserSessionsRepository } from '@su/db';
import { hashToken } from '@su/security';
import type { Principal } from './principal.ts';
import { scopesOfRole } from './roles.ts';

@Injectable()
export class AuthService {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** The principal behind a bearer token, or null when it is unknown, expired or revoked. */
  async authenticate(token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    if (token.startsWith('sus_')) {
      const sessions = new UserSessionsRepository(this.db.prisma);
      const s = await sessions.findActiveByTokenHash(hash);
      if (!s) return null;
      // last_seen is informational (session list); a failed update must not fail the request.
      await sessions.touchLastSeen(s.sessionId).catch(() => undefined);
      return {
        type: 'user',
        id: s.userId,
        label: s.username,
        scopes: scopesOfRole(s.role),
        sessionId: s.sessionId,
        mustChangePassword: s.mustChangePassword,
      };
    }
    if (token.startsWith('sua_')) {
      const repo = new ApiClientsRepository(this.db.prisma);
      const c = await repo.findActiveByTokenHash(hash);
      if (!c) return null;
      // last_seen is informational; a failed update must not fail the request.
      await repo.touchLastSeen(c.id).catch(() => undefined);
      return {
        type: 'api_client',
        id: c.id,
        label: c.label,
        scopes: c.scopes,
        clientKind: c.clientKind,
        machineScope: c.machineScope,
      };
    }
    return null;
  }

  /** Ends the caller's login session. An API token is not a session: it is revoked through /api-clients. */
  async logout(p: Principal): Promise<void> {
    if (!p.sessionId) {
      throw new BadRequestException(
        'an API token has no session to log out of; an admin revokes it with DELETE /api/v1/api-clients/{id}',
      );
    }
    await new UserSessionsRepository(this.db.prisma).revoke(p.sessionId);
  }
}
