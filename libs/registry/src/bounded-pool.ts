// Runs `fn` over `items` with at most `concurrency` calls in flight; results in input order. The registry scheduling
// around it (budgets, shared pauses) lives in RegistryRunState, so a plain pool is all that is needed here.
export async function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const queue = items.map((item, index) => ({ item, index }));
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) results[job.index] = await fn(job.item);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
