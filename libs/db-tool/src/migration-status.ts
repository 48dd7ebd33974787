import { DatabaseStatusRepository, defaultMigrationsDir, readMigrationsList, type Database } from '@su/db';

export interface MigrationStatus {
  /** null: the database was never migrated. */
  applied: string[] | null;
  /** Shipped with this release, not applied. */
  pending: string[];
  /** Started and never finished (a failed migration blocks every later one). */
  failed: string[];
  /** Applied but not shipped with this release: the database was used by a newer release. */
  unknown: string[];
}

/** Applied migrations of the database compared with the ones this release ships. */
export async function migrationStatus(db: Database, migrationsDir = defaultMigrationsDir()): Promise<MigrationStatus> {
  const shipped = (await readMigrationsList(migrationsDir)).migrationDirectories.map((d) => d.path);
  const rows = await new DatabaseStatusRepository(db).appliedMigrations();
  if (rows === null) return { applied: null, pending: shipped, failed: [], unknown: [] };
  const done = rows.filter((r) => r.finishedAt && !r.rolledBackAt).map((r) => r.name);
  const doneSet = new Set(done);
  return {
    applied: done,
    pending: shipped.filter((n) => !doneSet.has(n)),
    failed: rows.filter((r) => !r.finishedAt && !r.rolledBackAt).map((r) => r.name),
    unknown: done.filter((n) => !shipped.includes(n)),
  };
}
