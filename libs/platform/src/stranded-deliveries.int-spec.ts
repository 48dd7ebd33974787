import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, JobsRepository, sqlExecutor } from '@su/db';
import { JobQueue } from '@su/queue';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { redeliverStranded } from './stranded-deliveries.ts';

// A worker that took a delivery and died before starting its job, against a real PostgreSQL and pg-boss. The dying
// worker is played by a queue consumer whose handler never returns (as a SIGKILLed process never settles its
// delivery); the lock TTL passing is played by moving the delivery's start back.
let tdb: TestDatabase;
let db: Database;
let victim: JobQueue;
let rescuer: JobQueue;
const taken: string[] = [];
let releaseVictim: () => void = () => undefined;
let releaseRescuer: () => void = () => undefined;
const actor = { type: 'system', id: 'test' } as const;

const queueOpts = (name: string) => ({
  url: tdb.url,
  applicationName: name,
  listenNotify: true,
  pollingIntervalSeconds: 0.5,
  supervise: false,
});

async function queuedJob(): Promise<string> {
  const id = randomUUID();
  await db.transaction(async (tx) => {
    await new JobsRepository(tx).insert({
      id,
      kind: 'system.selftest',
      machineId: null,
      requestedBy: actor,
      payload: {},
    });
    await victim.send(
      { jobId: id, kind: 'system.selftest', machineId: null, payload: {} },
      { executor: sqlExecutor(tx) },
    );
  });
  return id;
}

async function deliveriesOf(jobId: string): Promise<{ state: string }[]> {
  return tdb.query(`SELECT state FROM pgboss.job WHERE data->>'jobId' = $1 ORDER BY created_on`, [jobId]);
}

async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ageDeliveries = () =>
  tdb.query(`UPDATE pgboss.job SET started_on = now() - interval '2 minutes' WHERE state = 'active'`);

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = Database.connect({ url: tdb.url });
  victim = new JobQueue(queueOpts('victim'));
  rescuer = new JobQueue(queueOpts('rescuer'));
  await victim.start();
  await rescuer.start();
  const hang = new Promise<void>((resolve) => (releaseVictim = resolve));
  await victim.work('system.selftest', { concurrency: 1, onInvalid: async () => undefined }, async (message) => {
    taken.push(message.jobId);
    await hang;
  });
}, 60_000);

afterAll(async () => {
  releaseVictim();
  releaseRescuer();
  await victim?.stop();
  await rescuer?.stop();
  await db?.close();
  await tdb?.drop();
});

describe('stranded deliveries', () => {
  it('send again, once, a job whose delivery died with its worker before it started', async () => {
    const id = await queuedJob();
    await until(async () => taken.includes(id));
    // Younger than the TTL: a live worker may still be starting it.
    expect(await redeliverStranded(db, rescuer, ['system.selftest'], 60)).toBe(0);

    await ageDeliveries();
    // Two workers sweeping at once: one of them sends it.
    const sent = await Promise.all([
      redeliverStranded(db, rescuer, ['system.selftest'], 60),
      redeliverStranded(db, victim, ['system.selftest'], 60),
    ]);
    expect(sent[0] + sent[1]).toBe(1);
    expect((await deliveriesOf(id)).map((d) => d.state)).toEqual(['failed', 'created']);
    const [row] = await tdb.query(`SELECT status FROM jobs WHERE id = $1`, [id]);
    expect(row.status).toBe('queued');
  });

  it('leave alone a delivery whose job started (a lost running job is the lock reconciler’s)', async () => {
    // The victim is busy with the first test's job; a second consumer takes the first job's new delivery and this
    // one, marks them running, and hangs in this one.
    const id = await queuedJob();
    const hang = new Promise<void>((resolve) => (releaseRescuer = resolve));
    await rescuer.work('system.selftest', { concurrency: 1, onInvalid: async () => undefined }, async (message) => {
      await new JobsRepository(db.prisma).markRunning(message.jobId, 'rescuer');
      if (message.jobId === id) await hang;
    });
    await until(async () => (await deliveriesOf(id)).some((d) => d.state === 'active'));
    await until(
      async () => (await tdb.query(`SELECT 1 FROM jobs WHERE id = $1 AND status = 'running'`, [id])).length === 1,
    );
    await ageDeliveries();
    expect(await redeliverStranded(db, rescuer, ['system.selftest'], 60)).toBe(0);
    expect((await deliveriesOf(id)).map((d) => d.state)).toEqual(['active']);
    // The first test's job, delivered again, was taken and started.
    const started = await tdb.query(`SELECT id FROM jobs WHERE status = 'running' AND worker_id = 'rescuer'`);
    expect(started).toHaveLength(2);
  });
});
