import type { MachineScope } from '@su/contracts';
import type { DbClient } from '../database.ts';
import { machineScopeSql } from './machine-scope.repository.ts';

/** One pending change of the fleet (same package, same from → to, same origin) and how many machines need it. */
export interface PendingGroupCount {
  dedupKey: string;
  name: string;
  currentVersion: string | null;
  targetVersion: string | null;
  origin: string | null;
  security: boolean;
  /** On hold (apt-mark hold) on these machines: pending, never applied, counted apart. */
  held: boolean;
  machineCount: number;
}

export interface PendingGroupsQuery {
  limit: number;
  offset: number;
  securityOnly?: boolean | undefined;
  scope?: MachineScope | null | undefined;
}

export interface PendingGroupMachinesQuery {
  dedupKey: string;
  held: boolean;
  limit: number;
  offset: number;
  scope?: MachineScope | null | undefined;
}

/** The API's names for a group's columns. */
const GROUP_COLUMNS = `dedup_key AS "dedupKey", name, current_version AS "currentVersion", target_version AS "targetVersion",
  origin, security, held, machine_count AS "machineCount"`;

/** Security first, then the widest changes; held ones apart at the end (the fleet view's order). */
const ORDER = 'held, security DESC, machine_count DESC, name, dedup_key';

/**
 * The fleet's pending changes, counted per dedup group, and the machines of one group by page (ADR 0040). Without a
 * machine scope both read the trigger-maintained `pending_update_groups` / `pending_update_members`; a scoped caller
 * counts only the machines it may see, from the members joined to its machines.
 */
export class PendingUpdatesRepository {
  constructor(private readonly db: DbClient) {}

  async groups(q: PendingGroupsQuery): Promise<{ items: PendingGroupCount[]; total: number }> {
    // $1: security only; a scoped caller's scope from $2 (three parameters).
    const scope = q.scope ? machineScopeSql(q.scope, 2) : null;
    const source = `SELECT * FROM (${scope ? scopedGroupsSql(scope.sql) : ALL_GROUPS_SQL}) g WHERE NOT $1::boolean OR security`;
    const params = [q.securityOnly ?? false, ...(scope?.params ?? [])];
    const next = params.length + 1;
    const [items, count] = await Promise.all([
      this.db.$queryRawUnsafe<PendingGroupCount[]>(
        `SELECT ${GROUP_COLUMNS} FROM (${source}) g ORDER BY ${ORDER} LIMIT $${next}::int OFFSET $${next + 1}::int`,
        ...params,
        q.limit,
        q.offset,
      ),
      this.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM (${source}) g`, ...params),
    ]);
    return { items, total: count[0]?.n ?? 0 };
  }

  /** The machines (id and name, by name) that need one group, by page, with how many there are. */
  async groupMachines(q: PendingGroupMachinesQuery): Promise<{ items: { id: string; name: string }[]; total: number }> {
    const inScope = machineScopeSql(q.scope, 3);
    const from = `FROM pending_update_members x JOIN machines m ON m.id = x.machine_id AND m.deleted_at IS NULL
        WHERE x.dedup_key = $1 AND x.held = $2::boolean AND ${inScope.sql}`;
    const [items, count] = await Promise.all([
      this.db.$queryRawUnsafe<{ id: string; name: string }[]>(
        `SELECT m.id::text AS id, m.name ${from} ORDER BY m.name, m.id LIMIT $6::int OFFSET $7::int`,
        q.dedupKey,
        q.held,
        ...inScope.params,
        q.limit,
        q.offset,
      ),
      this.db.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n ${from}`,
        q.dedupKey,
        q.held,
        ...inScope.params,
      ),
    ]);
    return { items, total: count[0]?.n ?? 0 };
  }
}

/** The whole fleet's groups, as the triggers keep them. */
const ALL_GROUPS_SQL = `SELECT *, security_count > 0 AS security FROM pending_update_groups`;

/** A scoped caller's groups: the members of the machines its scope condition (over `machines m`) admits, counted. */
function scopedGroupsSql(inScope: string): string {
  return `SELECT x.dedup_key, x.held, min(x.name) AS name, min(x.current_version) AS current_version,
                 min(x.target_version) AS target_version, min(x.origin) AS origin, bool_or(x.security) AS security,
                 count(*)::int AS machine_count
            FROM pending_update_members x JOIN machines m ON m.id = x.machine_id AND m.deleted_at IS NULL
           WHERE ${inScope}
           GROUP BY x.dedup_key, x.held`;
}
