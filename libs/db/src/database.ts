import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlExecutor } from '@su/contracts';
import { PrismaClient, type Prisma } from './generated/prisma/client.ts';

export type Tx = Prisma.TransactionClient;
export type DbClient = PrismaClient | Tx;

export interface DatabaseOptions {
  url: string;
  /** Shown in pg_stat_activity, so a person can tell which service holds a connection. */
  applicationName?: string;
  maxConnections?: number;
}

/**
 * One PostgreSQL pool per process, shared by Prisma (through the pg driver adapter) and by the few raw statements
 * that need a connection of their own (advisory locks, LISTEN).
 */
export class Database {
  readonly prisma: PrismaClient;
  readonly pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.pool = pool;
    this.prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  }

  static connect(opts: DatabaseOptions): Database {
    const pool = new pg.Pool({
      connectionString: opts.url,
      application_name: opts.applicationName ?? 'system-update',
      max: opts.maxConnections ?? 10,
    });
    // An idle client losing its server (restart) must not crash the process; the pool replaces it.
    pool.on('error', () => undefined);
    return new Database(pool);
  }

  /** Runs `fn` in one transaction; everything written through `tx` (and `sqlExecutor(tx)`) commits together. */
  transaction<T>(fn: (tx: Tx) => Promise<T>, opts?: { timeoutMs?: number }): Promise<T> {
    return this.prisma.$transaction(fn, { timeout: opts?.timeoutMs ?? 15_000, maxWait: 10_000 });
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.prisma.$disconnect();
    await this.pool.end();
  }
}

/**
 * Lets another library (pg-boss) run its statements inside a Prisma transaction. pg-boss passes JSON payloads as
 * strings with explicit casts, so Prisma's raw parameter handling sends them unchanged.
 */
export function sqlExecutor(tx: DbClient): SqlExecutor {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const rows = await tx.$queryRawUnsafe<unknown[]>(text, ...values);
      return { rows };
    },
  };
}
