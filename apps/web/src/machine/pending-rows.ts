import type { AptPackage, AptSnapshotDetail } from '@su/contracts';

export const PACKAGE_FLAGS = ['security', 'keptBack', 'held', 'phased'] as const;
export type PackageFlag = (typeof PACKAGE_FLAGS)[number];

export interface PendingRow {
  name: string;
  from: string | null;
  to: string | null;
  origin: string | null;
  suite: string | null;
  flags: PackageFlag[];
}

function rowOf(p: AptPackage, extra: PackageFlag[] = []): PendingRow {
  const flags = new Set<PackageFlag>(extra);
  if (p.security) flags.add('security');
  if (p.keptBack) flags.add('keptBack');
  if (p.held) flags.add('held');
  if (p.phased) flags.add('phased');
  return {
    name: p.name,
    from: p.currentVersion,
    to: p.targetVersion,
    origin: p.originName ?? p.origin,
    suite: p.suite,
    flags: PACKAGE_FLAGS.filter((f) => flags.has(f)),
  };
}

/**
 * One row per pending package of an analysis: the actionable ones, then those kept back, held or phased (which apt
 * does not apply now), each with its flags. Security first, then by name.
 */
export function pendingRows(apt: Partial<AptSnapshotDetail>): PendingRow[] {
  const rows = new Map<string, PendingRow>();
  const add = (r: PendingRow) => {
    const had = rows.get(r.name);
    rows.set(
      r.name,
      had ? { ...had, flags: PACKAGE_FLAGS.filter((f) => had.flags.includes(f) || r.flags.includes(f)) } : r,
    );
  };
  for (const p of apt.packages ?? []) if (p.operation !== 'remove') add(rowOf(p));
  for (const p of apt.keptBack ?? []) add(rowOf(p, ['keptBack']));
  for (const p of apt.heldPackages ?? []) add(rowOf(p, ['held']));
  for (const name of apt.phased ?? [])
    add({ name, from: null, to: null, origin: null, suite: null, flags: ['phased'] });
  return [...rows.values()].sort(
    (a, b) =>
      Number(b.flags.includes('security')) - Number(a.flags.includes('security')) || a.name.localeCompare(b.name),
  );
}
