/** Units as Docker prints sizes (go-units HumanSize: decimal, 1 kB = 1000 B). */
const UNITS: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15 };

/** What `docker image prune` reports: the images it deleted and "Total reclaimed space", in bytes. */
export function parsePruneOutput(stdout: string): { imagesDeleted: string[]; bytesReclaimed: number } | null {
  const total = /^Total reclaimed space:\s*([\d.]+)\s*([kKMGTP]?B)\s*$/m.exec(stdout);
  if (!total?.[1] || !total[2]) return null;
  const imagesDeleted = [...stdout.matchAll(/^(?:deleted|untagged):\s*(\S+)\s*$/gim)].map((m) => m[1] ?? '');
  return { imagesDeleted, bytesReclaimed: Math.round(Number(total[1]) * (UNITS[total[2]] ?? 1)) };
}
