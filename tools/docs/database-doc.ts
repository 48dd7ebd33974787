import type { SchemaField, SchemaModel } from './prisma-schema-model.ts';

/*
 * The generated parts of docs/database.md: the Mermaid ER diagram, the table list and the index list, each between
 * markers `<!-- generated:<name> -->` and `<!-- /generated:<name> -->`. The rest of the file is written by hand.
 */

const SQL_TYPE: Record<string, string> = {
  String: 'text',
  Int: 'int',
  BigInt: 'bigint',
  Boolean: 'boolean',
  DateTime: 'timestamptz',
  Json: 'jsonb',
  Float: 'double',
  Decimal: 'numeric',
  Bytes: 'bytea',
};

function columnType(f: SchemaField): string {
  return `${f.dbType ?? SQL_TYPE[f.type] ?? f.type}${f.list ? '[]' : ''}`.replace('[]', '_array');
}

function attributeLines(m: SchemaModel, models: Map<string, SchemaModel>): string[] {
  const fks = new Set(m.fields.flatMap((f) => f.relation?.fields ?? []));
  const pk = new Set(m.indexes.filter((i) => i.kind === 'primary key').flatMap((i) => i.columns));
  return m.fields
    .filter((f) => !models.has(f.type))
    .map((f) => {
      const keys = [pk.has(f.column) ? 'PK' : '', fks.has(f.name) ? 'FK' : '', f.unique ? 'UK' : ''].filter(Boolean);
      return `    ${columnType(f)} ${f.column}${keys.length ? ` ${keys.join(', ')}` : ''}`;
    });
}

/** One line per foreign key: the referenced table (one) to the referencing table (many, or one when unique). */
function relationLines(m: SchemaModel, models: Map<string, SchemaModel>): string[] {
  const uniqueSets = m.indexes.filter((i) => i.kind !== 'index').map((i) => i.columns.join(','));
  return m.fields.flatMap((f) => {
    const target = models.get(f.type);
    if (!f.relation || !target) return [];
    const cols = f.relation.fields.map((n) => m.fields.find((x) => x.name === n)?.column ?? n).join(',');
    const many = uniqueSets.includes(cols) ? 'o|' : 'o{';
    return [`  ${target.table} ${f.optional ? '|o' : '||'}--${many} ${m.table} : "${cols}"`];
  });
}

export function erDiagram(models: SchemaModel[]): string {
  const byName = new Map(models.map((m) => [m.name, m]));
  const lines = ['```mermaid', 'erDiagram'];
  for (const m of models) lines.push(...relationLines(m, byName));
  for (const m of models) lines.push(`  ${m.table} {`, ...attributeLines(m, byName), '  }');
  lines.push('```');
  return lines.join('\n');
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function tableList(models: SchemaModel[]): string {
  const rows = [...models]
    .sort((a, b) => a.table.localeCompare(b.table))
    .map((m) => `| \`${m.table}\` | ${cell(m.doc || '—')} |`);
  return ['| table | what it holds (from schema.prisma) |', '|---|---|', ...rows].join('\n');
}

/** Why an index of a given shape exists (docs/database.md explains each reason at length). */
function reasonOf(table: string, i: SchemaModel['indexes'][number]): string {
  if (i.kind === 'primary key') return 'identity';
  if (i.detail.includes('GIN')) return 'JSON search (`@>` containment)';
  if (i.kind === 'unique') return 'no duplicates (dedup / one row per key)';
  if (i.detail.includes('DESC'))
    return i.columns[0]?.endsWith('_id') ? 'a parent’s history, newest first' : 'newest first / purge by age';
  if (i.columns.some((c) => /expires_at|expire/.test(c))) return 'purge of expired rows';
  if (i.columns.length === 1 && i.columns[0]?.endsWith('_id')) return `foreign key lookups and cascades (${table})`;
  return 'filters of the API and the UI';
}

export function indexList(models: SchemaModel[]): string {
  const rows = [...models]
    .sort((a, b) => a.table.localeCompare(b.table))
    .flatMap((m) =>
      m.indexes.map(
        (i) =>
          `| \`${m.table}\` | ${i.kind} | ${i.columns.map((c) => `\`${c}\``).join(', ')} | ${i.detail || ''} | ${reasonOf(m.table, i)} |`,
      ),
    );
  return ['| table | kind | columns | details | why |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** Replaces each generated block of `doc` by its new content; throws when a marker is missing. */
export function fillGenerated(doc: string, blocks: Record<string, string>): string {
  let out = doc;
  for (const [name, content] of Object.entries(blocks)) {
    const start = `<!-- generated:${name} -->`;
    const end = `<!-- /generated:${name} -->`;
    const a = out.indexOf(start);
    const b = out.indexOf(end);
    if (a < 0 || b < a) throw new Error(`docs/database.md lacks the markers ${start} … ${end}`);
    out = `${out.slice(0, a + start.length)}\n${content}\n${out.slice(b)}`;
  }
  return out;
}
