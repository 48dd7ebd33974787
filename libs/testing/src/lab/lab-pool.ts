// Which lab each parallel lab test worker uses. Worker 1 keeps the default lab (0, as when the lab specs ran one
// at a time); the others take ids from the top (9, 8, ...) so they stay clear of the low ids people pick for their
// own labs (`SU_LAB_ID=1 npm run lab:up`). SU_LAB_POOL="0,9" overrides the list.
const DEFAULT_POOL = [0, 9, 8, 7];

export function labPool(raw: string | undefined): number[] {
  if (!raw) return DEFAULT_POOL;
  const ids = raw.split(',').map((s) => s.trim());
  if (ids.some((s) => !/^[0-9]$/.test(s))) throw new Error('SU_LAB_POOL must list lab ids 0-9, comma-separated');
  return ids.map(Number);
}

/** The lab id of test worker `poolId` (1-based, vitest's VITEST_POOL_ID). */
export function labIdForWorker(poolId: number, rawPool: string | undefined): number {
  const pool = labPool(rawPool);
  const id = pool[poolId - 1];
  if (id === undefined) throw new Error(`lab worker ${poolId} has no lab: SU_LAB_POOL lists ${pool.length}`);
  return id;
}

/** How many lab spec files run at once: one when a person chose the lab, else one per lab in the pool (at most 2:
 * a lab spec keeps one core busy in bursts, and these machines have two). */
export function labWorkers(env: { SU_LAB_ID?: string; SU_LAB_POOL?: string; SU_LAB_WORKERS?: string }): number {
  if (env.SU_LAB_ID) return 1;
  const wanted = env.SU_LAB_WORKERS ? Number(env.SU_LAB_WORKERS) : 2;
  if (!Number.isInteger(wanted) || wanted < 1) throw new Error('SU_LAB_WORKERS must be a positive integer');
  return Math.min(wanted, labPool(env.SU_LAB_POOL).length);
}
