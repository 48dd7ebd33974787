import {
  asMachineStatus,
  MACHINE_STATUSES,
  type MachineListSort,
  type MachineScope,
  type MachineView,
} from '@su/contracts';
import type { DbClient } from '../database.ts';
import { machineScopeSql } from './machine-scope.repository.ts';

/** A stored status outside today's vocabulary reads as `unknown`, as everywhere else. */
function checked(v: MachineView): MachineView {
  v.status = asMachineStatus(v.status);
  if (v.state) v.state.status = asMachineStatus(v.state.status);
  return v;
}

/**
 * One machine's view (deleted machines have none), built by `su_machine_view`: the view is defined once, in the
 * database (migration machine_tiles, ADR 0040), and the stored tiles are built by the same function.
 */
export async function machineView(db: DbClient, id: string): Promise<MachineView | null> {
  const rows = await db.$queryRawUnsafe<{ v: MachineView }[]>(
    `SELECT x.v FROM su_machine_view(ARRAY[$1::uuid]) x JOIN machines m ON m.id = x.machine_id AND m.deleted_at IS NULL`,
    id,
  );
  return rows[0] ? checked(rows[0].v) : null;
}

export interface MachineViewFilter {
  tag?: string | undefined;
  scope?: MachineScope | null | undefined;
}

/** The condition of a list (not deleted, the tag, the caller's scope) and its parameters, numbered from $1. */
function listCondition(f: MachineViewFilter): { sql: string; params: unknown[] } {
  const scope = machineScopeSql(f.scope, 2);
  return {
    sql: `m.deleted_at IS NULL
      AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM machine_tags mt JOIN tags t ON t.id = mt.tag_id
                                        WHERE mt.machine_id = m.id AND t.name = $1::text))
      AND ${scope.sql}`,
    params: [f.tag ?? null, ...scope.params],
  };
}

/** A page of the list: its filter, its order (by name unless said) and its window. */
export type MachineViewPageQuery = MachineViewFilter & {
  limit: number;
  offset: number;
  sort?: MachineListSort | undefined;
};

// Each order's page keys (rank, name), from the stored tile's columns for `status` so that its index serves the page.
const PAGE_KEYS: Record<MachineListSort, { rank: string; name: string }> = {
  name: { rank: '0', name: 'm.name' },
  status: { rank: 't.sort_rank', name: 't.name' },
};

/**
 * The stale stored tiles rebuilt, in one set-based statement (`su_tiles_flush`, ADR 0055): writers only mark them, so
 * whoever reads `machine_tiles` calls this first, and reads after it has answered (its commit is what the read sees).
 * Answers how many tiles it rebuilt.
 */
export async function flushStaleTiles(db: DbClient): Promise<number> {
  const rows = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT su_tiles_flush() AS n`);
  return rows[0]?.n ?? 0;
}

/**
 * A page of views, by name then id (the order the list always had) or worst first (`status`: the stored rank, then
 * name and id), and the count of the whole list, as the JSON text of `{ items, total }`: the stored tiles
 * (`machine_tiles`, marked stale by triggers, the marked ones rebuilt here first) joined in SQL, never parsed here. A
 * tile whose stored status this version does not know reads `unknown`, as everywhere else (rewritten in SQL, rare; its
 * rank stays the stored one).
 */
export async function machineViewPageJson(db: DbClient, f: MachineViewPageQuery): Promise<string> {
  const where = listCondition(f);
  const next = where.params.length + 1;
  const keys = PAGE_KEYS[f.sort ?? 'name'];
  await flushStaleTiles(db);
  const [rows, count] = await Promise.all([
    db.$queryRawUnsafe<{ items: string | null }[]>(
      // The page's ids first (by an index), then only their stored tiles, in order, as one text.
      `SELECT string_agg(CASE WHEN t.status = ANY($${next + 2}::text[]) THEN t.view ELSE ${UNKNOWN_STATUS} END, ','
                         ORDER BY page.rank, page.name, page.id) AS items
         FROM (SELECT m.id, ${keys.rank} AS rank, ${keys.name} AS name
                 FROM machines m JOIN machine_tiles t ON t.machine_id = m.id WHERE ${where.sql}
                ORDER BY 2, 3, m.id LIMIT $${next}::int OFFSET $${next + 1}::int) page
         JOIN machine_tiles t ON t.machine_id = page.id`,
      ...where.params,
      f.limit,
      f.offset,
      [...MACHINE_STATUSES],
    ),
    db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM machines m WHERE ${where.sql}`,
      ...where.params,
    ),
  ]);
  return `{"items":[${rows[0]?.items ?? ''}],"total":${count[0]?.n ?? 0}}`;
}

/** A stored tile with a status outside today's vocabulary, its status (and its state's) as `unknown`. */
const UNKNOWN_STATUS = `(CASE WHEN t.view::jsonb -> 'state' = 'null'::jsonb
  THEN jsonb_set(t.view::jsonb, '{status}', '"unknown"')
  ELSE jsonb_set(jsonb_set(t.view::jsonb, '{status}', '"unknown"'), '{state,status}', '"unknown"') END)::text`;

/** The same page as objects. */
export async function machineViewPage(
  db: DbClient,
  f: MachineViewPageQuery,
): Promise<{ items: MachineView[]; total: number }> {
  return JSON.parse(await machineViewPageJson(db, f)) as { items: MachineView[]; total: number };
}
