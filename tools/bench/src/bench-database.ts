import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@su/config';
import { Database, migrateDatabase, startEmbeddedServer } from '@su/db';

/** A migrated database for one benchmark: DATABASE_URL's server when set, else a throw-away embedded server. */
export async function benchDatabase(
  name: string,
  portOffset = 0,
): Promise<{ url: string; close: () => Promise<void> }> {
  const config = loadConfig();
  if (config.databaseUrl) {
    const u = new URL(config.databaseUrl);
    u.pathname = `/su_bench_${name}_${process.pid}`;
    const url = u.toString();
    await migrateDatabase(url);
    return {
      url,
      close: async () => {
        const admin = Database.connect({ url: config.databaseUrl!, maxConnections: 1 });
        await admin.pool.query(`DROP DATABASE IF EXISTS "${u.pathname.slice(1)}" WITH (FORCE)`);
        await admin.close();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'su-bench-pg-'));
  const server = await startEmbeddedServer({ dataDir: dir, port: 20000 + ((process.pid + portOffset) % 20000) });
  const url = server.url(`su_bench_${name}`);
  await migrateDatabase(url);
  return {
    url,
    close: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
