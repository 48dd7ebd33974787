import pg from 'pg';
import { defaultMigrationsDir } from './migrations-dir.ts';
import { migrationChecksum, NO_FILTER, openEngine, readMigrationsList, type MigrationsList } from './schema-engine.ts';

/** Our own lock (not 72707369, which the schema engine takes itself inside the run). */
export const MIGRATE_LOCK_KEY = 72707370;

/** Creates the database named in `url` when it does not exist, as `prisma migrate deploy` does. */
async function ensureDatabase(url: string): Promise<boolean> {
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return false;
  } catch (e) {
    if ((e as { code?: string }).code !== '3D000') throw e;
  } finally {
    await probe.end().catch(() => undefined);
  }
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1));
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
    return true;
  } catch (e) {
    // A concurrent start created it first (duplicate_database, or unique_violation when both raced the check).
    const code = (e as { code?: string }).code;
    if (code === '42P04' || code === '23505') return false;
    throw e;
  } finally {
    await admin.end();
  }
}

/**
 * True when the database already holds every migration of the list, finished, with the same checksum, and nothing
 * else (no failed or unknown one): the schema engine would apply nothing and report nothing. Anything else goes to
 * the engine, which applies, refuses or warns exactly as before.
 */
async function upToDate(client: pg.Client, list: MigrationsList): Promise<boolean> {
  const table = await client.query<{ t: string | null }>(`SELECT to_regclass('_prisma_migrations')::text AS t`);
  if (!table.rows[0]?.t) return false;
  const rows = await client.query<{ name: string; checksum: string; done: boolean }>(
    `SELECT migration_name AS name, checksum, finished_at IS NOT NULL AND rolled_back_at IS NULL AS done
       FROM _prisma_migrations WHERE rolled_back_at IS NULL`,
  );
  const stored = new Map(rows.rows.map((r) => [r.name, r]));
  if (stored.size !== rows.rows.length || stored.size !== list.migrationDirectories.length) return false;
  return list.migrationDirectories.every((d) => {
    const row = stored.get(d.path);
    const c = d.migrationFile.content;
    return row?.done === true && c.tag === 'ok' && row.checksum === migrationChecksum(c.value);
  });
}

export interface MigrateOptions {
  migrationsDir?: string;
  log?: (line: string) => void;
}

/**
 * Applies pending migrations, like `prisma migrate deploy` (same _prisma_migrations rows and checksums). Several
 * services starting together are serialised by an advisory lock held on a connection of our own for the whole run.
 * Returns the names of the migrations applied by this call.
 */
export async function migrateDatabase(url: string, opts: MigrateOptions = {}): Promise<string[]> {
  const log = opts.log ?? (() => undefined);
  if (await ensureDatabase(url)) log(`created database ${new URL(url).pathname.slice(1)}`);
  const lock = new pg.Client({ connectionString: url, application_name: 'su-migrate-lock' });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK_KEY]);
    const migrationsList = await readMigrationsList(opts.migrationsDir ?? defaultMigrationsDir());
    if (migrationsList.migrationDirectories.length === 0) throw new Error(`no migrations in ${migrationsList.baseDir}`);
    // The usual start of a service (the launcher or another service migrated first): no engine loaded (ADR 0050).
    if (await upToDate(lock, migrationsList)) return [];
    const { run, close } = await openEngine(url);
    try {
      const { appliedMigrationNames } = await run<{ appliedMigrationNames: string[] }>('applyMigrations', {
        migrationsList,
        filters: NO_FILTER,
      });
      // Same report as `prisma migrate status`: an applied migration edited afterwards is a deployment error.
      const d = await run<{ editedMigrationNames: string[] }>('diagnoseMigrationHistory', {
        migrationsList,
        optInToShadowDatabase: false,
        filters: NO_FILTER,
      });
      if (d.editedMigrationNames.length)
        log(`WARNING: migrations edited after they were applied: ${d.editedMigrationNames.join(', ')}`);
      return appliedMigrationNames;
    } finally {
      await close();
    }
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK_KEY]).catch(() => undefined);
    await lock.end();
  }
}
