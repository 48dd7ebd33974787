/*
 * The backup file: gzip of a line-oriented stream that a restore reads once, front to back.
 *
 *   SU-BACKUP 1 <header json>          what the data needs: the migrations and pg-boss schema it was taken at
 *   TABLE <json {schema,name,columns}>  then the table's rows in COPY text format, one per line, then "\."
 *   ...
 *   MANIFEST <json>                    per table: rows and sha256 of its COPY text; per sequence: its value
 *
 * COPY's text format escapes newlines and backslashes inside values, so a row is always one line and a row can never
 * be the bare terminator "\.". The manifest comes last because the counts are only known after the rows are written;
 * a restore checks it before it commits.
 */

export const BACKUP_MAGIC = 'SU-BACKUP 1';
export const TABLE_PREFIX = 'TABLE ';
export const MANIFEST_PREFIX = 'MANIFEST ';
export const END_OF_TABLE = '\\.';

export interface BackupHeader {
  format: 'su-backup/1';
  createdAt: string;
  serverVersion: string;
  database: string;
  /** `_prisma_migrations` names applied at the backup's moment; a restore builds exactly this schema. */
  migrations: string[];
  /** pg-boss's schema version (`pgboss.version`), or null when the queue schema did not exist. */
  pgbossVersion: number | null;
}

export interface BackupTable {
  schema: string;
  name: string;
  /** Stored columns in order (generated columns are left out: PostgreSQL recomputes them). */
  columns: string[];
}

export interface BackupTableSummary extends BackupTable {
  rows: number;
  sha256: string;
}

export interface BackupSequence {
  schema: string;
  name: string;
  /** null: never used (nextval not called yet). */
  lastValue: string | null;
}

export interface BackupManifest {
  tables: BackupTableSummary[];
  sequences: BackupSequence[];
}

export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;
export const qualified = (t: { schema: string; name: string }): string =>
  `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`;
