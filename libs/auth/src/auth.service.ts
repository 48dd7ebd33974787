import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import type { Scope } from '@su/contracts';
import { ApiClientsRepository, Database, UserSessionsRepository, UsersRepository } from '@su/db';
import { APP_CONFIG } from '@su/platform';
import { generateToken, hashPassword, hashToken, verifyPassword } from '@su/security';
import type { Principal } from './principal.ts';

/** Users are administrators of the product; finer roles can come later without changing tokens. */
const ROLE_SCOPES: Record<string, Scope[]> = { admin: ['admin'], operator: ['operate'], viewer: ['read'] };

export interface LoginSession {
  token: string;
  expiresAt: Date;
  principal: Principal;
}

// Verifying against a real hash when the user does not exist keeps the timing of "no such user" and "wrong
// password" alike, so login does not reveal which usernames exist.
let dummyHash: Promise<string> | undefined;

@Injectable()
export class AuthService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Returns a bearer token, or null for a wrong username/password (the caller must not say which). */
  async login(username: string, password: string): Promise<LoginSession | null> {
    const users = new UsersRepository(this.db.prisma);
    const user = await users.findByUsername(username);
    if (!user || !user.isActive) {
      dummyHash ??= hashPassword('not-a-password');
      await verifyPassword(password, await dummyHash);
      return null;
    }
    if (!(await verifyPassword(password, user.passwordHash))) return null;
    return this.openSession(user);
  }

  /** A new login session (`sus_` token) for a user who has proven who they are: by password, or through OIDC. */
  async openSession(user: { id: string; username: string; role: string }): Promise<LoginSession> {
    const token = generateToken('sus');
    const expiresAt = new Date(Date.now() + this.config.sessionTtlHours * 3600_000);
    const session = await new UserSessionsRepository(this.db.prisma).create({
      userId: user.id,
      tokenHash: hashToken(token),
      expiresAt,
    });
    await new UsersRepository(this.db.prisma).touchLogin(user.id);
    return {
      token,
      expiresAt,
      principal: {
        type: 'user',
        id: user.id,
        label: user.username,
        scopes: ROLE_SCOPES[user.role] ?? ['read'],
        sessionId: session.id,
        expiresAt,
      },
    };
  }

  /** The principal behind a bearer token, or null when it is unknown, expired or revoked. */
  async authenticate(token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    if (token.startsWith('sus_')) {
      const s = await new UserSessionsRepository(this.db.prisma).findActiveByTokenHash(hash);
      return (
        s && {
          type: 'user',
          id: s.userId,
          label: s.username,
          scopes: ROLE_SCOPES[s.role] ?? ['read'],
          sessionId: s.sessionId,
          expiresAt: s.expiresAt,
        }
      );
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

  async logout(p: Principal): Promise<void> {
    if (p.sessionId) await new UserSessionsRepository(this.db.prisma).revoke(p.sessionId);
  }
}
