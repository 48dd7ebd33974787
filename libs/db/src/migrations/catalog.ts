import pg from 'pg';

/*
 * Drift is checked by comparing PostgreSQL catalogs, not by asking the schema engine to introspect (it cannot here):
 * database A is built from the migrations, database B from the SQL of empty → schema.prisma. Same tables, columns
 * (type, nullability, default), indexes (full definition), constraints and enums, or it is drift.
 */
const QUERIES = {
  tables: `SELECT c.relname AS k, c.relkind::text AS v FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r','p','v','m','f') AND c.relname <> '_prisma_migrations'`,
  columns: `SELECT c.relname || '.' || a.attname AS k,
                   format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' NULL' END
                   || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
                   || CASE WHEN a.attidentity <> '' THEN ' IDENTITY ' || a.attidentity::text ELSE '' END
                   || CASE WHEN a.attgenerated <> '' THEN ' GENERATED ' || a.attgenerated::text ELSE '' END AS v
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = 'public' AND c.relkind IN ('r','p') AND a.attnum > 0 AND NOT a.attisdropped
              AND c.relname <> '_prisma_migrations'`,
  indexes: `SELECT tablename || '.' || indexname AS k, indexdef AS v FROM pg_indexes
            WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`,
  constraints: `SELECT c.relname || '.' || k.conname AS k, k.contype::text || ' ' || pg_get_constraintdef(k.oid, true) AS v
                FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = 'public' AND c.relname <> '_prisma_migrations'`,
  enums: `SELECT t.typname AS k, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS v
          FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE n.nspname = 'public' GROUP BY t.typname`,
  sequences: `SELECT sequencename AS k, data_type::text || ' ' || increment_by || ' ' || start_value AS v
              FROM pg_sequences WHERE schemaname = 'public'`,
} as const;

export type Catalog = Record<keyof typeof QUERIES, Map<string, string>>;

export async function readCatalog(url: string): Promise<Catalog> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out = {} as Catalog;
    for (const [kind, q] of Object.entries(QUERIES) as [keyof Catalog, string][]) {
      out[kind] = new Map((await c.query<{ k: string; v: string }>(q)).rows.map((r) => [r.k, r.v]));
    }
    return out;
  } finally {
    await c.end();
  }
}

/** Differences between two catalogs, one line each; empty when they match. */
export function compareCatalogs(left: Catalog, right: Catalog, names: [string, string]): string[] {
  const [ln, rn] = names;
  const diffs: string[] = [];
  for (const kind of Object.keys(QUERIES) as (keyof Catalog)[]) {
    const a = left[kind];
    const b = right[kind];
    for (const [k, v] of a) {
      if (!b.has(k)) diffs.push(`${kind}: ${k} only in ${ln}: ${v}`);
      else if (b.get(k) !== v) diffs.push(`${kind}: ${k} differs: ${ln}: ${v} | ${rn}: ${b.get(k)}`);
    }
    for (const [k, v] of b) if (!a.has(k)) diffs.push(`${kind}: ${k} only in ${rn}: ${v}`);
  }
  return diffs;
}

export async function executeScript(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
