/*
 * Hostile requests derived from the OpenAPI document: for every operation, every parameter and every body field
 * (nested objects included) gets each kind of hostile value, the rest of the request kept plausible. Each value
 * carries a marker of its own, so a response (or a log line) that quotes the input back is found by a substring test.
 */

export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface Operation {
  operationId?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  security?: unknown[];
}

export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  minimum?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  allOf?: Schema[];
}

export interface HostileCase {
  /** `GET /api/v1/machines/{id}`: the operation as the document names it. */
  operation: string;
  /** What is hostile, e.g. `query offset: huge number 1e308`. */
  what: string;
  method: string;
  /** Path with parameters filled in, query string included (already encoded). */
  url: string;
  headers: Record<string, string>;
  /** Raw JSON text (hostile values are spliced in as text: 10,000-deep nesting, integers beyond 2^53). */
  body?: string;
  marker: string;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

let counter = 0;
const nextMarker = () => `ZZHOSTILE${String(++counter).padStart(5, '0')}ZZ`;

/** A property name no client would use and no error may quote (unlike a plain name such as `admin`). */
const oddName = (m: string) => `<${m}>`;

/** Hostile texts for a string slot (query, path or header), each built around its marker. */
function hostileTexts(m: string, schema: Schema): [string, string][] {
  return [
    ['NUL byte', `a\0${m}`],
    ['100 KB string', `${m}${'x'.repeat(100_000)}`],
    ['huge number 1e308', '1e308'],
    ['integer 2^63', '9223372036854775808'],
    ['negative huge number', '-1e308'],
    ['10,000 brackets', `${'['.repeat(10_000)}${m}`],
    ['wrong type (JSON object text)', `{"${m}":1}`],
    // A free-text parameter may take any short text; others (ids, numbers, enums, patterns) may not.
    ...(schema.type === 'string' && !schema.format && !schema.enum
      ? []
      : ([['wrong type: text', m]] as [string, string][])),
  ];
}

/** Wrong-type JSON values for a field of this schema type (a string is a fine value for a string field). */
function wrongTypes(m: string, type: string | undefined): [string, string][] {
  const all: [string, string, string][] = [
    ['object', 'wrong type: object', JSON.stringify({ [oddName(m)]: m })],
    ['array', 'wrong type: array of strings', JSON.stringify([m, m])],
    ['boolean', 'wrong type: boolean', 'true'],
    ['string', 'wrong type: string', JSON.stringify(m)],
    ['number', 'wrong type: number', '7'],
  ];
  const same = type === 'integer' ? 'number' : type;
  return all.filter(([t]) => t !== same).map(([, what, text]) => [what, text]);
}

/** Hostile JSON texts for a body field, each with its marker (numbers cannot carry one: they are found by 5xx). */
function hostileJson(m: string, schema: Schema): [string, string][] {
  return [
    ['NUL byte', JSON.stringify(`a\0${m}`)],
    ['null', 'null'],
    ['10,000-deep nesting', `${'['.repeat(10_000)}${JSON.stringify(m)}${']'.repeat(10_000)}`],
    ['huge number 1e308', '1e308'],
    ['integer 2^63', '9223372036854775808'],
    ['negative huge number', '-1e308'],
    ['100 KB string', JSON.stringify(`${m}${'x'.repeat(100_000)}`)],
    ['array of 5,000 items', JSON.stringify(Array.from({ length: 5_000 }, (_, i) => (i ? 'a' : m)))],
    ...wrongTypes(m, schema.type),
  ];
}

export function resolve(doc: OpenApiDoc, s: Schema | undefined, depth = 0): Schema {
  if (!s || depth > 8) return {};
  if (s.$ref) return resolve(doc, doc.components?.schemas?.[s.$ref.split('/').pop()!], depth + 1);
  if (s.allOf?.length) return s.allOf.reduce<Schema>((acc, part) => ({ ...acc, ...resolve(doc, part, depth + 1) }), {});
  return s;
}

/** A plausible value for a schema: what a well-meaning client would send (not necessarily valid). */
export function sample(doc: OpenApiDoc, schema: Schema | undefined, ids: Ids, depth = 0): unknown {
  const s = resolve(doc, schema);
  if (s.enum?.length) return s.enum[0];
  if (s.example !== undefined) return s.example;
  switch (s.type) {
    case 'integer':
    case 'number':
      return s.minimum ?? 1;
    case 'boolean':
      return false;
    case 'array':
      return depth > 3 ? [] : [sample(doc, s.items, ids, depth + 1)];
    case 'string':
      return s.format === 'uuid' ? ids.machine : 'sample';
  }
  if (s.properties && depth <= 3) {
    const out: Record<string, unknown> = {};
    for (const k of s.required ?? []) out[k] = sample(doc, s.properties[k], ids, depth + 1);
    return out;
  }
  return 'sample';
}

/** Every field path of a body schema, nested objects included (`credentials.password`). */
function fieldPaths(
  doc: OpenApiDoc,
  schema: Schema | undefined,
  prefix: string[] = [],
  depth = 0,
): { path: string[]; schema: Schema }[] {
  const s = resolve(doc, schema);
  if (!s.properties || depth > 3) return [];
  return Object.entries(s.properties).flatMap(([k, sub]) => {
    const path = [...prefix, k];
    return [{ path, schema: resolve(doc, sub) }, ...fieldPaths(doc, sub, path, depth + 1)];
  });
}

/** The body with `path` set to a placeholder (parents created as needed), as JSON text. */
function bodyWith(base: unknown, path: string[], placeholder: string): string {
  const root = structuredClone(base ?? {}) as Record<string, unknown>;
  let node = root;
  for (const k of path.slice(0, -1)) {
    if (typeof node[k] !== 'object' || node[k] === null || Array.isArray(node[k])) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = placeholder;
  return JSON.stringify(root);
}

/** Real ids for path parameters, so that a hostile value elsewhere in the request reaches past the 404. */
export interface Ids {
  machine: string;
  job: string;
  schedule: string;
  apiClient: string;
  actionRequest: string;
  /** For every other id (host keys, messages, reports, runs, and routes added later). */
  other: string;
}

function idFor(path: string, param: string, ids: Ids): string {
  const before = path.split(`{${param}}`)[0]!.split('/').filter(Boolean).pop();
  if (param !== 'id') return ids.other;
  return before === 'machines'
    ? ids.machine
    : before === 'jobs'
      ? ids.job
      : before === 'schedules'
        ? ids.schedule
        : before === 'api-clients'
          ? ids.apiClient
          : before === 'action-requests'
            ? ids.actionRequest
            : ids.other;
}

export interface Operations {
  method: string;
  path: string;
  op: Operation;
}

export function operationsOf(doc: OpenApiDoc): Operations[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ method: m.toUpperCase(), path, op: item[m]! })),
  );
}

