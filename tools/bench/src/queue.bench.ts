import { Database } from '@su/db';
import { JobCloseHooks, JobsService } from '@su/platform';
import { JobQueue } from '@su/queue';
import { benchDatabase } from './bench-database.ts';
import { printTable, summary } from './stats.ts';

const ACTOR = { type: 'system', id: 'bench' } as const;

/**
 * enqueue → handler-start latency through the real path (jobs row + pg-boss job in one transaction, then a worker
 * of the same process), with LISTEN/NOTIFY and with pg-boss's default 2 s polling; and the time to enqueue 1,000
 * jobs in one batch.
 */
async function latency(url: string, listenNotify: boolean, count: number, gapMs: number) {
  const db = Database.connect({ url, applicationName: 'su-bench' });
  const queue = new JobQueue({ url, applicationName: 'su-bench-queue', listenNotify, pollingIntervalSeconds: 2 });
  await queue.start();
  const jobs = new JobsService(db, queue, new JobCloseHooks());
  const enqueuedAt = new Map<string, number>();
  const measured = new Set<string>();
  const latencies: number[] = [];
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => (done = r));
  await queue.work('system.selftest', { concurrency: 4, onInvalid: async () => undefined }, async (m) => {
    const t = performance.now();
    if (!measured.has(m.jobId) && m.payload.echo !== 'measure') return;
    // The handler can start before `enqueue` returned to us (NOTIFY fires at commit): wait for the stamp.
    while (!enqueuedAt.has(m.jobId)) await new Promise((r) => setImmediate(r));
    latencies.push(t - enqueuedAt.get(m.jobId)!);
    if (latencies.length === count) done();
  });
  // Warm-up: connections, prepared plans, the listener.
  for (let i = 0; i < 5; i++) await jobs.enqueue({ kind: 'system.selftest', payload: {}, actor: ACTOR });
  await new Promise((r) => setTimeout(r, listenNotify ? 200 : 2500));
  for (let i = 0; i < count; i++) {
    // Stamp after commit: what a caller of the API experiences as "queued".
    const job = await jobs.enqueue({ kind: 'system.selftest', payload: { echo: 'measure' }, actor: ACTOR });
    enqueuedAt.set(job.id, performance.now());
    measured.add(job.id);
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
  }
  await Promise.race([all, new Promise((r) => setTimeout(r, 60_000).unref())]);
  if (latencies.length < count) console.error(`only ${latencies.length} of ${count} jobs started within 60 s`);
  await queue.stop();
  await db.close();
  return summary(latencies);
}

async function batch(url: string, size: number, rounds: number) {
  const db = Database.connect({ url, applicationName: 'su-bench' });
  const queue = new JobQueue({
    url,
    applicationName: 'su-bench-queue',
    listenNotify: false,
    pollingIntervalSeconds: 2,
  });
  await queue.start();
  const jobs = new JobsService(db, queue, new JobCloseHooks());
  const items = Array.from({ length: size }, (_, i) => ({ payload: { echo: `m${i}` } }));
  await jobs.enqueueMany('docker.selftest', items.slice(0, 10), ACTOR);
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    await jobs.enqueueMany('docker.selftest', items, ACTOR);
    times.push(performance.now() - t0);
  }
  await queue.stop();
  await db.close();
  return summary(times);
}

export async function queueBench(): Promise<void> {
  const { url, close } = await benchDatabase('queue');
  try {
    const notify = await latency(url, true, 1000, 2);
    const polling = await latency(url, false, 200, 5);
    const b = await batch(url, 1000, 10);
    printTable(
      'queue: enqueue → handler start (jobs row + pg-boss job in one transaction; worker in the same process)',
      ['mode', 'jobs', 'p50 ms', 'p99 ms', 'max ms', 'target'],
      [
        ['LISTEN/NOTIFY (ours)', notify.n, notify.p50, notify.p99, notify.max, 'p50 <= 10, p99 <= 50'],
        ['pg-boss default polling (2 s)', polling.n, polling.p50, polling.p99, polling.max, '(peer, for comparison)'],
      ],
    );
    printTable(
      'queue: enqueue 1,000 jobs in one batch (jobs rows + pg-boss insert, one transaction)',
      ['rounds', 'p50 ms', 'max ms', 'target'],
      [[b.n, b.p50, b.max, '<= 100']],
    );
  } finally {
    await close();
  }
}
