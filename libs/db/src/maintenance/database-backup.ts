import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import {
  BACKUP_MAGIC,
  END_OF_TABLE,
  MANIFEST_PREFIX,
  qualified,
  quoteIdent,
  TABLE_PREFIX,
  type BackupHeader,
  type BackupManifest,
  type BackupSequence,
  type BackupTable,
  type BackupTableSummary,
} from './backup-format.ts';
import { BackupReader } from './backup-reader.ts';
import { oneRow } from './one-row.ts';

/** The schemas a backup holds: ours (Prisma) and pg-boss's queue. */
export const BACKUP_SCHEMAS = ['public', 'pgboss'] as const;

async function connect(url: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  await client.connect();
  return client;
}

/** Top-level tables (a partitioned table's rows are read through its parent, so partitions are left out). */
async function listTables(client: pg.Client): Promise<BackupTable[]> {
  const { rows } = await client.query<{ schema: string; name: string; columns: string[] }>(
    `SELECT n.nspname AS schema, c.relname AS name,
            array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      GROUP BY n.nspname, c.relname
      ORDER BY n.nspname DESC, c.relname`,
    [BACKUP_SCHEMAS],
  );
  return rows;
}

async function listSequences(client: pg.Client): Promise<BackupSequence[]> {
  const { rows } = await client.query<{ schema: string; name: string; last_value: string | null }>(
    `SELECT schemaname AS schema, sequencename AS name, last_value::text AS last_value
       FROM pg_sequences WHERE schemaname = ANY($1) ORDER BY schemaname, sequencename`,
    [BACKUP_SCHEMAS],
  );
  return rows.map((r) => ({ schema: r.schema, name: r.name, lastValue: r.last_value }));
}

async function readHeader(client: pg.Client): Promise<BackupHeader> {
  const info = await client.query<{ version: string; db: string; boss: boolean; prisma: boolean }>(
    `SELECT current_setting('server_version') AS version, current_database() AS db,
            to_regclass('pgboss.version') IS NOT NULL AS boss,
            to_regclass('public._prisma_migrations') IS NOT NULL AS prisma`,
  );
  const { version, db, boss, prisma } = oneRow(info.rows);
  const migrations = prisma
    ? (
        await client.query<{ name: string }>(
          `SELECT migration_name AS name FROM _prisma_migrations
            WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
        )
      ).rows.map((r) => r.name)
    : [];
  const pgbossVersion = boss
    ? Number((await client.query<{ v: number }>('SELECT version AS v FROM pgboss.version')).rows[0]?.v ?? null)
    : null;
  return {
    format: 'su-backup/1',
    createdAt: new Date().toISOString(),
    serverVersion: version,
    database: db,
    migrations,
    pgbossVersion,
  };
}

async function writeLine(out: NodeJS.WritableStream, line: string): Promise<void> {
  if (!out.write(`${line}\n`)) await once(out, 'drain');
}

async function copyTableOut(client: pg.Client, table: BackupTable, out: NodeJS.WritableStream) {
  await writeLine(out, `${TABLE_PREFIX}${JSON.stringify(table)}`);
  const cols = table.columns.map(quoteIdent).join(', ');
  const stream = client.query(copyTo(`COPY (SELECT ${cols} FROM ${qualified(table)}) TO STDOUT`));
  const hash = createHash('sha256');
  let rows = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    for (const byte of chunk) if (byte === 0x0a) rows++;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  await writeLine(out, END_OF_TABLE);
  return { ...table, rows, sha256: hash.digest('hex') };
}

export interface BackupResult {
  header: BackupHeader;
  manifest: BackupManifest;
}

/**
 * Writes one gzip file holding every table of both schemas as of one moment: all reads run in one REPEATABLE READ
 * READ ONLY transaction, so rows written by running services during the backup are either all in it or all out.
 */
export async function backupDatabase(
  url: string,
  path: string,
  opts: { onSnapshot?: (snapshotId: string) => Promise<void> } = {},
): Promise<BackupResult> {
  const client = await connect(url, 'su-db-backup');
  const gzip = createGzip();
  const file = createWriteStream(path, { mode: 0o600 });
  const done = finished(gzip.pipe(file));
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const header = await readHeader(client);
    // A test reads the same snapshot (SET TRANSACTION SNAPSHOT) to check the backup against it independently.
    if (opts.onSnapshot)
      await opts.onSnapshot(oneRow((await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows).id);
    await writeLine(gzip, `${BACKUP_MAGIC} ${JSON.stringify(header)}`);
    const tables: BackupTableSummary[] = [];
    for (const t of await listTables(client)) tables.push(await copyTableOut(client, t, gzip));
    const manifest: BackupManifest = { tables, sequences: await listSequences(client) };
    await writeLine(gzip, `${MANIFEST_PREFIX}${JSON.stringify(manifest)}`);
    await client.query('COMMIT');
    gzip.end();
    await done;
    return { header, manifest };
  } catch (e) {
    gzip.destroy();
    file.destroy();
    throw e;
  } finally {
    await client.end();
  }
}

/** The header of a backup file (what the schema must be before its rows are loaded). */
export async function readBackupHeader(path: string): Promise<BackupHeader> {
  const reader = new BackupReader(path);
  try {
    const first = await reader.next();
    if (!first.startsWith(`${BACKUP_MAGIC} `)) throw new Error(`${path} is not a system-update backup`);
    return JSON.parse(first.slice(BACKUP_MAGIC.length + 1)) as BackupHeader;
  } finally {
    await reader.close();
  }
}
