import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Actor } from '@su/contracts';
import { Database, UserSessionsRepository, UsersRepository, type Tx, type UserView } from '@su/db';
import { generatePassword, hashPassword } from '@su/security';
import { fieldError } from './auth-errors.ts';
import { passwordPolicyViolations } from './password-policy.ts';
import type { Role } from './roles.ts';
import { recordUserEvent } from './user-event.ts';

/**
 * Users managed by an admin. A new user's password (generated, or the admin's) must be changed at first login.
 * The last active admin can be neither demoted nor deactivated, so the product always has someone to run it.
 */
@Injectable()
export class UsersService {
  constructor(@Inject(Database) private readonly db: Database) {}

  list(): Promise<UserView[]> {
    return new UsersRepository(this.db.prisma).list();
  }

  /** Creates a user; `password` is returned only when it was generated here (shown once, stored hashed). */
  async create(
    input: { username: string; role: Role; password?: string | undefined },
    actor: Actor,
  ): Promise<{ user: UserView; generatedPassword: string | null }> {
    if (input.password !== undefined) {
      const violations = passwordPolicyViolations(input.password, input.username);
      if (violations.length) throw fieldError('password', ...violations);
    }
    const password = input.password ?? generatePassword(20);
    const passwordHash = await hashPassword(password);
    const user = await this.db.transaction(async (tx) => {
      const users = new UsersRepository(tx);
      // Deleted users keep their row (and name): a name is never reused for someone else's history.
      if (await users.usernameTaken(input.username))
        throw new ConflictException('a user with this username exists already');
      const { id } = await users.create({
        username: input.username,
        role: input.role,
        passwordHash,
        mustChangePassword: true,
      });
      await recordUserEvent(tx, 'user.created', id, actor, `user "${input.username}" created with role ${input.role}`, {
        role: input.role,
      });
      return this.viewOf(users, id);
    });
    return { user, generatedPassword: input.password === undefined ? password : null };
  }

  async setRole(id: string, role: Role, actor: Actor): Promise<UserView> {
    return this.db.transaction(async (tx) => {
      const users = new UsersRepository(tx);
      const user = await this.lockedUser(tx, id);
      if (user.role === 'admin' && role !== 'admin') await this.keepAnAdmin(users, id, 'role');
      await users.setRole(id, role);
      await recordUserEvent(tx, 'user.role_changed', id, actor, `role of "${user.username}" set to ${role}`, {
        from: user.role,
        to: role,
      });
      return this.viewOf(users, id);
    });
  }

  /** Deactivates a user and ends their sessions; their history stays. */
  async deactivate(id: string, actor: Actor): Promise<UserView> {
    if (actor.type === 'user' && actor.id === id) throw fieldError('id', 'you cannot deactivate yourself');
    return this.db.transaction(async (tx) => {
      const users = new UsersRepository(tx);
      const user = await this.lockedUser(tx, id);
      if (user.isActive && user.role === 'admin') await this.keepAnAdmin(users, id, 'id');
      await users.deactivate(id);
      const ended = await new UserSessionsRepository(tx).revokeAllOfUser(id);
      await recordUserEvent(tx, 'user.deactivated', id, actor, `user "${user.username}" deactivated`, {
        sessionsEnded: ended,
      });
      return this.viewOf(users, id);
    });
  }

  private async viewOf(users: UsersRepository, id: string): Promise<UserView> {
    const view = await users.view(id);
    if (!view) throw new NotFoundException(`no user ${id}`);
    return view;
  }

  // Serialises changes of admins (two admins demoting each other at once must not leave none).
  private async lockedUser(tx: Tx, id: string): Promise<{ username: string; role: string; isActive: boolean }> {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('su:users-admins'))`);
    const user = await new UsersRepository(tx).findById(id);
    if (!user) throw new NotFoundException(`no user ${id}`);
    return user;
  }

  private async keepAnAdmin(users: UsersRepository, id: string, field: string): Promise<void> {
    if ((await users.countOtherActiveAdmins(id)) === 0)
      throw fieldError(field, 'this is the last active admin; make another user admin first');
  }
}
