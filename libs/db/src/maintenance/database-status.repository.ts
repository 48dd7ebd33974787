import type { Database } from '../database.ts';
import { oneRow } from './one-row.ts';

export interface TableSize {
  schema: string;
  name: string;
  bytes: number;
  /** PostgreSQL's live-row estimate (statistics), not a count: exact counts would read every table. */
  rowsEstimate: number;
}

export interface AppliedMigration {
  name: string;
  finishedAt: Date | null;
  rolledBackAt: Date | null;
}

/** pg-boss jobs per queue and state, for `db info`. */
export interface QueueStateCount {
  queue: string;
  state: string;
  jobs: number;
  oldest: Date;
}

/** The read-only queries of `npm run db -- info | check`, and VACUUM. */
export class DatabaseStatusRepository {
  constructor(private readonly db: Database) {}

  async server(): Promise<{ version: string; database: string; bytes: number; now: Date }> {
    const { rows } = await this.db.pool.query<{ version: string; database: string; bytes: string; now: Date }>(
      `SELECT current_setting('server_version') AS version, current_database() AS database,
              pg_database_size(current_database())::text AS bytes, clock_timestamp() AS now`,
    );
    const r = oneRow(rows);
    return { version: r.version, database: r.database, bytes: Number(r.bytes), now: r.now };
  }

  async tableSizes(): Promise<TableSize[]> {
    const { rows } = await this.db.pool.query<{ schema: string; name: string; bytes: string; rows: string }>(
      `SELECT n.nspname AS schema, c.relname AS name, pg_total_relation_size(c.oid)::text AS bytes,
              GREATEST(c.reltuples, 0)::bigint::text AS rows
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('public', 'pgboss') AND c.relkind = 'r'
        ORDER BY pg_total_relation_size(c.oid) DESC, n.nspname, c.relname`,
    );
    return rows.map((r) => ({ schema: r.schema, name: r.name, bytes: Number(r.bytes), rowsEstimate: Number(r.rows) }));
  }

  /** null when the database has never been migrated. */
  async appliedMigrations(): Promise<AppliedMigration[] | null> {
    const exists = await this.db.pool.query(`SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS ok`);
    if (!exists.rows[0]?.ok) return null;
    const { rows } = await this.db.pool.query<{ name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      'SELECT migration_name AS name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name',
    );
    return rows.map((r) => ({ name: r.name, finishedAt: r.finished_at, rolledBackAt: r.rolled_back_at }));
  }

  /** pg-boss's schema version, or null when the queue schema does not exist (no service ever started). */
  async queueSchemaVersion(): Promise<number | null> {
    const exists = await this.db.pool.query(`SELECT to_regclass('pgboss.version') IS NOT NULL AS ok`);
    if (!exists.rows[0]?.ok) return null;
    const { rows } = await this.db.pool.query<{ v: number }>('SELECT version AS v FROM pgboss.version');
    return rows[0] ? Number(rows[0].v) : null;
  }

  /** Jobs waiting or running per queue (pg-boss states created, retry, active). */
  async queueDepth(): Promise<QueueStateCount[]> {
    if ((await this.queueSchemaVersion()) === null) return [];
    const { rows } = await this.db.pool.query<{ queue: string; state: string; jobs: string; oldest: Date }>(
      `SELECT name AS queue, state::text AS state, count(*)::text AS jobs, min(created_on) AS oldest
         FROM pgboss.job WHERE state IN ('created', 'retry', 'active')
        GROUP BY name, state ORDER BY name, state`,
    );
    return rows.map((r) => ({ queue: r.queue, state: r.state, jobs: Number(r.jobs), oldest: r.oldest }));
  }

  /** Connections to this database per application name (each service names its pools `su-<service>...`). */
  async connectionsByApplication(): Promise<Map<string, number>> {
    const { rows } = await this.db.pool.query<{ app: string; n: string }>(
      `SELECT application_name AS app, count(*)::text AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() GROUP BY application_name`,
    );
    return new Map(rows.map((r) => [r.app, Number(r.n)]));
  }

  /** VACUUM (ANALYZE) of the whole database; cannot run inside a transaction, so on a pooled connection alone. */
  async vacuumAnalyze(): Promise<void> {
    await this.db.pool.query('VACUUM (ANALYZE)');
  }
}
