import type { DbClient } from '../database.ts';

export interface LoginThrottleRow {
  keyHash: string;
  failures: number;
  lastFailureAt: Date;
  blockedUntil: Date | null;
}

/** Failure counters of login throttling keys (hashed). Call `lockKeys` inside a transaction. */
export class LoginThrottlesRepository {
  constructor(private readonly db: DbClient) {}

  /**
   * Creates missing rows, then locks all of them in key order (one order for every caller, so two logins sharing
   * keys cannot deadlock) until the transaction ends: concurrent attempts on a key are counted one after another.
   */
  async lockKeys(keyHashes: string[]): Promise<LoginThrottleRow[]> {
    const sorted = [...keyHashes].sort();
    await this.db.$executeRawUnsafe(
      `INSERT INTO login_throttles (key_hash, failures, last_failure_at)
       SELECT k, 0, now() FROM unnest($1::text[]) AS k ORDER BY k
       ON CONFLICT (key_hash) DO NOTHING`,
      sorted,
    );
    const rows = await this.db.$queryRawUnsafe<
      { key_hash: string; failures: number; last_failure_at: Date; blocked_until: Date | null }[]
    >(
      `SELECT key_hash, failures, last_failure_at, blocked_until FROM login_throttles
       WHERE key_hash = ANY($1::text[]) ORDER BY key_hash FOR UPDATE`,
      sorted,
    );
    return rows.map((r) => ({
      keyHash: r.key_hash,
      failures: r.failures,
      lastFailureAt: r.last_failure_at,
      blockedUntil: r.blocked_until,
    }));
  }

  async save(row: LoginThrottleRow): Promise<void> {
    await this.db.loginThrottle.update({
      where: { keyHash: row.keyHash },
      data: { failures: row.failures, lastFailureAt: row.lastFailureAt, blockedUntil: row.blockedUntil },
    });
  }

  async remove(keyHash: string): Promise<void> {
    await this.db.loginThrottle.deleteMany({ where: { keyHash } });
  }

  /**
   * Takes back one failure counted in advance for an attempt that turned out right, and the block that count may
   * have started (the attempt was admitted, so any earlier block had already run out).
   */
  async forgiveOne(keyHash: string): Promise<void> {
    await this.db.loginThrottle.updateMany({
      where: { keyHash, failures: { gt: 0 } },
      data: { failures: { decrement: 1 }, blockedUntil: null },
    });
  }

  /** Drops keys with no failure since `before` and no block running. */
  async deleteStale(before: Date, now = new Date()): Promise<number> {
    const res = await this.db.loginThrottle.deleteMany({
      where: {
        lastFailureAt: { lt: before },
        OR: [{ blockedUntil: null }, { blockedUntil: { lt: now } }],
      },
    });
    return res.count;
  }
}
