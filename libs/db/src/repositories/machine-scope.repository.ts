import type { MachineScope } from '@su/contracts';
import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

/** What the scope rule needs to know of a machine: its id, name and tags (deleted machines included). */
export interface ScopeFacts {
  id: string;
  name: string;
  tags: string[];
}

/**
 * The object a route names, seen through the machine scope: `missing` when there is no such object, else the
 * machine it belongs to (null for objects bound to no machine, such as a selftest job).
 */
export type ScopeTarget = { missing: true } | { missing: false; machine: ScopeFacts | null };

const factsSelect = { id: true, name: true, tags: { select: { tag: { select: { name: true } } } } } as const;

type FactsRow = { id: string; name: string; tags: { tag: { name: string } }[] };

function factsOf(m: FactsRow | null): ScopeFacts | null {
  return m && { id: m.id, name: m.name, tags: m.tags.map((t) => t.tag.name) };
}

/**
 * The machines a scope admits, as a Prisma filter on `machines`: those named by id or carrying one of the tags. A scope
 * that names nothing admits no machine (a limit that cannot be read must not become no limit).
 */
export function machineScopeWhere(scope: MachineScope): Prisma.MachineWhereInput {
  return {
    OR: [{ id: { in: scope.machineIds ?? [] } }, { tags: { some: { tag: { name: { in: scope.tags ?? [] } } } } }],
  };
}

/**
 * The same rule as `machineScopeWhere`, for raw SQL over `machines m`: a condition and its three parameters, numbered
 * from `$first`. No scope (null) admits every machine.
 */
export function machineScopeSql(scope: MachineScope | null | undefined, first: number): { sql: string; params: unknown[] } {
  const [all, ids, tags] = [first, first + 1, first + 2];
  return {
    sql: `($${all}::boolean OR m.id::text = ANY($${ids}::text[]) OR EXISTS (
            SELECT 1 FROM machine_tags mt JOIN tags t ON t.id = mt.tag_id
             WHERE mt.machine_id = m.id AND t.name = ANY($${tags}::text[])))`,
    params: [!scope, scope?.machineIds ?? [], scope?.tags ?? []],
  };
}

/** Lookups of the machine behind a route's path parameter, for the one machine-scope rule (ADR 0014). */
export class MachineScopeRepository {
  constructor(private readonly db: DbClient) {}

  async machine(id: string): Promise<ScopeTarget> {
    const m = await this.db.machine.findUnique({ where: { id }, select: { ...factsSelect, deletedAt: true } });
    // A deleted machine is gone for everyone; the route answers 404 itself.
    return !m || m.deletedAt ? { missing: true } : { missing: false, machine: factsOf(m) };
  }

  async job(id: string): Promise<ScopeTarget> {
    const j = await this.db.job.findUnique({ where: { id }, select: { machine: { select: factsSelect } } });
    return j ? { missing: false, machine: factsOf(j.machine) } : { missing: true };
  }

  async actionRequest(id: string): Promise<ScopeTarget> {
    const r = await this.db.actionRequest.findUnique({ where: { id }, select: { machine: { select: factsSelect } } });
    return r ? { missing: false, machine: factsOf(r.machine) } : { missing: true };
  }

  /** Which of `ids` the scope admits (one query for a batch of live events). */
  async admitted(scope: MachineScope, ids: string[]): Promise<Set<string>> {
    const rows = await this.db.machine.findMany({
      where: { AND: [{ id: { in: ids } }, machineScopeWhere(scope)] },
      select: { id: true },
    });
    return new Set(rows.map((r) => r.id));
  }
}
