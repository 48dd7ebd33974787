import { ConflictException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Secret, TOTP } from 'otpauth';
import type { Actor } from '@su/contracts';
import { Database, MachineEventsRepository, UsersRepository, type Tx, type UserRecord } from '@su/db';
import { SECRET_BINDINGS, SecretBox, verifyPassword } from '@su/security';
import { fieldError } from './auth-errors.ts';
import { LoginThrottleService } from './login-throttle.service.ts';

const ISSUER = 'system-update';
const PERIOD = 30;

/** The TOTP of a secret: RFC 6238 defaults (SHA-1, 6 digits, 30 s), which every authenticator app reads. */
function totpOf(secret: Secret, username: string): TOTP {
  return new TOTP({ issuer: ISSUER, label: username, secret, algorithm: 'SHA1', digits: 6, period: PERIOD });
}

/** The secret box's associated data binds a TOTP ciphertext to its user row. */
const aad = SECRET_BINDINGS.userTotp;

export type TotpCheck = 'ok' | 'required' | 'invalid';

/**
 * Optional second factor. Enrolment stores the secret encrypted with the master key and shows it once; a code
 * confirms it and only then does login require one. Each code's time step is claimed in the database, so a code
 * (or an older one) is accepted once.
 */
@Injectable()
export class TotpService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(SecretBox) private readonly box: SecretBox,
    @Inject(LoginThrottleService) private readonly throttle: LoginThrottleService,
  ) {}

  /** Starts enrolment (password required, so a stolen session cannot tie the account to the thief's phone). */
  async enroll(userId: string, password: string, address: string): Promise<{ secret: string; otpauthUri: string }> {
    const user = await this.userWithPassword(userId, password, address);
    if (user.totpEnabledAt) throw new ConflictException('a second factor is already enabled; disable it first');
    const secret = new Secret({ size: 20 });
    await new UsersRepository(this.db.prisma).setPendingTotp(user.id, this.box.encrypt(secret.base32, aad(user.id)));
    return { secret: secret.base32, otpauthUri: totpOf(secret, user.username).toString() };
  }

  /** Confirms enrolment with a code from the app; from now on login needs a code. */
  async confirm(userId: string, code: string, actor: Actor): Promise<void> {
    const user = await this.user(userId);
    if (user.totpEnabledAt) throw new ConflictException('the second factor is already enabled');
    if (!user.totpSecretEnc) throw new ConflictException('no enrolment to confirm; start one with POST /auth/totp');
    const step = this.matchingStep(user, code);
    if (step === null) throw fieldError('code', 'wrong or expired code');
    await this.db.transaction(async (tx) => {
      await new UsersRepository(tx).enableTotp(user.id, step);
      await this.audit(tx, 'user.totp_enabled', user, actor, `second factor enabled for "${user.username}"`);
    });
  }

  async disable(userId: string, password: string, code: string, address: string, actor: Actor): Promise<void> {
    const user = await this.userWithPassword(userId, password, address);
    if (!user.totpEnabledAt) throw new ConflictException('no second factor is enabled');
    if ((await this.check(user, code)) !== 'ok') throw fieldError('code', 'wrong, expired or already used code');
    await this.db.transaction(async (tx) => {
      await new UsersRepository(tx).clearTotp(user.id);
      await this.audit(tx, 'user.totp_disabled', user, actor, `second factor disabled for "${user.username}"`);
    });
  }

  /** Login's check: `required` when the user has a factor and no code came, `invalid` for a wrong or used code. */
  async check(user: UserRecord, code: string | undefined): Promise<TotpCheck> {
    if (!user.totpEnabledAt) return 'ok';
    if (!code) return 'required';
    const step = this.matchingStep(user, code);
    if (step === null) return 'invalid';
    return (await new UsersRepository(this.db.prisma).claimTotpStep(user.id, step)) ? 'ok' : 'invalid';
  }

  /** The time step `code` belongs to (one step of clock drift either way), or null when it matches none. */
  private matchingStep(user: UserRecord, code: string, now = Date.now()): bigint | null {
    if (!user.totpSecretEnc) return null;
    const secret = Secret.fromBase32(this.box.decrypt(user.totpSecretEnc, aad(user.id)));
    const delta = totpOf(secret, user.username).validate({ token: code, timestamp: now, window: 1 });
    return delta === null ? null : BigInt(TOTP.counter({ period: PERIOD, timestamp: now }) + delta);
  }

  private async user(userId: string): Promise<UserRecord> {
    const user = await new UsersRepository(this.db.prisma).findById(userId);
    if (!user || !user.isActive) throw new UnauthorizedException('the user no longer exists or is deactivated');
    return user;
  }

  private async userWithPassword(userId: string, password: string, address: string): Promise<UserRecord> {
    const user = await this.user(userId);
    const right = await this.throttle.recheck(user.username, address, () =>
      verifyPassword(password, user.passwordHash),
    );
    if (!right) throw fieldError('password', 'wrong password');
    return user;
  }

  private audit(tx: Tx, type: string, user: UserRecord, actor: Actor, message: string): Promise<void> {
    return new MachineEventsRepository(tx).insert({
      machineId: null,
      eventType: type,
      actor,
      message,
      payload: { userId: user.id },
    });
  }
}
