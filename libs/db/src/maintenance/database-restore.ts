import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  BACKUP_MAGIC,
  END_OF_TABLE,
  MANIFEST_PREFIX,
  qualified,
  quoteIdent,
  TABLE_PREFIX,
  type BackupManifest,
  type BackupTable,
  type BackupTableSummary,
} from './backup-format.ts';
import { BackupReader } from './backup-reader.ts';
import { BACKUP_SCHEMAS } from './database-backup.ts';

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'su-db-restore' });
  await client.connect();
  return client;
}

/** The first product table holding a row, or null when the database holds no data of ours. */
export async function firstNonEmptyTable(url: string): Promise<string | null> {
  const client = await connect(url);
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND c.relname <> '_prisma_migrations' ORDER BY c.relname`,
    );
    for (const { name } of rows) {
      const any = await client.query(`SELECT 1 FROM ${qualified({ schema: 'public', name })} LIMIT 1`);
      if (any.rowCount) return name;
    }
    return null;
  } finally {
    await client.end();
  }
}

/** Drops both schemas (ours and the queue's) so the restore rebuilds them exactly as the backup had them. */
export async function clearDatabase(url: string): Promise<void> {
  const client = await connect(url);
  try {
    await client.query(
      'DROP SCHEMA IF EXISTS pgboss CASCADE; DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public',
    );
  } finally {
    await client.end();
  }
}

async function copyTableIn(client: pg.Client, table: BackupTable, reader: BackupReader) {
  const cols = table.columns.map(quoteIdent).join(', ');
  const sink = client.query(copyFrom(`COPY ${qualified(table)} (${cols}) FROM STDIN`));
  const hash = createHash('sha256');
  let rows = 0;
  for (let line = await reader.next(); line !== END_OF_TABLE; line = await reader.next()) {
    const data = `${line}\n`;
    hash.update(data, 'utf8');
    rows++;
    if (!sink.write(data)) await once(sink, 'drain');
  }
  sink.end();
  await finished(sink);
  return { ...table, rows, sha256: hash.digest('hex') };
}

function verify(loaded: BackupTableSummary[], manifest: BackupManifest): void {
  const byName = new Map(loaded.map((t) => [`${t.schema}.${t.name}`, t]));
  for (const t of manifest.tables) {
    const got = byName.get(`${t.schema}.${t.name}`);
    if (!got || got.rows !== t.rows || got.sha256 !== t.sha256)
      throw new Error(`table ${t.schema}.${t.name} does not match the backup's manifest (file damaged?)`);
  }
}

async function restoreSequences(client: pg.Client, manifest: BackupManifest): Promise<void> {
  for (const s of manifest.sequences) {
    if (s.lastValue === null) continue;
    await client.query('SELECT setval($1::regclass, $2::bigint, true)', [qualified(s), s.lastValue]);
  }
}

/**
 * Loads the rows of a backup into a database whose schema was just built at the backup's migrations and pg-boss
 * version. One transaction: the tables are emptied (the rows migrations and pg-boss wrote at creation), loaded with
 * foreign-key triggers off (rows arrive table by table, not in dependency order), sequences set, and the counts and
 * checksums compared with the manifest before the commit; any difference rolls everything back.
 */
export async function loadBackupData(url: string, path: string): Promise<BackupManifest> {
  const client = await connect(url);
  const reader = new BackupReader(path);
  try {
    if (!(await reader.next()).startsWith(`${BACKUP_MAGIC} `)) throw new Error(`${path} is not a system-update backup`);
    await client.query('BEGIN');
    await client.query("SET LOCAL session_replication_role = 'replica'");
    const { rows: existing } = await client.query<{ t: string }>(
      `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS t FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p') AND NOT c.relispartition`,
      [BACKUP_SCHEMAS],
    );
    if (existing.length) await client.query(`TRUNCATE ${existing.map((r) => r.t).join(', ')}`);
    const loaded: BackupTableSummary[] = [];
    let line = await reader.next();
    for (; line.startsWith(TABLE_PREFIX); line = await reader.next())
      loaded.push(await copyTableIn(client, JSON.parse(line.slice(TABLE_PREFIX.length)) as BackupTable, reader));
    if (!line.startsWith(MANIFEST_PREFIX))
      throw new Error('the backup file is damaged (expected a table or the manifest)');
    const manifest = JSON.parse(line.slice(MANIFEST_PREFIX.length)) as BackupManifest;
    verify(loaded, manifest);
    await restoreSequences(client, manifest);
    await client.query('COMMIT');
    return manifest;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await reader.close();
    await client.end();
  }
}
