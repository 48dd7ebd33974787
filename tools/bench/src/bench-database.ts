import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@su/config';
import { Database, migrateDatabase, startEmbeddedServer } from '@su/db';

/**
 * A port nothing listens on now, chosen by the kernel. A port derived from the pid could be the one another of the
 * bench's databases holds (`scale` runs the scale-pass section, with a database of its own, while its own is open)
 * or a client's ephemeral port ("Address already in use").
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A migrated database for one benchmark: DATABASE_URL's server when set, else a throw-away embedded server. */
export async function benchDatabase(name: string): Promise<{ url: string; close: () => Promise<void> }> {
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
  const server = await startEmbeddedServer({ dataDir: dir, port: await freePort() });
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
