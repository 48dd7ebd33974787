// What autoremove removed and how much space autoremove/clean gave back.

export interface RemovedPackage {
  name: string;
  version: string | null;
}

/** "Remv x [1.0]" (simulation) or "Removing x (1.0) ..." (real run). */
export function parseRemovedPackages(output: string): RemovedPackage[] {
  const out: RemovedPackage[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m =
      /^Remv (\S+?)(?::\S+)?(?: \[([^\]]+)\])?(?: |$)/.exec(line) ??
      /^Removing (\S+?)(?::\S+)? \(([^)]+)\) \.\.\.$/.exec(line);
    const name = m?.[1];
    if (name && !out.some((p) => p.name === name)) out.push({ name, version: m?.[2] ?? null });
  }
  return out;
}

const UNITS: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/**
 * apt's "After this operation, 12.3 MB disk space will be freed." (SI units). 0 when apt said "additional disk
 * space will be used" or nothing; null when the line is absent.
 */
export function parseAptSpaceFreed(output: string): number | null {
  const m =
    /After this operation, ([\d.,]+) ([kMGT]?B) (disk space will be freed|of additional disk space will be used)/.exec(
      output,
    );
  if (!m) return null;
  const [, amount = '', unit = '', effect = ''] = m;
  if (!effect.includes('freed')) return 0;
  return Math.round(Number(amount.replace(/,/g, '')) * (UNITS[unit] ?? 1));
}

/** `du -sb DIR`: bytes. */
export function parseDuBytes(output: string): number | null {
  const m = /^(\d+)\s/m.exec(output);
  return m ? Number(m[1]) : null;
}
