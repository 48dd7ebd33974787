import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Actor } from '@su/contracts';
import { Database, UserSessionsRepository, UsersRepository, type SessionView } from '@su/db';
import { recordUserEvent } from './user-event.ts';

export interface SessionListItem extends SessionView {
  /** The session of the request that asked. */
  current: boolean;
}

/**
 * Login sessions of a user. Ending one sets `revoked_at` (the only way: open event streams close on that column);
 * its token stops authenticating at the next request.
 */
@Injectable()
export class SessionsService {
  constructor(@Inject(Database) private readonly db: Database) {}

  async list(userId: string, currentSessionId?: string): Promise<SessionListItem[]> {
    await this.existingUser(userId);
    const sessions = await new UserSessionsRepository(this.db.prisma).listActiveByUser(userId);
    return sessions.map((s) => ({ ...s, current: s.id === currentSessionId }));
  }

  async end(userId: string, sessionId: string, actor: Actor): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (!(await new UserSessionsRepository(tx).revokeOfUser(userId, sessionId)))
        throw new NotFoundException(`no active session ${sessionId} of this user`);
      await recordUserEvent(tx, 'user.sessions_ended', userId, actor, `session ${sessionId} ended`, { sessionId });
    });
  }

  /** Ends every session of the user except `keepSessionId` (the caller's own, when it is theirs). */
  async endAll(userId: string, actor: Actor, keepSessionId?: string): Promise<{ ended: number }> {
    await this.existingUser(userId);
    return this.db.transaction(async (tx) => {
      const ended = await new UserSessionsRepository(tx).revokeAllOfUser(userId, keepSessionId);
      await recordUserEvent(tx, 'user.sessions_ended', userId, actor, `${ended} session(s) ended`, { ended });
      return { ended };
    });
  }

  private async existingUser(userId: string): Promise<void> {
    if (!(await new UsersRepository(this.db.prisma).findById(userId))) throw new NotFoundException(`no user ${userId}`);
  }
}
