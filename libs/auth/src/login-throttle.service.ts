import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import { Database, LoginThrottlesRepository, type LoginThrottleRow } from '@su/db';
import { APP_CONFIG } from '@su/platform';
import { TooManyAttemptsException } from './too-many-attempts.ts';
import { blockSeconds, throttleRules, type ThrottleRule, type ThrottleRules } from './login-throttle.policy.ts';

type KeyKind = keyof ThrottleRules;

export type Admission =
  | { admitted: true; /** Keys this attempt put under a block (recorded by the caller). */ blocked: KeyKind[] }
  | { admitted: false; retryAfterSeconds: number };

// The attempted username is hashed into the key: a password typed into the username field must not be stored.
function keyHash(kind: KeyKind, username: string, address: string): string {
  const user = username.trim().toLowerCase();
  const subject = kind === 'pair' ? `${user}|${address}` : kind === 'account' ? user : address;
  return createHash('sha256').update(`${kind}:${subject}`, 'utf8').digest('hex');
}

/**
 * Login throttling with growing delays (docs/adr/0015). Every attempt is counted as a failure *before* the password
 * is checked, under a row lock, so concurrent guesses are throttled like sequential ones; a right password then
 * takes its count back. A blocked attempt is refused without being counted and without a password check.
 */
@Injectable()
export class LoginThrottleService {
  private readonly rules: ThrottleRules;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.rules = throttleRules(config.login);
  }

  async admit(username: string, address: string, now = new Date()): Promise<Admission> {
    const keys = this.keysOf(username, address);
    return this.db.transaction(async (tx) => {
      const repo = new LoginThrottlesRepository(tx);
      const rows = await repo.lockKeys(keys.map((k) => k.hash));
      const blockedUntil = Math.max(0, ...rows.map((r) => r.blockedUntil?.getTime() ?? 0));
      if (blockedUntil > now.getTime()) {
        return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((blockedUntil - now.getTime()) / 1000)) };
      }
      const blocked: KeyKind[] = [];
      for (const key of keys) {
        // lockKeys created every missing row; the fallback only keeps the types honest.
        const row = rows.find((r) => r.keyHash === key.hash) ?? {
          keyHash: key.hash,
          failures: 0,
          lastFailureAt: now,
          blockedUntil: null,
        };
        const next = this.counted(row, key.rule, now);
        if (next.blockedUntil) blocked.push(key.kind);
        await repo.save(next);
      }
      return { admitted: true, blocked };
    });
  }

  /** A right password: the pair starts over; the account and address take back this attempt's count. */
  async succeeded(username: string, address: string): Promise<void> {
    const keys = this.keysOf(username, address);
    await this.db.transaction(async (tx) => {
      const repo = new LoginThrottlesRepository(tx);
      for (const key of keys) {
        if (key.kind === 'pair') await repo.remove(key.hash);
        else await repo.forgiveOne(key.hash);
      }
      // Housekeeping on the success path keeps the table small without a job of its own.
      await repo.deleteStale(new Date(Date.now() - this.config.login.resetMinutes * 60_000));
    });
  }

  /**
   * A password asked again of a logged-in user (change password, second factor): throttled like a login, so a
   * stolen session cannot guess the password at hashing speed. Throws 429 while blocked.
   */
  async recheck(username: string, address: string, check: () => Promise<boolean>): Promise<boolean> {
    const admission = await this.admit(username, address);
    if (!admission.admitted) throw new TooManyAttemptsException(admission.retryAfterSeconds, 'wrong passwords');
    const ok = await check();
    if (ok) await this.succeeded(username, address);
    return ok;
  }

  private keysOf(username: string, address: string): { kind: KeyKind; hash: string; rule: ThrottleRule }[] {
    return (['pair', 'account', 'address'] as const).map((kind) => ({
      kind,
      hash: keyHash(kind, username, address),
      rule: this.rules[kind],
    }));
  }

  /** The row after one more failure; counters with no failure for the reset period start over. */
  private counted(row: LoginThrottleRow, rule: ThrottleRule, now: Date): LoginThrottleRow {
    const stale = now.getTime() - row.lastFailureAt.getTime() > this.config.login.resetMinutes * 60_000;
    const failures = (stale ? 0 : row.failures) + 1;
    const seconds = blockSeconds(failures, rule);
    return {
      keyHash: row.keyHash,
      failures,
      lastFailureAt: now,
      blockedUntil: seconds > 0 ? new Date(now.getTime() + seconds * 1000) : null,
    };
  }
}
