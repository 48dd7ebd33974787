import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type AppConfig } from '@su/config';
import { Database, migrateDatabase } from '@su/db';
import {
  backupTo,
  formatBytes,
  formatDoctorReport,
  formatInfo,
  openDbTarget,
  readDatabaseInfo,
  restoreFrom,
  RestoreRefusedError,
  rotateMasterKey,
  runDoctor,
  vacuumDatabase,
} from '@su/db-tool';
import { parseMasterKey } from '@su/security';

/**
 * `npm run db -- <command>`: the database tool (docs/operations.md). Wiring only; the work is in libs/db-tool.
 * Database: DATABASE_URL, else the embedded PostgreSQL of SU_DATA_DIR (the running one, or started for the command).
 */
const USAGE = `usage: npm run db -- <command>
  info                          versions, size per table, migrations applied, queue depth
  migrate                       apply the migrations this release ships
  backup <file>                 one consistent compressed file (the services may run)
  restore <file> [--force]      rebuild the database from a backup; --force replaces a database holding data
  vacuum                        VACUUM (ANALYZE): reclaim space, refresh the planner's statistics
  check                         the doctor: database, migrations, queue, master key, disk, clock, services
  rotate-key [--new-key-file <file>]
                                re-encrypt every stored secret under a new master key (resumable)`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const die = (message: string, code: number): never => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};

function parse() {
  try {
    return parseArgs({
      options: {
        force: { type: 'boolean', default: false },
        'new-key-file': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      allowPositionals: true,
    });
  } catch (e) {
    return die(`${(e as Error).message}\n${USAGE}`, 2);
  }
}

type Args = ReturnType<typeof parse>;

async function withDb<T>(url: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = Database.connect({ url, applicationName: 'su-db-tool', maxConnections: 2 });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const fileArg = (args: Args): string => args.positionals[1] ?? die(`${args.positionals[0]} needs a file\n${USAGE}`, 2);

async function run(command: string, args: Args, config: AppConfig, url: string): Promise<number> {
  switch (command) {
    case 'info':
      return withDb(url, async (db) => (formatInfo(await readDatabaseInfo(db)).forEach((l) => out(l)), 0));
    case 'migrate': {
      const applied = await migrateDatabase(url, { log: out });
      out(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
      return 0;
    }
    case 'backup': {
      const r = await backupTo(url, fileArg(args));
      const rows = r.manifest.tables.reduce((n, t) => n + t.rows, 0);
      out(
        `backup written: ${fileArg(args)} (${formatBytes(r.bytes)}, ${r.manifest.tables.length} tables, ${rows} rows)`,
      );
      return 0;
    }
    case 'restore':
      await restoreFrom(url, fileArg(args), { force: args.values.force, log: out });
      out('restore done; start the services (they apply any newer migration of this release)');
      return 0;
    case 'vacuum':
      return withDb(url, async (db) => {
        const r = await vacuumDatabase(db);
        out(`VACUUM (ANALYZE) done: ${formatBytes(r.bytesBefore)} before, ${formatBytes(r.bytesAfter)} after`);
        return 0;
      });
    case 'check':
      return withDb(url, async (db) => {
        const report = await runDoctor(db, config);
        formatDoctorReport(report).forEach((l) => out(l));
        return report.healthy ? 0 : 1;
      });
    case 'rotate-key':
      return withDb(url, async (db) => {
        const keyFile = args.values['new-key-file'];
        const newKey = keyFile ? parseMasterKey(readFileSync(keyFile, 'utf8')) : undefined;
        const r = await rotateMasterKey(db, {
          dataDir: config.dataDir,
          masterKeyEnv: config.masterKey,
          ...(newKey ? { newKey } : {}),
          onBatch: (n) => out(`  ${n} secret(s) re-encrypted`),
        });
        out(`every stored secret is under key ${r.newKeyId} (${r.reencrypted} re-encrypted; old key ${r.oldKeyId}).`);
        out(
          r.keyFileSwitched
            ? 'master.key now holds the new key; restart the services.'
            : 'Set SU_MASTER_KEY to the new key and restart the services.',
        );
        return 0;
      });
    default:
      return die(USAGE, 2);
  }
}

async function main(): Promise<void> {
  const args = parse();
  if (args.values.help || args.positionals.length === 0) die(USAGE, args.values.help ? 0 : 2);
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (e) {
    return die(e instanceof ConfigError ? e.message : String(e), 2);
  }
  const [command = ''] = args.positionals;
  const target = await openDbTarget(config, { create: command === 'migrate' || command === 'restore' });
  process.stderr.write(`database: ${target.describe}\n`);
  try {
    process.exitCode = await run(command, args, config, target.url);
  } catch (e) {
    process.exitCode = e instanceof RestoreRefusedError ? 1 : 3;
    process.stderr.write(`${command} failed: ${(e as Error).message}\n`);
  } finally {
    await target.release();
  }
}

await main().catch((e: Error) => die(`db: ${e.message}`, 3));
