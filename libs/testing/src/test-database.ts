import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { Database } from '@su/db';

export interface TestDatabase {
  url: string;
  name: string;
  /** Runs SQL on the test database (for assertions on stored rows). */
  // Tests read rows of any query they write; each states the columns it asserts on.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query: <R = any>(sql: string, params?: unknown[]) => Promise<R[]>;
  drop: () => Promise<void>;
}

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Runs one statement on the server's maintenance database (CREATE/DROP DATABASE cannot run in a transaction). */
export async function adminQuery(sql: string): Promise<void> {
  const admin = Database.connect({ url: withDatabase(inject('pgServerUrl'), 'postgres'), maxConnections: 1 });
  try {
    await admin.pool.query(sql);
  } finally {
    await admin.pool.end();
  }
}

/**
 * A fresh database for one test file: a copy of the migrated template (made once per run by the global setup), or
 * an empty one for migration tests.
 */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `su_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE "${name}"${opts.empty ? '' : ` TEMPLATE "${inject('pgTemplateDb')}"`}`);
  const url = withDatabase(inject('pgServerUrl'), name);
  const db = Database.connect({ url, maxConnections: 2 });
  return {
    url,
    name,
    query: async (sql, params) => (await db.pool.query(sql, params as unknown[])).rows,
    drop: async () => {
      await db.pool.end();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
