import { DatabaseStatusRepository, type Database, type QueueStateCount, type TableSize } from '@su/db';
import { migrationStatus, type MigrationStatus } from './migration-status.ts';

export interface DatabaseInfo {
  server: { version: string; database: string; bytes: number };
  queueSchemaVersion: number | null;
  migrations: MigrationStatus;
  tables: TableSize[];
  queue: QueueStateCount[];
}

/** `npm run db -- info`: versions, size per table, migrations applied, queue depth. */
export async function readDatabaseInfo(db: Database): Promise<DatabaseInfo> {
  const repo = new DatabaseStatusRepository(db);
  const { version, database, bytes } = await repo.server();
  return {
    server: { version, database, bytes },
    queueSchemaVersion: await repo.queueSchemaVersion(),
    migrations: await migrationStatus(db),
    tables: await repo.tableSizes(),
    queue: await repo.queueDepth(),
  };
}

export const formatBytes = (n: number): string =>
  n >= 1 << 30
    ? `${(n / (1 << 30)).toFixed(1)} GiB`
    : n >= 1 << 20
      ? `${(n / (1 << 20)).toFixed(1)} MiB`
      : `${Math.ceil(n / 1024)} KiB`;

export function formatInfo(info: DatabaseInfo): string[] {
  const m = info.migrations;
  const lines = [
    `PostgreSQL ${info.server.version}, database ${info.server.database}, ${formatBytes(info.server.bytes)}`,
    `queue schema (pg-boss): ${info.queueSchemaVersion ?? 'not created yet'}`,
    `migrations: ${m.applied?.length ?? 0} applied (last: ${m.applied?.at(-1) ?? 'none'}), ${m.pending.length} pending` +
      (m.failed.length ? `, FAILED: ${m.failed.join(', ')}` : ''),
    '',
    'table                                         size        rows (estimate)',
  ];
  for (const t of info.tables)
    lines.push(
      `${`${t.schema}.${t.name}`.padEnd(45)} ${formatBytes(t.bytes).padStart(10)}  ${String(t.rowsEstimate).padStart(12)}`,
    );
  lines.push('', info.queue.length ? 'queue depth (waiting or running):' : 'queue depth: no job waiting or running');
  for (const q of info.queue)
    lines.push(
      `  ${q.queue.padEnd(30)} ${q.state.padEnd(8)} ${String(q.jobs).padStart(6)}  oldest ${q.oldest.toISOString()}`,
    );
  return lines;
}

/** `npm run db -- vacuum`: VACUUM (ANALYZE), with the database's size before and after. */
export async function vacuumDatabase(db: Database): Promise<{ bytesBefore: number; bytesAfter: number }> {
  const repo = new DatabaseStatusRepository(db);
  const bytesBefore = (await repo.server()).bytes;
  await repo.vacuumAnalyze();
  return { bytesBefore, bytesAfter: (await repo.server()).bytes };
}
