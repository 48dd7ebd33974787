/*
 * A reader of prisma/schema.prisma good enough for documentation: models, their fields (type, optional, list, column
 * name, id/unique), relations (which fields point where), indexes, and the `///` comments. Prisma's own DMMF would do
 * but is not reachable offline without the native engine (ADR 0002); the schema's syntax here is regular.
 */

export interface SchemaField {
  name: string;
  column: string;
  type: string;
  /** The native type when given (`@db.Uuid` → "uuid"). */
  dbType: string | null;
  optional: boolean;
  list: boolean;
  id: boolean;
  unique: boolean;
  /** Set on the side that holds the foreign key: the local fields and the model referenced. */
  relation: { fields: string[]; references: string[] } | null;
  doc: string;
}

export interface SchemaIndex {
  kind: 'primary key' | 'unique' | 'index';
  columns: string[];
  /** Sort or operator class details, e.g. "created_at DESC", "GIN jsonb_path_ops". */
  detail: string;
}

export interface SchemaModel {
  name: string;
  table: string;
  doc: string;
  fields: SchemaField[];
  indexes: SchemaIndex[];
}

const BLOCK = /^(model|enum|generator|datasource)\s+(\w+)\s*\{/;

/** Splits "a, b(sort: Desc), c" at top-level commas. */
function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts;
}

const listIn = (attrs: string, key: string): string[] => {
  const m = new RegExp(`${key}:\\s*\\[([^\\]]*)\\]`).exec(attrs);
  return m?.[1] !== undefined ? splitTop(m[1]) : [];
};

function parseField(line: string, doc: string): SchemaField | null {
  const m = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
  if (!m) return null;
  const [, name, type, list, optional, attrs = ''] = m as unknown as [
    string,
    string,
    string,
    string?,
    string?,
    string?,
  ];
  const relation =
    /@relation\(/.test(attrs) && /fields:/.test(attrs)
      ? { fields: listIn(attrs, 'fields'), references: listIn(attrs, 'references') }
      : null;
  return {
    name,
    column: /@map\("([^"]+)"\)/.exec(attrs)?.[1] ?? name,
    type,
    dbType: /@db\.(\w+)/.exec(attrs)?.[1]?.toLowerCase() ?? null,
    optional: Boolean(optional),
    list: Boolean(list),
    id: /@id\b/.test(attrs),
    unique: /@unique\b/.test(attrs),
    relation,
    doc,
  };
}

function parseIndex(line: string, columnOf: (field: string) => string): SchemaIndex | null {
  const m = /^@@(id|unique|index)\(\[(.*?)\]\s*(?:,\s*(.*))?\)$/.exec(line);
  if (!m?.[2]) return null;
  const kind = m[1] === 'id' ? 'primary key' : m[1] === 'unique' ? 'unique' : 'index';
  const cols = splitTop(m[2]).map((c) => {
    const f = /^(\w+)(?:\((.*)\))?$/.exec(c) ?? [c, c];
    return {
      column: columnOf(f[1] ?? c),
      desc: /sort:\s*Desc/.test(f[2] ?? ''),
      ops: /ops:\s*(\w+)/.exec(f[2] ?? '')?.[1],
    };
  });
  const type = /type:\s*(\w+)/.exec(m[3] ?? '')?.[1];
  const details = [
    ...(type ? [type.toUpperCase()] : []),
    ...cols.filter((c) => c.ops).map((c) => `${c.ops === 'JsonbPathOps' ? 'jsonb_path_ops' : c.ops}`),
    ...cols.filter((c) => c.desc).map((c) => `${c.column} DESC`),
  ];
  return { kind, columns: cols.map((c) => c.column), detail: details.join(', ') };
}

function modelOf(name: string, doc: string, body: { line: string; doc: string }[]): SchemaModel {
  const fields = body.map((b) => parseField(b.line, b.doc)).filter((f): f is SchemaField => f !== null);
  const columnOf = (f: string) => fields.find((x) => x.name === f)?.column ?? f;
  const indexes = body.map((b) => parseIndex(b.line, columnOf)).filter((i): i is SchemaIndex => i !== null);
  for (const f of fields) {
    if (f.id) indexes.unshift({ kind: 'primary key', columns: [f.column], detail: '' });
    else if (f.unique) indexes.push({ kind: 'unique', columns: [f.column], detail: '' });
  }
  const table = body.map((b) => /^@@map\("([^"]+)"\)/.exec(b.line)?.[1]).find(Boolean) ?? name;
  return { name, table, doc, fields, indexes };
}

/** The models of a schema.prisma text, in file order. */
export function parsePrismaSchema(text: string): SchemaModel[] {
  const models: SchemaModel[] = [];
  let doc: string[] = [];
  let current: { kind: string; name: string; doc: string; body: { line: string; doc: string }[] } | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('///')) {
      doc.push(line.slice(3).trim());
      continue;
    }
    if (!line || line.startsWith('//')) {
      if (!line) doc = []; // a doc comment belongs to the line right below it
      continue;
    }
    const open = BLOCK.exec(line);
    if (open?.[1] && open[2]) {
      current = { kind: open[1], name: open[2], doc: doc.join(' '), body: [] };
      doc = [];
    } else if (line === '}' && current) {
      if (current.kind === 'model') models.push(modelOf(current.name, current.doc, current.body));
      current = null;
    } else if (current) {
      current.body.push({ line: line.replace(/\s+\/\/.*$/, ''), doc: doc.join(' ') });
      doc = [];
    }
  }
  return models;
}
