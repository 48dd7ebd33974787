import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Actor } from '@su/contracts';
import { Database, MachineEventsRepository, UserSessionsRepository, UsersRepository } from '@su/db';
import { hashPassword, verifyPassword } from '@su/security';
import { fieldError } from './auth-errors.ts';
import { LoginThrottleService } from './login-throttle.service.ts';
import { passwordPolicyViolations } from './password-policy.ts';

/** A user changes their own password: the current one is required, and every other session of theirs ends. */
@Injectable()
export class PasswordChangeService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(LoginThrottleService) private readonly throttle: LoginThrottleService,
  ) {}

  async change(
    input: { userId: string; sessionId: string; currentPassword: string; newPassword: string; address: string },
    actor: Actor,
  ): Promise<{ otherSessionsEnded: number }> {
    const user = await new UsersRepository(this.db.prisma).findById(input.userId);
    if (!user || !user.isActive) throw new UnauthorizedException('the user no longer exists or is deactivated');
    const right = await this.throttle.recheck(user.username, input.address, () =>
      verifyPassword(input.currentPassword, user.passwordHash),
    );
    if (!right) throw fieldError('currentPassword', 'wrong password');
    const violations = passwordPolicyViolations(input.newPassword, user.username);
    if (violations.length) throw fieldError('newPassword', ...violations);
    if (await verifyPassword(input.newPassword, user.passwordHash))
      throw fieldError('newPassword', 'must differ from the current password');
    const hash = await hashPassword(input.newPassword);
    return this.db.transaction(async (tx) => {
      await new UsersRepository(tx).setPassword(user.id, hash, false);
      const ended = await new UserSessionsRepository(tx).revokeAllOfUser(user.id, input.sessionId);
      await new MachineEventsRepository(tx).insert({
        machineId: null,
        eventType: 'user.password_changed',
        actor,
        message: `"${user.username}" changed their password; ${ended} other session(s) ended`,
        payload: { userId: user.id, otherSessionsEnded: ended },
      });
      return { otherSessionsEnded: ended };
    });
  }
}
