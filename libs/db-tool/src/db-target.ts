import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '@su/config';
import { runningEmbeddedUrl, startEmbeddedServer } from '@su/db';

/** The database a command works on, and how to let go of it afterwards. */
export interface DbTarget {
  url: string;
  /** For the operator: which database this is (never the password). */
  describe: string;
  release: () => Promise<void>;
}

/**
 * DATABASE_URL when set; else the embedded PostgreSQL of SU_DATA_DIR: the running one when the product is up (a
 * backup while services run), or one started for the command and stopped after it.
 */
export async function openDbTarget(config: AppConfig, opts: { create?: boolean } = {}): Promise<DbTarget> {
  if (config.databaseUrl) {
    const u = new URL(config.databaseUrl);
    return {
      url: config.databaseUrl,
      describe: `DATABASE_URL (${u.host}${u.pathname})`,
      release: async () => undefined,
    };
  }
  const running = runningEmbeddedUrl(config.dataDir, config.embeddedPgPort);
  if (running)
    return {
      url: running,
      describe: `embedded PostgreSQL of ${config.dataDir} (running, port ${config.embeddedPgPort})`,
      release: async () => undefined,
    };
  if (!opts.create && !existsSync(join(config.dataDir, 'pg', 'PG_VERSION')))
    throw new Error(
      `no embedded database in ${config.dataDir} (set SU_DATA_DIR to the product's data directory, or DATABASE_URL)`,
    );
  const server = await startEmbeddedServer({ dataDir: config.dataDir, port: config.embeddedPgPort });
  return {
    url: server.url('system_update'),
    describe: `embedded PostgreSQL of ${config.dataDir} (started for this command)`,
    release: () => server.stop(),
  };
}
