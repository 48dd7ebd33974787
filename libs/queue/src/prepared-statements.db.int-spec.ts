import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { PreparedStatementsDb } from './prepared-statements.db.ts';

let tdb: TestDatabase;
let db: PreparedStatementsDb;

/**
 * The statements prepared in the pool's one session (pg_prepared_statements is per session); asked with a signal, so
 * that this statement itself is never prepared.
 */
async function prepared(): Promise<string[]> {
  const sql = `SELECT name FROM pg_prepared_statements WHERE name LIKE 'pgboss_%' ORDER BY name`;
  const r = await db.executeSql(sql, [], { signal: new AbortController().signal });
  return r.rows.map((x: { name: string }) => x.name);
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  // One connection: every statement of the test runs in the same session.
  db = new PreparedStatementsDb({ connectionString: tdb.url, max: 1 });
  await db.open();
});

afterAll(async () => {
  await db.close();
  await tdb.drop();
});

describe('pg-boss database with prepared statements', () => {
  it('prepares a statement from its second use on, under a name of its text, with the same answers', async () => {
    const text = 'SELECT $1::int + 1 AS n';
    expect((await db.executeSql(text, [1])).rows).toEqual([{ n: 2 }]);
    expect(await prepared()).toEqual([]);
    expect((await db.executeSql(text, [2])).rows).toEqual([{ n: 3 }]);
    expect((await db.executeSql(text, [41])).rows).toEqual([{ n: 42 }]);
    const names = await prepared();
    expect(names).toHaveLength(1);
    // Another text is another name; a statement bound to a signal stays unnamed.
    const other = 'SELECT $1::text AS s';
    for (const s of ['a', 'b']) expect((await db.executeSql(other, [s])).rows).toEqual([{ s }]);
    const signal = new AbortController().signal;
    for (let i = 0; i < 3; i++) await db.executeSql('SELECT $1::int AS z', [i], { signal });
    expect(await prepared()).toHaveLength(2);
  });
});
