import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { testEnv } from '@su/config';
import { Database, migrateDatabase, startEmbeddedServer, type EmbeddedServer } from '@su/db';
import { withDatabase } from './test-database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A URL on the test server; tests replace the database name. */
    pgServerUrl: string;
    /** The migrated template each test database is copied from. */
    pgTemplateDb: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Once per test run: a real PostgreSQL (DATABASE_URL when given, else an embedded server in a fresh temp dir) and a template database migrated from prisma/migrations. Each test file
 * then copies the template (CREATE DATABASE ... TEMPLATE), which takes milliseconds.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let server: EmbeddedServer | undefined;
  let dataDir: string | undefined;
  let base = testEnv('DATABASE_URL');
  if (!base) {
    const port = Number(testEnv('SU_TEST_PG_PORT') ?? (await freePort()));
    // A data directory of this run's own, so concurrent runs (a developer's and CI's) never share a server.
    dataDir = mkdtempSync(join(tmpdir(), 'su-test-pg-'));
    server = await startEmbeddedServer({ dataDir, port });
    base = server.url('postgres');
  }
  const admin = Database.connect({ url: withDatabase(base, 'postgres'), maxConnections: 1 });
  // Named per run: on a shared server (DATABASE_URL) two runs must not use or drop each other's databases.
  const template = `su_test_tpl_${randomBytes(4).toString('hex')}`;
  await admin.pool.query(`CREATE DATABASE "${template}"`);
  await migrateDatabase(withDatabase(base, template));
  project.provide('pgServerUrl', base);
  project.provide('pgTemplateDb', template);
  return async () => {
    await admin.pool.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`).catch(() => undefined);
    await admin.pool.end();
    await server?.stop();
    if (dataDir && !testEnv('SU_TEST_KEEP_DB')) rmSync(dataDir, { recursive: true, force: true });
  };
}
