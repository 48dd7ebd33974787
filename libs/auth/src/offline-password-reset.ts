import { Database, MachineEventsRepository, UserSessionsRepository, UsersRepository } from '@su/db';
import { generatePassword, hashPassword } from '@su/security';

export class UnknownUserError extends Error {
  constructor(username: string) {
    super(`no user named "${username}"`);
  }
}

/**
 * The lost-password way back in, run by someone with access to the database (the product may be stopped): sets a
 * generated password that must be changed at the next login, ends the user's sessions, reactivates the user,
 * optionally removes the second factor, and records it. Returns the new password, to be shown once.
 */
export async function resetPasswordOffline(
  db: Database,
  input: { username: string; clearTotp: boolean },
): Promise<{ password: string; sessionsEnded: number }> {
  const password = generatePassword(20);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const users = new UsersRepository(tx);
    const user = await users.findByUsername(input.username);
    if (!user) throw new UnknownUserError(input.username);
    await users.setPassword(user.id, passwordHash, true);
    await users.activate(user.id);
    if (input.clearTotp) await users.clearTotp(user.id);
    const sessionsEnded = await new UserSessionsRepository(tx).revokeAllOfUser(user.id);
    await new MachineEventsRepository(tx).insert({
      machineId: null,
      eventType: 'user.password_reset',
      severity: 'warning',
      actor: { type: 'system', id: 'offline-reset' },
      message:
        `password of "${user.username}" reset offline (must be changed at next login)` +
        (input.clearTotp ? '; second factor removed' : '') +
        `; ${sessionsEnded} session(s) ended`,
      payload: { userId: user.id, clearTotp: input.clearTotp, sessionsEnded },
    });
    return { password, sessionsEnded };
  });
}
