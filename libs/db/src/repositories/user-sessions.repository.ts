import type { DbClient } from '../database.ts';

export interface ActiveSession {
  sessionId: string;
  userId: string;
  username: string;
  role: string;
  expiresAt: Date;
}

export class UserSessionsRepository {
  constructor(private readonly db: DbClient) {}

  async create(input: { userId: string; tokenHash: string; expiresAt: Date }): Promise<{ id: string }> {
    return this.db.userSession.create({ data: input, select: { id: true } });
  }

  async findActiveByTokenHash(tokenHash: string, now = new Date()): Promise<ActiveSession | null> {
    const s = await this.db.userSession.findFirst({
      where: { tokenHash, revokedAt: null, expiresAt: { gt: now }, user: { isActive: true, deletedAt: null } },
      select: { id: true, expiresAt: true, user: { select: { id: true, username: true, role: true } } },
    });
    return (
      s && { sessionId: s.id, userId: s.user.id, username: s.user.username, role: s.user.role, expiresAt: s.expiresAt }
    );
  }

  async revoke(id: string): Promise<void> {
    await this.db.userSession.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  }
}
