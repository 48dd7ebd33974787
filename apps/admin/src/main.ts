import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resetPasswordOffline, UnknownUserError } from '@su/auth';
import { ConfigError, loadConfig, type AppConfig } from '@su/config';
import { Database, migrateDatabase, startEmbeddedServer, type EmbeddedServer } from '@su/db';

/**
 * Administration commands that work with the product stopped (`npm run admin:reset-password -- --username admin`).
 * They open the database the product uses: DATABASE_URL, or the embedded PostgreSQL in SU_DATA_DIR (started here
 * for the command and stopped after it; refused while the product runs on it).
 */
const USAGE = `usage: admin reset-password [--username <name>] [--clear-totp]
  Sets a new generated password for the user (printed once; it must be changed at the next login), ends the
  user's sessions, reactivates the user, and with --clear-totp removes their second factor.
  Database: DATABASE_URL, else the embedded PostgreSQL in SU_DATA_DIR (default ./data) with the product stopped.`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const fail = (message: string, code: number): never => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};

function parse(): { username: string | undefined; clearTotp: boolean } {
  try {
    const { values, positionals } = parseArgs({
      options: {
        username: { type: 'string' },
        'clear-totp': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      allowPositionals: true,
    });
    if (values.help) {
      out(USAGE);
      process.exit(0);
    }
    if (positionals.length !== 1 || positionals[0] !== 'reset-password') fail(USAGE, 2);
    return { username: values.username, clearTotp: values['clear-totp'] };
  } catch (e) {
    return fail(`${(e as Error).message}\n${USAGE}`, 2);
  }
}

async function openDatabase(config: AppConfig): Promise<{ url: string; embedded?: EmbeddedServer }> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  // Starting the embedded server on an empty directory would create a database only to find no user in it.
  if (!existsSync(join(config.dataDir, 'pg', 'PG_VERSION')))
    fail(
      `no embedded database in ${config.dataDir} (set SU_DATA_DIR to the product's data directory, or DATABASE_URL)`,
      1,
    );
  const embedded = await startEmbeddedServer({ dataDir: config.dataDir, port: config.embeddedPgPort });
  return { url: embedded.url('system_update'), embedded };
}

async function main(): Promise<void> {
  const args = parse();
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (e) {
    return fail(e instanceof ConfigError ? e.message : String(e), 2);
  }
  const username = args.username ?? config.adminUsername;
  const { url, embedded } = await openDatabase(config);
  const db = Database.connect({ url, applicationName: 'su-admin', maxConnections: 2 });
  try {
    // An older data directory may predate the columns this command writes.
    await migrateDatabase(url, { log: () => undefined });
    const { password, sessionsEnded } = await resetPasswordOffline(db, { username, clearTotp: args.clearTotp });
    out(
      `Password of "${username}" reset; ${sessionsEnded} session(s) ended${args.clearTotp ? '; second factor removed' : ''}.`,
    );
    out(`  new password: ${password}`);
    out('  It must be changed at the next login and is not shown again.');
  } catch (e) {
    process.exitCode = e instanceof UnknownUserError ? 1 : 3;
    process.stderr.write(`reset failed: ${(e as Error).message}\n`);
  } finally {
    await db.close();
    await embedded?.stop();
  }
}

await main().catch((e: Error) => fail(`admin: ${e.message}`, 3));
