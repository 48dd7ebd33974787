import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@su/config';
import { Database, JobsRepository, MachinesRepository } from '@su/db';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { JobCloseHooks } from './job-close.hooks.ts';
import { MachineLockService } from './machine-lock.service.ts';

let tdb: TestDatabase;
let db: Database;
let locks: MachineLockService;
const machineId = randomUUID();
const actor = { type: 'system', id: 'test' } as const;

async function job(status = 'queued'): Promise<string> {
  const id = randomUUID();
  await new JobsRepository(db.prisma).insert({ id, kind: 'machine.probe', machineId, requestedBy: actor, payload: {} });
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
});
