/**
 * One pending change of the fleet view (`GET /updates/pending`, libs/db PendingGroupCount): how many machines need
 * it; which ones is read per change, on demand (`GET /updates/pending/machines`).
 */
export interface PendingGroup {
  dedupKey: string;
  name: string;
  currentVersion: string | null;
  targetVersion: string | null;
  origin: string | null;
  security: boolean;
  held: boolean;
  machineCount: number;
}

/** A machine that needs a change, as `GET /updates/pending/machines` lists it. */
export interface PendingMachine {
  id: string;
  name: string;
}

const SEP = '\u0000';

/** A chosen (change, machine) pair. */
export const pairKey = (dedupKey: string, machineId: string) => `${dedupKey}${SEP}${machineId}`;

/**
 * The apply requests a selection makes: one `apt_upgrade` request per machine, limited to the packages chosen for it
 * (held changes are never applied, so never requested).
 */
export function requestsOf(
  groups: PendingGroup[],
  selected: ReadonlySet<string>,
): { machineId: string; packages: string[] }[] {
  const nameOf = new Map(groups.filter((g) => !g.held).map((g) => [g.dedupKey, g.name] as const));
  const byMachine = new Map<string, Set<string>>();
  for (const pair of selected) {
    const [dedupKey, machineId] = pair.split(SEP) as [string, string];
    const name = nameOf.get(dedupKey);
    if (name === undefined) continue;
    const names = byMachine.get(machineId) ?? new Set<string>();
    names.add(name);
    byMachine.set(machineId, names);
  }
  return [...byMachine]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([machineId, names]) => ({ machineId, packages: [...names].sort() }));
}
