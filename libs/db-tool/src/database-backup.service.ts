import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  backupDatabase,
  clearDatabase,
  Database,
  DatabaseStatusRepository,
  defaultMigrationsDir,
  firstNonEmptyTable,
  LOCKFILE_NAME,
  loadBackupData,
  migrateDatabase,
  readBackupHeader,
  type BackupHeader,
  type BackupManifest,
  type BackupResult,
} from '@su/db';
import { JobQueue } from '@su/queue';

/** A restore that would overwrite data without being told to. */
export class RestoreRefusedError extends Error {}

/** `npm run db -- backup <file>`: one consistent gzip file, while the services run. */
export async function backupTo(
  url: string,
  path: string,
  opts: Parameters<typeof backupDatabase>[2] = {},
): Promise<BackupResult & { bytes: number }> {
  const result = await backupDatabase(url, path, opts);
  return { ...result, bytes: statSync(path).size };
}

/** null when the database does not exist yet (the restore creates it). */
async function dataHeldBy(url: string): Promise<string | null> {
  try {
    return await firstNonEmptyTable(url);
  } catch (e) {
    if ((e as { code?: string }).code === '3D000') return null;
    throw e;
  }
}

/** A migrations directory holding exactly the migrations the backup was taken at. */
function migrationsOf(header: BackupHeader, shipped = defaultMigrationsDir()): string {
  const dir = mkdtempSync(join(tmpdir(), 'su-restore-migrations-'));
  for (const name of header.migrations) {
    if (!existsSync(join(shipped, name))) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `the backup was made by a newer release (migration ${name} is unknown here): restore with that release`,
      );
    }
    cpSync(join(shipped, name), join(dir, name), { recursive: true });
  }
  cpSync(join(shipped, LOCKFILE_NAME), join(dir, LOCKFILE_NAME));
  return dir;
}

/** pg-boss creates its schema when it starts; its version must be the one the backup's rows were written by. */
async function createQueueSchema(url: string, header: BackupHeader): Promise<void> {
  if (header.pgbossVersion === null) return;
  const queue = new JobQueue({
    url,
    applicationName: 'su-db-restore',
    listenNotify: false,
    pollingIntervalSeconds: 60,
    supervise: false,
  });
  await queue.start();
  await queue.stop();
  const db = Database.connect({ url, applicationName: 'su-db-restore', maxConnections: 1 });
  try {
    const version = await new DatabaseStatusRepository(db).queueSchemaVersion();
    if (version !== header.pgbossVersion)
      throw new Error(
        `the backup's queue schema is pg-boss version ${header.pgbossVersion}, this release creates ${version}: restore with the release that made the backup`,
      );
  } finally {
    await db.close();
  }
}

export interface RestoreOptions {
  force: boolean;
  log?: (line: string) => void;
}

/**
 * `npm run db -- restore <file>`: rebuilds the schema at the backup's migrations and pg-boss version and loads its
 * rows. A database holding data is refused unless `force` (everything in it is replaced). Newer migrations of this
 * release are applied by the services when they start.
 */
export async function restoreFrom(url: string, path: string, opts: RestoreOptions): Promise<BackupManifest> {
  const log = opts.log ?? (() => undefined);
  const header = await readBackupHeader(path);
  const holder = await dataHeldBy(url);
  if (holder && !opts.force)
    throw new RestoreRefusedError(
      `the database holds data (table ${holder} has rows); a restore replaces all of it: stop the services and run again with --force`,
    );
  await clearDatabase(url).catch(ignoreMissing);
  const dir = migrationsOf(header);
  try {
    await migrateDatabase(url, { migrationsDir: dir, log });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await createQueueSchema(url, header);
  const manifest = await loadBackupData(url, path);
  log(
    `restored ${manifest.tables.length} tables (${manifest.tables.reduce((n, t) => n + t.rows, 0)} rows) from ${header.createdAt}`,
  );
  return manifest;
}

function ignoreMissing(e: unknown): void {
  if ((e as { code?: string }).code !== '3D000') throw e;
}
