import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { compareCatalogs, executeScript, readCatalog } from './catalog.ts';
import { migrateDatabase } from './migrate.ts';
import { defaultMigrationsDir, findPrismaDir } from './migrations-dir.ts';
import {
  diffSchemas,
  EMPTY_TARGET,
  LOCKFILE_CONTENT,
  LOCKFILE_NAME,
  migrationChecksum,
  readMigrationsList,
  schemaTarget,
  SNAPSHOT_NAME,
} from './schema-engine.ts';

const dbs: TestDatabase[] = [];
async function emptyDb(): Promise<TestDatabase> {
  const db = await createTestDatabase({ empty: true });
  dbs.push(db);
  return db;
}
afterAll(async () => {
  await Promise.all(dbs.map((d) => d.drop()));
});

describe('migrations', () => {
  it('have no drift from schema.prisma: the database they build equals the one schema.prisma describes', async () => {
    const fromMigrations = await emptyDb();
    const fromSchema = await emptyDb();
    await migrateDatabase(fromMigrations.url);
    const schema = await readFile(join(findPrismaDir(), 'schema.prisma'), 'utf8');
    const sql = await diffSchemas(EMPTY_TARGET, schemaTarget(schema));
    expect(sql).toBeTruthy();
    await executeScript(fromSchema.url, sql!);
    const diffs = compareCatalogs(await readCatalog(fromMigrations.url), await readCatalog(fromSchema.url), [
      'migrations',
      'schema.prisma',
    ]);
    // On failure this lists each table/column/index that differs: run `npm run db:diff -- --name <what>`.
    expect(diffs).toEqual([]);
  });

  it('have a snapshot (schema.prisma.last) equal to schema.prisma, so db:diff starts from the right place', async () => {
    const dir = defaultMigrationsDir();
    const [schema, last] = await Promise.all([
      readFile(join(findPrismaDir(), 'schema.prisma'), 'utf8'),
      readFile(join(dir, SNAPSHOT_NAME), 'utf8'),
    ]);
    expect(await diffSchemas(schemaTarget(last, SNAPSHOT_NAME), schemaTarget(schema))).toBeNull();
  });

  it('fill _prisma_migrations like prisma migrate deploy (name, sha256 checksum, finished) and are idempotent', async () => {
    const db = await emptyDb();
    const applied = await migrateDatabase(db.url);
    const list = await readMigrationsList(defaultMigrationsDir());
    expect(applied).toEqual(list.migrationDirectories.map((d) => d.path));
    const rows = await db.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
    }>('SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(applied);
    for (const [i, r] of rows.entries()) {
      expect(r.checksum).toBe(migrationChecksum(list.migrationDirectories[i]!.migrationFile.content.value));
      expect(r.finished_at).not.toBeNull();
      expect(r.rolled_back_at).toBeNull();
    }
    expect(await migrateDatabase(db.url)).toEqual([]);
  });

  it('are safe when several services start together (advisory lock): applied exactly once', async () => {
    const db = await emptyDb();
    const results = await Promise.all([1, 2, 3, 4].map(() => migrateDatabase(db.url)));
    expect(results.flat().length).toBe((await readMigrationsList(defaultMigrationsDir())).migrationDirectories.length);
    const rows = await db.query<{ count: string }>('SELECT count(*) FROM _prisma_migrations');
    expect(Number(rows[0]!.count)).toBe(results.flat().length);
  });

  it('detect drift: a schema.prisma edited without a migration differs from what the migrations build', async () => {
    const fromMigrations = await emptyDb();
    const edited = await emptyDb();
    await migrateDatabase(fromMigrations.url);
    const schema = await readFile(join(findPrismaDir(), 'schema.prisma'), 'utf8');
    // The edit a developer might make and forget to migrate: a new column and a new index.
    const changed = schema.replace(
      '  notes           String?\n',
      '  notes           String?\n  rackSlot        Int? @map("rack_slot")\n\n  @@index([name])\n',
    );
    expect(changed).not.toBe(schema);
    await executeScript(edited.url, (await diffSchemas(EMPTY_TARGET, schemaTarget(changed)))!);
    const diffs = compareCatalogs(await readCatalog(fromMigrations.url), await readCatalog(edited.url), [
      'migrations',
      'schema.prisma',
    ]);
    expect(diffs).toContain('columns: machines.rack_slot only in schema.prisma: integer NULL');
    expect(diffs.some((d) => d.startsWith('indexes: machines.machines_name_idx only in schema.prisma'))).toBe(true);
  });

  it('still go to the schema engine when a database is not exactly up to date: an edited migration is reported', async () => {
    // An up-to-date database is checked with one query and no engine (ADR 0050); anything else must behave as before.
    const db = await emptyDb();
    const dir = await mkdtemp(join(tmpdir(), 'su-mig-'));
    await writeFile(join(dir, LOCKFILE_NAME), LOCKFILE_CONTENT);
    await mkdir(join(dir, '20260101000000_one'));
    await writeFile(join(dir, '20260101000000_one', 'migration.sql'), 'CREATE TABLE one (v text);\n');
    expect(await migrateDatabase(db.url, { migrationsDir: dir })).toEqual(['20260101000000_one']);
    const quiet: string[] = [];
    expect(await migrateDatabase(db.url, { migrationsDir: dir, log: (l) => quiet.push(l) })).toEqual([]);
    expect(quiet).toEqual([]);
    await writeFile(join(dir, '20260101000000_one', 'migration.sql'), 'CREATE TABLE one (v text, w text);\n');
    const said: string[] = [];
    expect(await migrateDatabase(db.url, { migrationsDir: dir, log: (l) => said.push(l) })).toEqual([]);
    expect(said.join('\n')).toMatch(/migrations edited after they were applied: 20260101000000_one/);
    await mkdir(join(dir, '20260102000000_two'));
    await writeFile(join(dir, '20260102000000_two', 'migration.sql'), 'CREATE TABLE two (v text);\n');
    expect(await migrateDatabase(db.url, { migrationsDir: dir })).toEqual(['20260102000000_two']);
  });

  it('apply a failing migration atomically: nothing of it stays, and the error is reported', async () => {
    const db = await emptyDb();
    const dir = await mkdtemp(join(tmpdir(), 'su-mig-'));
    await writeFile(join(dir, LOCKFILE_NAME), LOCKFILE_CONTENT);
    await mkdir(join(dir, '20260101000000_bad'));
    // A ';' inside a string and a failing statement after a successful one.
    await writeFile(
      join(dir, '20260101000000_bad', 'migration.sql'),
      `CREATE TABLE a (v text DEFAULT 'x;y');\nSELECT 1/0;\n`,
    );
    await expect(migrateDatabase(db.url, { migrationsDir: dir })).rejects.toThrow(/division by zero/);
    const tables = await db.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'a'`);
    expect(tables).toEqual([]);
  });
});
