import { Inject, Injectable } from '@nestjs/common';
import { Database, MachineEventsRepository, UsersRepository, type UserRecord } from '@su/db';
import { hashPassword, verifyPassword } from '@su/security';
import { AuthService } from './auth.service.ts';
import { LoginThrottleService } from './login-throttle.service.ts';
import type { Principal } from './principal.ts';
import { TotpService } from './totp.service.ts';

export interface LoginAttempt {
  username: string;
  password: string;
  totpCode?: string | undefined;
  /** The client address (socket, or X-Forwarded-For behind a trusted proxy). */
  address: string;
}

export type LoginOutcome =
  | { kind: 'ok'; token: string; expiresAt: Date; principal: Principal }
  /** Wrong username or password: the caller must not say which. */
  | { kind: 'refused' }
  | { kind: 'totp_required' }
  | { kind: 'totp_invalid' }
  | { kind: 'throttled'; retryAfterSeconds: number };

type FailureReason = 'unknown_user' | 'wrong_password' | 'totp_required' | 'totp_invalid';

// Verifying against a real hash when the user does not exist keeps the timing of "no such user" and "wrong
// password" alike, so login does not reveal which usernames exist.
let dummyHash: Promise<string> | undefined;

/** Login: throttling, password, second factor, session, and a record of every outcome (never the password). */
@Injectable()
export class LoginService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(LoginThrottleService) private readonly throttle: LoginThrottleService,
    @Inject(TotpService) private readonly totp: TotpService,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  async login(a: LoginAttempt): Promise<LoginOutcome> {
    const admission = await this.throttle.admit(a.username, a.address);
    if (!admission.admitted) return { kind: 'throttled', retryAfterSeconds: admission.retryAfterSeconds };
    const { user, failure } = await this.verify(a);
    if (failure || !user) {
      await this.recordFailure(a, user, failure ?? 'unknown_user', admission.blocked);
      return failure === 'totp_required' || failure === 'totp_invalid' ? { kind: failure } : { kind: 'refused' };
    }
    await this.throttle.succeeded(a.username, a.address);
    return this.openSession(user, a.address);
  }

  /** The user and, when the attempt must be refused, why. */
  private async verify(a: LoginAttempt): Promise<{ user: UserRecord | null; failure: FailureReason | null }> {
    const user = await new UsersRepository(this.db.prisma).findByUsername(a.username);
    if (!user || !user.isActive) {
      dummyHash ??= hashPassword('not-a-password');
      await verifyPassword(a.password, await dummyHash);
      return { user: null, failure: 'unknown_user' };
    }
    if (!(await verifyPassword(a.password, user.passwordHash))) return { user, failure: 'wrong_password' };
    const second = await this.totp.check(user, a.totpCode);
    if (second === 'required') return { user, failure: 'totp_required' };
    return { user, failure: second === 'invalid' ? 'totp_invalid' : null };
  }

  private async openSession(user: UserRecord, address: string): Promise<LoginOutcome> {
    const session = await this.auth.openSession(user, {
      eventType: 'auth.login_succeeded',
      message: `"${user.username}" logged in from ${address}`,
      payload: { address },
    });
    return { kind: 'ok', ...session };
  }

  // An unknown username is not written down: it may be a password typed into the wrong field. An inactive user
  // counts as unknown here too, as it does in the answer.
  private async recordFailure(
    a: LoginAttempt,
    user: UserRecord | null,
    reason: FailureReason,
    blocked: string[],
  ): Promise<void> {
    const known = user?.isActive ? user : null;
    const events = new MachineEventsRepository(this.db.prisma);
    await events.insert({
      machineId: null,
      eventType: 'auth.login_failed',
      severity: 'warning',
      actor: { type: 'system', id: 'login' },
      message: `login failed (${reason.replace('_', ' ')}) for ${known ? `"${known.username}"` : 'an unknown username'} from ${a.address}`,
      payload: { userId: known?.id ?? null, address: a.address, reason },
    });
    if (!blocked.length) return;
    await events.insert({
      machineId: null,
      eventType: 'auth.login_throttled',
      severity: 'warning',
      actor: { type: 'system', id: 'login' },
      message: `logins throttled (${blocked.join(', ')}) after repeated failures from ${a.address}`,
      payload: { userId: known?.id ?? null, address: a.address, keys: blocked },
    });
  }
}