/** The headers the gateway reads itself; each gets hostile values on every GET (the methods that read them). */
const READ_HEADERS = ['last-event-id', 'authorization'];

/** Header values Node's HTTP parser lets through (it refuses NUL and other control characters itself). */
function hostileHeaderValues(m: string): [string, string][] {
  return [
    ['integer 2^63', '9223372036854775808'],
    ['huge number 1e308', '1e308'],
    ['negative number', '-1'],
    ['8 KB value', `${m}${'x'.repeat(8_000)}`],
    ['wrong type', `Bearer ${m} ${m}`],
    ['plain marker', m],
  ];
}

/** Every hostile case of one operation. */
export function casesOf(doc: OpenApiDoc, o: Operations, ids: Ids): HostileCase[] {
  const name = `${o.method} ${o.path}`;
  const params = o.op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const bodySchema = o.op.requestBody?.content?.['application/json']?.schema;
  const baseBody = bodySchema ? sample(doc, bodySchema, ids) : undefined;
  const url = (over: Record<string, string> = {}, query = '') =>
    o.path.replace(/\{(\w+)\}/g, (_, p: string) => over[p] ?? idFor(o.path, p, ids)) + (query ? `?${query}` : '');
  const json = { 'content-type': 'application/json' };
  const base = (what: string, marker: string, extra: Partial<HostileCase>): HostileCase => ({
    operation: name,
    what,
    method: o.method,
    url: url(),
    headers: bodySchema ? json : {},
    ...(bodySchema ? { body: JSON.stringify(baseBody) } : {}),
    marker,
    ...extra,
  });
  const out: HostileCase[] = [];
  for (const p of pathParams)
    for (const [kind, text] of hostileTexts(nextMarker(), resolve(doc, p.schema)))
      out.push(base(`path ${p.name}: ${kind}`, markerOf(text), { url: url({ [p.name]: encodeURIComponent(text) }) }));
  for (const p of queryParams) {
    for (const [kind, text] of hostileTexts(nextMarker(), resolve(doc, p.schema)))
      out.push(
        base(`query ${p.name}: ${kind}`, markerOf(text), { url: url({}, `${p.name}=${encodeURIComponent(text)}`) }),
      );
    const m = nextMarker();
    out.push(base(`query ${p.name}: repeated (array)`, m, { url: url({}, `${p.name}=${m}&${p.name}=${m}`) }));
  }
  if (queryParams.length) {
    const m = nextMarker();
    out.push(base('query: unknown parameter', m, { url: url({}, `${encodeURIComponent(oddName(m))}=${m}`) }));
  }
  if (bodySchema) {
    for (const { path, schema } of fieldPaths(doc, bodySchema))
      for (const [kind, text] of hostileJson(nextMarker(), schema)) {
        const placeholder = `__PLACEHOLDER_${counter}__`;
        const body = bodyWith(baseBody, path, placeholder).replace(JSON.stringify(placeholder), () => text);
        out.push(base(`body ${path.join('.')}: ${kind}`, markerOf(text), { body }));
      }
    const m = nextMarker();
    out.push(base('body: unknown field', m, { body: bodyWith(baseBody, [oddName(m)], m) }));
    const deep = nextMarker();
    out.push(
      base('body: 10,000-deep document', deep, { body: `${'{"a":'.repeat(10_000)}"${deep}"${'}'.repeat(10_000)}` }),
    );
    const broken = nextMarker();
    out.push(base('body: invalid JSON', broken, { body: `{"password": "${broken}` }));
    const nul = nextMarker();
    out.push(base('body: NUL in a property name', nul, { body: `{"a\\u0000${nul}": 1}` }));
    out.push(base('body: top-level null', nextMarker(), { body: 'null' }));
    const text = nextMarker();
    out.push(base('body: text/plain', text, { body: text, headers: { 'content-type': 'text/plain' } }));
  }
  // A body where none is expected is read all the same (the parser runs before routing): it must be refused too.
  if (!bodySchema && o.method !== 'GET') {
    const deep = nextMarker();
    out.push(
      base('unexpected body: 10,000-deep document', deep, {
        headers: json,
        body: `${'{"a":'.repeat(10_000)}"${deep}"${'}'.repeat(10_000)}`,
      }),
    );
  }
  if (o.method === 'GET')
    for (const h of READ_HEADERS)
      for (const [kind, value] of hostileHeaderValues(nextMarker()))
        out.push(base(`header ${h}: ${kind}`, markerOf(value), { headers: { [h]: value } }));
  return out;
}

/** The marker inside a hostile text (or none: a bare number cannot carry one). */
function markerOf(text: string): string {
  return /ZZHOSTILE\d{5}ZZ/.exec(text)?.[0] ?? '';
}
