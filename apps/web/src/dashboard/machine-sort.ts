import type { MachineView } from '../api/types.ts';
import { tileStatus, type TileStatus } from './machine-status.ts';

export const SORTS = ['status', 'name', 'updates', 'security'] as const;
export type Sort = (typeof SORTS)[number];

// Worst first: what needs a person comes to the top.
const STATUS_RANK: Record<TileStatus, number> = {
  blocked: 0,
  error: 1,
  offline: 2,
  security: 3,
  running: 4,
  updates: 5,
  unknown: 6,
  ok: 7,
};

const byName = (a: MachineView, b: MachineView) => a.name.localeCompare(b.name);

const compare: Record<Sort, (a: MachineView, b: MachineView) => number> = {
  name: byName,
  status: (a, b) => STATUS_RANK[tileStatus(a)] - STATUS_RANK[tileStatus(b)] || byName(a, b),
  updates: (a, b) => (b.state?.aptUpdatesCount ?? 0) - (a.state?.aptUpdatesCount ?? 0) || byName(a, b),
  security: (a, b) => (b.state?.aptSecurityCount ?? 0) - (a.state?.aptSecurityCount ?? 0) || byName(a, b),
};

export function isSort(v: string | null): v is Sort {
  return v !== null && (SORTS as readonly string[]).includes(v);
}

/** A sorted copy; ties by name so the order is stable between live refreshes. */
export function sortMachines(machines: MachineView[], sort: Sort): MachineView[] {
  return [...machines].sort(compare[sort]);
}
