/** One pending change of the fleet view (`GET /updates/pending`, libs/db PendingUpdateGroup). */
export interface PendingGroup {
  dedupKey: string;
  name: string;
  currentVersion: string | null;
  targetVersion: string | null;
  origin: string | null;
  security: boolean;
  held: boolean;
  machineCount: number;
  machineIds: string[];
}

/** A chosen (change, machine) pair. */
export const pairKey = (dedupKey: string, machineId: string) => `${dedupKey}\u0000${machineId}`;

/**
 * The apply requests a selection makes: one `apt_upgrade` request per machine, limited to the packages chosen for it
 * (held changes are never applied, so never requested).
 */
export function requestsOf(
  groups: PendingGroup[],
  selected: ReadonlySet<string>,
): { machineId: string; packages: string[] }[] {
  const byMachine = new Map<string, Set<string>>();
  for (const g of groups) {
    if (g.held) continue;
    for (const m of g.machineIds) {
      if (!selected.has(pairKey(g.dedupKey, m))) continue;
      const names = byMachine.get(m) ?? new Set<string>();
      names.add(g.name);
      byMachine.set(m, names);
    }
  }
  return [...byMachine].map(([machineId, names]) => ({ machineId, packages: [...names].sort() }));
}
