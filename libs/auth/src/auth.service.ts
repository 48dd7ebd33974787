import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import type { Actor } from '@su/contracts';
import { ApiClientsRepository, Database, MachineEventsRepository, UserSessionsRepository, UsersRepository } from '@su/db';
import { APP_CONFIG } from '@su/platform';
import { generateToken, hashToken } from '@su/security';
import type { Principal } from './principal.ts';
import { scopesOfRole } from './roles.ts';

export interface LoginSession {
  token: string;
  expiresAt: Date;
  principal: Principal;
}

/** What a new session is recorded as (one `machine_events` row, in the session's transaction). */
export interface SessionAudit {
  eventType: string;
  message: string;
  payload: Record<string, unknown>;
}

@Injectable()
export class AuthService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A new login session (`sus_` token) for a user who has proven who they are: by password (and second factor), or
   * through OIDC. The session, the user's last login and the audit event are written together.
   */
  async openSession(
    user: { id: string; username: string; role: string; mustChangePassword?: boolean },
    audit: SessionAudit,
  ): Promise<LoginSession> {
    const token = generateToken('sus');
    const expiresAt = new Date(Date.now() + this.config.sessionTtlHours * 3600_000);
    const actor: Actor = { type: 'user', id: user.id, label: user.username };
    const session = await this.db.transaction(async (tx) => {
      const s = await new UserSessionsRepository(tx).create({ userId: user.id, tokenHash: hashToken(token), expiresAt });
      await new UsersRepository(tx).touchLogin(user.id);
      await new MachineEventsRepository(tx).insert({
        machineId: null,
        actor,
        eventType: audit.eventType,
        message: audit.message,
        payload: { ...audit.payload, userId: user.id, sessionId: s.id },
      });
      return s;
    });
    return {
      token,
      expiresAt,
      principal: {
        type: 'user',
        id: user.id,
        label: user.username,
        scopes: scopesOfRole(user.role),
        sessionId: session.id,
        expiresAt,
        mustChangePassword: user.mustChangePassword ?? false,
      },
    };
  }

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
        expiresAt: s.expiresAt,
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
        expiresAt: c.expiresAt ? new Date(c.expiresAt) : null,
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
