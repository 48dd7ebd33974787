import { Database } from '@su/db';

export interface TableChecksum {
  rows: number;
  md5: string;
}

const TABLES_SQL = `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS t FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname IN ('public', 'pgboss') AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`;

/**
 * Row count and an order-independent checksum of every table of both schemas (ours and pg-boss's), computed by SQL of
 * its own (not by the backup code it checks). With `snapshot`, read as of an exported snapshot (pg_export_snapshot).
 */
export async function tableChecksums(url: string, snapshot?: string): Promise<Record<string, TableChecksum>> {
  const db = Database.connect({ url, maxConnections: 1, applicationName: 'su-test-checksums' });
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    if (snapshot) await client.query(`SET TRANSACTION SNAPSHOT '${snapshot.replaceAll("'", "''")}'`);
    const out: Record<string, TableChecksum> = {};
    for (const { t } of (await client.query<{ t: string }>(TABLES_SQL)).rows) {
      const { rows } = await client.query<{ n: number; md5: string }>(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) AS md5 FROM ${t} x`,
      );
      const [r = { n: 0, md5: '' }] = rows;
      out[t] = { rows: r.n, md5: r.md5 };
    }
    await client.query('COMMIT');
    return out;
  } finally {
    client.release();
    await db.close();
  }
}
