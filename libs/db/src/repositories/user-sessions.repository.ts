import type { DbClient } from '../database.ts';

export interface ActiveSession {
  sessionId: string;
  userId: string;
  username: string;
  role: string;
  mustChangePassword: boolean;
  expiresAt: Date;
}

/** A session as its owner (or an admin) sees it: never the token nor its hash. */
export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string | null;
  expiresAt: string;
}

// last_seen_at is written at most once a minute per session: a write on every request would cost more than it tells.
const LAST_SEEN_GRANULARITY_MS = 60_000;

export class UserSessionsRepository {
  constructor(private readonly db: DbClient) {}

  async create(input: { userId: string; tokenHash: string; expiresAt: Date }): Promise<{ id: string }> {
    return this.db.userSession.create({ data: input, select: { id: true } });
  }

  async findActiveByTokenHash(tokenHash: string, now = new Date()): Promise<ActiveSession | null> {
    const s = await this.db.userSession.findFirst({
      where: { tokenHash, revokedAt: null, expiresAt: { gt: now }, user: { isActive: true, deletedAt: null } },
      select: {
        id: true,
        expiresAt: true,
        user: { select: { id: true, username: true, role: true, mustChangePassword: true } },
      },
    });
    return (
      s && {
        sessionId: s.id,
        userId: s.user.id,
        username: s.user.username,
        role: s.user.role,
        mustChangePassword: s.user.mustChangePassword,
        expiresAt: s.expiresAt,
      }
    );
  }

  async touchLastSeen(id: string, now = new Date()): Promise<void> {
    await this.db.userSession.updateMany({
      where: {
        id,
        OR: [{ lastSeenAt: null }, { lastSeenAt: { lt: new Date(now.getTime() - LAST_SEEN_GRANULARITY_MS) } }],
      },
      data: { lastSeenAt: now },
    });
  }

  /** The user's sessions that still authenticate, newest first. */
  async listActiveByUser(userId: string, now = new Date()): Promise<SessionView[]> {
    const rows = await this.db.userSession.findMany({
      where: { userId, revokedAt: null, expiresAt: { gt: now } },
      orderBy: { createdAt: 'desc' },
      select: { id: true, createdAt: true, lastSeenAt: true, expiresAt: true },
    });
    return rows.map((r) => ({
      id: r.id,
      createdAt: r.createdAt.toISOString(),
      lastSeenAt: r.lastSeenAt?.toISOString() ?? null,
      expiresAt: r.expiresAt.toISOString(),
    }));
  }

  async revoke(id: string): Promise<void> {
    await this.db.userSession.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  /** Ends one session of this user; false when it is not theirs or already ended. */
  async revokeOfUser(userId: string, id: string): Promise<boolean> {
    const res = await this.db.userSession.updateMany({
      where: { id, userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return res.count === 1;
  }

  /** Ends every session of the user except `keepId`; returns how many were ended. */
  async revokeAllOfUser(userId: string, keepId?: string): Promise<number> {
    const res = await this.db.userSession.updateMany({
      where: { userId, revokedAt: null, ...(keepId ? { id: { not: keepId } } : {}) },
      data: { revokedAt: new Date() },
    });
    return res.count;
  }
}
