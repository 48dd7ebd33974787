import type { DockerUpdateRow } from '@su/db';

/**
 * Seed 004 §6's Docker key: `image|fromDigest|toDigest`, or `image|fromImageId|toImageId` when a digest is missing.
 * Computed here (deterministic, backend side), so the same update on ten machines is one entry.
 */
export function dockerDedupKey(r: DockerUpdateRow): string {
  const image = r.imageRef ?? '';
  return r.currentDigest && r.candidateDigest
    ? [image, r.currentDigest, r.candidateDigest].join('|')
    : [image, r.currentImageId ?? '', r.candidateImageId ?? ''].join('|');
}

/** One entry per key, with every machine, stack and service using it, in the rows' order. */
export function dockerUpdateGroups(rows: readonly DockerUpdateRow[]) {
  const groups = new Map<
    string,
    {
      dedupKey: string;
      image: string | null;
      fromDigest: string | null;
      toDigest: string | null;
      newerSameMajor: string | null;
      newerOverall: string | null;
      uses: { machineId: string; machineName: string; stack: string; service: string }[];
    }
  >();
  for (const r of rows) {
    const key = dockerDedupKey(r);
    const g = groups.get(key) ?? {
      dedupKey: key,
      image: r.imageRef,
      fromDigest: r.currentDigest,
      toDigest: r.candidateDigest,
      newerSameMajor: r.newerSameMajor,
      newerOverall: r.newerOverall,
      uses: [],
    };
    g.uses.push({ machineId: r.machineId, machineName: r.machineName, stack: r.stackName, service: r.serviceName });
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ ...g, machineCount: new Set(g.uses.map((u) => u.machineId)).size }));
}
