import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@su/config';
import { Database, JobsRepository, MachineLocksRepository, MachinesRepository } from '@su/db';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { JobCloseHooks } from './job-close.hooks.ts';
import { MachineLockService } from './machine-lock.service.ts';

// The run-owned lock of a maintenance run (ADR 0031), on a real PostgreSQL: the run's job holds the machine from its
// first part to its last, its parts enter that lock one at a time, any other job waits, and a part whose worker died
// ends worker_lost while the run keeps the machine.
let tdb: TestDatabase;
let db: Database;
let locks: MachineLockService;
const machineId = randomUUID();
const actor = { type: 'system', id: 'test' } as const;
const TTL = 30;

async function job(parentJobId: string | null = null, running = true): Promise<string> {
  const id = randomUUID();
  const kind = parentJobId ? 'apt.upgrade' : 'machine.maintenance';
  await new JobsRepository(db.prisma).insert({ id, kind, machineId, requestedBy: actor, payload: {}, parentJobId });
  if (running) await new JobsRepository(db.prisma).markRunning(id, 'w');
  return id;
}
const lockRow = async () =>
  (await tdb.query(`SELECT job_id, part_job_id, expires_at FROM machine_locks WHERE machine_id = $1`, [machineId]))[0];
const runningJob = async () =>
  (await tdb.query(`SELECT running_job_id FROM machine_state WHERE machine_id = $1`, [machineId]))[0]?.running_job_id;
const expire = () => tdb.query(`UPDATE machine_locks SET expires_at = now() - interval '1 second'`);

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = Database.connect({ url: tdb.url });
  locks = new MachineLockService(db, loadConfig({ SU_LOCK_TTL_SECONDS: String(TTL) }), new JobCloseHooks());
  await new MachinesRepository(db.prisma).create(
    { id: machineId, name: 'm', hostname: '127.0.0.1', port: 9, username: 'u' },
    null,
  );
});

afterAll(async () => {
  await db.close();
  await tdb.drop();
});

describe('a run-owned machine lock', () => {
  it('lets the run’s parts in one at a time, keeps every other job out between parts, and frees the machine at the end', async () => {
    const run = await job();
    const owner = await locks.acquire(machineId, run, 'machine.maintenance', 'apt-worker:1');
    expect(owner).not.toBeNull();
    const other = await job(null, false);
    const apt = await job(run, false);
    const part = await locks.acquire(machineId, apt, 'apt.upgrade', 'apt-worker:1', run);
    expect(part).not.toBeNull();
    expect(await lockRow()).toMatchObject({ job_id: run, part_job_id: apt });
    expect(await runningJob()).toBe(apt);
    // A second part of the same run waits for the first; a job of no run waits for the whole run.
    const docker = await job(run, false);
    expect(await locks.acquire(machineId, docker, 'docker.apply', 'docker-worker:1', run)).toBeNull();
    expect(await locks.acquire(machineId, other, 'apt.update_analyze', 'apt-worker:2')).toBeNull();
    await part!.release();
    expect(await lockRow()).toMatchObject({ job_id: run, part_job_id: null });
    expect(await runningJob()).toBe(run);
    // Between parts the machine is still the run's.
    expect(await locks.acquire(machineId, other, 'apt.update_analyze', 'apt-worker:2')).toBeNull();
    const second = await locks.acquire(machineId, docker, 'docker.apply', 'docker-worker:1', run);
    expect(second).not.toBeNull();
    await second!.release();
    await owner!.release();
    expect(await lockRow()).toBeUndefined();
    const next = await locks.acquire(machineId, other, 'apt.update_analyze', 'apt-worker:2');
    expect(next).not.toBeNull();
    await next!.release();
  });

  it('a part of another run, or a part whose run holds no lock, does not get in', async () => {
    const run = await job();
    const stranger = await job(randomUUID(), false);
    expect(await locks.acquire(machineId, stranger, 'apt.upgrade', 'w', randomUUID())).toBeNull();
    const orphan = await job(run, false);
    expect(await locks.acquire(machineId, orphan, 'apt.upgrade', 'w', run)).toBeNull();
  });

  it('while a part is inside, the run’s own heartbeat does not extend the lock: the part’s worker keeps it alive', async () => {
    const run = await job();
    const owner = await locks.acquire(machineId, run, 'machine.maintenance', 'apt-worker:1');
    const part = await locks.acquire(machineId, await job(run, false), 'docker.apply', 'docker-worker:1', run);
    await tdb.query(`UPDATE machine_locks SET expires_at = now() + interval '5 seconds'`);
    const before = (await lockRow()).expires_at as Date;
    expect(await new MachineLocksRepository(db.prisma).heartbeat(machineId, run, TTL)).toBe(true);
    expect(((await lockRow()).expires_at as Date).getTime()).toBe(before.getTime());
    await part!.release();
    expect(await new MachineLocksRepository(db.prisma).heartbeat(machineId, run, TTL)).toBe(true);
    expect(((await lockRow()).expires_at as Date).getTime()).toBeGreaterThan(before.getTime());
    await owner!.release();
  });

  it('a part whose worker died ends worker_lost after the expiry; the run keeps the machine, then frees it', async () => {
    const run = await job();
    const owner = await locks.acquire(machineId, run, 'machine.maintenance', 'apt-worker:1');
    const dockerJob = await job(run, false);
    const part = await locks.acquire(machineId, dockerJob, 'docker.apply', 'docker-worker:9', run);
    await new JobsRepository(db.prisma).markRunning(dockerJob, 'docker-worker:9');
    // SIGKILL: the part's worker heartbeats no more (its timer is stopped here) and never releases.
    part!.stopHeartbeat();
    await expire();
    expect(await locks.reconcileExpired()).toBe(1);
    const [lost] = await tdb.query(`SELECT status, error_kind, error_message FROM jobs WHERE id = $1`, [dockerJob]);
    expect(lost).toMatchObject({ status: 'error', error_kind: 'worker_lost' });
    expect(lost.error_message).toMatch(/docker-worker:9/);
    const [runJob] = await tdb.query(`SELECT status FROM jobs WHERE id = $1`, [run]);
    expect(runJob.status).toBe('running');
    expect(await lockRow()).toMatchObject({ job_id: run, part_job_id: null });
    expect(owner!.lost.aborted).toBe(false);
    const other = await job(null, false);
    expect(await locks.acquire(machineId, other, 'apt.update_analyze', 'apt-worker:2')).toBeNull();
    await owner!.release();
    const next = await locks.acquire(machineId, other, 'apt.update_analyze', 'apt-worker:2');
    expect(next).not.toBeNull();
    await next!.release();
  });

  it('a run whose own worker died ends worker_lost once its lock expires, and the next job gets the machine', async () => {
    const run = await job();
    const owner = await locks.acquire(machineId, run, 'machine.maintenance', 'apt-worker:7');
    owner!.stopHeartbeat();
    await expire();
    const next = await job(null, false);
    const taken = await locks.acquire(machineId, next, 'apt.update_analyze', 'apt-worker:2');
    expect(taken).not.toBeNull();
    const [row] = await tdb.query(`SELECT status, error_kind FROM jobs WHERE id = $1`, [run]);
    expect(row).toMatchObject({ status: 'error', error_kind: 'worker_lost' });
    await taken!.release();
  });
});
