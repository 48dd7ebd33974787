import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@su/config';
import { Database, JobClaimRepository, JobsRepository, MachinesRepository } from '@su/db';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { JobCloseHooks } from './job-close.hooks.ts';
import { MachineLockService } from './machine-lock.service.ts';

let tdb: TestDatabase;
let db: Database;
let locks: MachineLockService;
const machineId = randomUUID();
const actor = { type: 'system', id: 'test' } as const;

async function job(status = 'queued', kind: 'machine.probe' | 'apt.update_analyze' = 'machine.probe'): Promise<string> {
  const id = randomUUID();
  await new JobsRepository(db.prisma).insert({ id, kind, machineId, requestedBy: actor, payload: {} });
  if (status === 'running') await new JobsRepository(db.prisma).markRunning(id, 'w');
  return id;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = Database.connect({ url: tdb.url });
  // No job of this file belongs to a schedule run or a request: nothing needs to follow a job's end.
  const hooks = new JobCloseHooks();
  locks = new MachineLockService(db, loadConfig({ SU_LOCK_TTL_SECONDS: '5' }), hooks);
  await new MachinesRepository(db.prisma).create(
    { id: machineId, name: 'm', hostname: '127.0.0.1', port: 9, username: 'u' },
    null,
  );
});

afterAll(async () => {
  await db.close();
  await tdb.drop();
});

describe('machine locks', () => {
  it('let one job hold a machine at a time and record it as the running job', async () => {
    const a = await job();
    const b = await job();
    const held = await locks.acquire(machineId, a, 'exclusive', 'w1');
    expect(held).not.toBeNull();
    expect(await locks.acquire(machineId, b, 'exclusive', 'w2')).toBeNull();
    const [state] = await tdb.query(`SELECT running_job_id FROM machine_state WHERE machine_id = $1`, [machineId]);
    expect(state.running_job_id).toBe(a);
    await held!.release();
    const next = await locks.acquire(machineId, b, 'exclusive', 'w2');
    expect(next).not.toBeNull();
    await next!.release();
    expect(await tdb.query(`SELECT * FROM machine_locks`)).toEqual([]);
  });

  it("close a dead worker's job as worker_lost when its lock expires, and hand the machine to the next job", async () => {
    const dead = await job('running');
    const held = await locks.acquire(machineId, dead, 'exclusive', 'dead-worker');
    expect(held).not.toBeNull();
    // The worker is killed: no more heartbeats, no release. Simulate the TTL passing.
    await tdb.query(`UPDATE machine_locks SET expires_at = now() - interval '1 second' WHERE job_id = $1`, [dead]);
    const next = await job();
    const taken = await locks.acquire(machineId, next, 'exclusive', 'w3');
    expect(taken).not.toBeNull();
    const [row] = await tdb.query(`SELECT status, error_kind, error_message FROM jobs WHERE id = $1`, [dead]);
    expect(row).toMatchObject({ status: 'error', error_kind: 'worker_lost' });
    expect(row.error_message).toMatch(/dead-worker/);
    const events = await tdb.query(`SELECT event_type FROM machine_events WHERE job_id = $1`, [dead]);
    expect(events.map((e: { event_type: string }) => e.event_type)).toContain('job.worker_lost');
    await taken!.release();
  });

  it('signal the holder when its lock was taken over', async () => {
    const a = await job('running');
    const held = await locks.acquire(machineId, a, 'exclusive', 'slow');
    await tdb.query(`UPDATE machine_locks SET expires_at = now() - interval '1 second'`);
    expect(await locks.reconcileExpired()).toBe(1);
    // The next heartbeat (every ttl/3 ≈ 1.7 s) finds the row gone.
    await new Promise((r) => setTimeout(r, 2200));
    expect(held!.lost.aborted).toBe(true);
    await held!.release();
  });

  it("hand a finished job's machine its next queued job of the kinds asked, and let only one of two claims of a job start it", async () => {
    const claims = new JobClaimRepository(db);
    const claim = (jobId: string, workerId: string) =>
      claims.claimWithLock({ jobId, machineId, lockKind: 'read', workerId, ttlSeconds: 5 });
    const probe = await job();
    const analysis = await job('queued', 'apt.update_analyze');
    expect(await claim(probe, 'w1')).toMatchObject({ started: true, locked: true });
    // The analysis' own delivery, on another worker, finds the machine busy.
    expect(await claim(analysis, 'w2')).toMatchObject({ status: 'queued', started: false, locked: false });
    const none = await claims.finishOk({ jobId: probe, machineId, result: {}, chainKinds: [] });
    expect(none).toEqual({ finished: true, next: null });
    // Finished again (it overwrites), now asking for the read-only kinds: the queued analysis is handed over.
    await tdb.query(`UPDATE jobs SET status = 'running' WHERE id = $1`, [probe]);
    const end = await claims.finishOk({ jobId: probe, machineId, result: {}, chainKinds: ['apt.update_analyze'] });
    expect(end).toEqual({ finished: true, next: { id: analysis, kind: 'apt.update_analyze', payload: {} } });
    // The worker that finished the probe takes it while the delivery's next try is on its way: that try waits for the
    // taking to commit, then reads the job running and leaves its lock alone (it used to take the lock over).
    const w1 = await db.pool.connect();
    try {
      await w1.query('BEGIN');
      await w1.query(`SELECT status FROM jobs WHERE id = $1 FOR UPDATE`, [analysis]);
      await w1.query(`UPDATE jobs SET status = 'running', worker_id = 'w1' WHERE id = $1`, [analysis]);
      await w1.query(
        `INSERT INTO machine_locks (machine_id, job_id, lock_kind, worker_id, created_at, expires_at)
         VALUES ($1, $2, 'read', 'w1', now(), now() + interval '5 seconds')`,
        [machineId, analysis],
      );
      const second = claim(analysis, 'w2');
      await new Promise((r) => setTimeout(r, 300));
      await w1.query('COMMIT');
      expect(await second).toMatchObject({ status: 'running', started: false, locked: false });
    } finally {
      w1.release();
    }
    const [lock] = await tdb.query(`SELECT job_id, worker_id FROM machine_locks WHERE machine_id = $1`, [machineId]);
    expect(lock).toEqual({ job_id: analysis, worker_id: 'w1' });
    const last = await claims.finishOk({ jobId: analysis, machineId, result: {}, chainKinds: ['apt.update_analyze'] });
    expect(last).toEqual({ finished: true, next: null });
    expect(await tdb.query(`SELECT * FROM machine_locks`)).toEqual([]);
  });
});
