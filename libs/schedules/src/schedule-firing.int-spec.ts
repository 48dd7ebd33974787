import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@su/config';
import type { MaintenanceOptions } from '@su/contracts';
import { Database, JobsRepository, MachinesRepository, SchedulesRepository } from '@su/db';
import { JobCloseHooks } from '@su/platform';
import { RunJobCloseHook, ScheduleRunAdvancer } from '@su/runs';
import { JobQueue } from '@su/queue';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { ScheduleFiringService } from './schedule-firing.service.ts';

// The scheduler's database side, against a real PostgreSQL and pg-boss: firing, exactly-once, missed slots, and how
// a run moves forward as its jobs close (workers are played by this file: it takes queued jobs and closes them the
// way the job runner does, through the same close hooks).
let tdb: TestDatabase;
let db: Database;
let queue: JobQueue;
let advancer: ScheduleRunAdvancer;
let hooks: JobCloseHooks;
const machines: string[] = [];
const actor = { type: 'user' as const, id: 'test', label: 'test' };

function firing(env: Record<string, string> = {}) {
  return new ScheduleFiringService(
    db,
    loadConfig({ DATABASE_URL: tdb.url, ...env }),
    { service: 'scheduler', config: loadConfig({ DATABASE_URL: tdb.url }), databaseUrl: tdb.url },
    advancer,
  );
}

async function schedule(
  fields: Partial<{
    actions: string[];
    concurrency: number;
    approvalPolicy: string;
    windowMinutes: number | null;
    maintenance: MaintenanceOptions;
  }>,
  nextRunAt: Date,
  tag = 'fleet',
) {
  const s = await new SchedulesRepository(db.prisma).create({
    name: `s-${randomUUID().slice(0, 8)}`,
    enabled: true,
    cron: '* * * * *',
    timezone: 'UTC',
    scope: { tags: [tag] },
    actions: fields.actions ?? ['apt_update_analyze', 'apt_upgrade'],
    concurrency: fields.concurrency ?? 1,
    approvalPolicy: fields.approvalPolicy ?? 'none',
    windowMinutes: fields.windowMinutes ?? null,
    maintenance: fields.maintenance ?? null,
    nextRunAt,
  });
  return s.id;
}

const minuteFloor = (t: number) => new Date(Math.floor(t / 60_000) * 60_000);
const q = <T = any>(sql: string, ...args: unknown[]) => db.prisma.$queryRawUnsafe<T[]>(sql, ...args);

/** Plays a worker: closes one of the run's queued jobs with `status` (running first, as a real worker would). */
async function work(jobId: string, status: 'ok' | 'error') {
  const jobs = new JobsRepository(db.prisma);
  expect(await jobs.markRunning(jobId, 'test-worker')).toBe(true);
  await db.transaction(async (tx) => {
    await new JobsRepository(tx).markFinished(jobId, {
      status,
      ...(status === 'error' ? { errorKind: 'command_failed', errorMessage: 'boom' } : {}),
    });
    await hooks.closed(tx, jobId);
  });
}

async function runOf(scheduleId: string) {
  const [run] = await q(`SELECT * FROM schedule_runs WHERE schedule_id = $1::uuid AND status <> 'skipped'`, scheduleId);
  return run;
}
const queuedOf = (runId: string) =>
  q<{ id: string; machine_id: string; step: number; kind: string }>(
    `SELECT j.id, j.machine_id, j.step, j.kind FROM jobs j JOIN schedule_run_machines m ON m.id = j.run_machine_id
     WHERE m.run_id = $1::uuid AND j.status = 'queued' ORDER BY m.position, j.step`,
    runId,
  );
const runningMachines = async (runId: string) =>
  Number(
    (
      await q(
        `SELECT count(*)::int AS n FROM schedule_run_machines WHERE run_id = $1::uuid AND status = 'running'`,
        runId,
      )
    )[0].n,
  );

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = Database.connect({ url: tdb.url });
  queue = new JobQueue({ url: tdb.url, applicationName: 'su-test', listenNotify: false, pollingIntervalSeconds: 2 });
  await queue.start();
  advancer = new ScheduleRunAdvancer(queue);
  hooks = new JobCloseHooks();
  new RunJobCloseHook(advancer, hooks).onModuleInit();
  const repo = new MachinesRepository(db.prisma);
  for (const name of ['alpha', 'bravo', 'charlie', 'other']) {
    const id = randomUUID();
    await repo.create({ id, name, hostname: '127.0.0.1', port: 22, username: 'u' }, null);
    await repo.setTags(id, [name === 'other' ? 'elsewhere' : 'fleet']);
    machines.push(id);
  }
});

afterAll(async () => {
  await queue?.stop();
  await db?.close();
  await tdb?.drop();
});

describe('schedule firing (database)', () => {
  it('a due slot fires once, even when two schedulers handle it at the same moment', async () => {
    const slot = minuteFloor(Date.now());
    const id = await schedule({ concurrency: 2 }, slot);
    const [a, b] = [firing(), firing()];
    await Promise.all([a.fire(id), b.fire(id), a.fire(id)]);
    const runs = await q(`SELECT * FROM schedule_runs WHERE schedule_id = $1::uuid`, id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'running', machine_count: 3, concurrency: 2 });
    expect(runs[0].slot_at.getTime()).toBe(slot.getTime());
    // All steps of all machines were created in the fan-out; only the first step of the first two machines is queued.
    const jobs = await q(`SELECT status, step, kind FROM jobs WHERE schedule_id = $1::uuid`, id);
    expect(jobs).toHaveLength(6);
    expect(jobs.filter((j) => j.status === 'queued').map((j) => [j.step, j.kind])).toEqual([
      [0, 'apt.update_analyze'],
      [0, 'apt.update_analyze'],
    ]);
    // pg-boss holds exactly the released ones.
    const [boss] = await q(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'apt.update_analyze' AND data->>'jobId' IN (SELECT id::text FROM jobs WHERE schedule_id = $1::uuid)`,
      id,
    );
    expect(boss.n).toBe(2);
    const [s] = await q(`SELECT next_run_at FROM schedules WHERE id = $1::uuid`, id);
    expect(s.next_run_at.getTime()).toBeGreaterThan(Date.now());
  });

  it('a fan-out raises one live event per released step and per started machine, none for the waiting steps', async () => {
    const id = await schedule({ concurrency: 2 }, minuteFloor(Date.now()));
    const [{ last }] = await q(`SELECT coalesce(max(id), 0) AS last FROM live_events`);
    await firing().fire(id);
    const run = await runOf(id);
    const events = await q(`SELECT type, machine_id, job_id, payload FROM live_events WHERE id > $1 ORDER BY id`, last);
    const released = await queuedOf(run.id);
    expect(released).toHaveLength(2);
    const byMachine = (a: { machineId: string }, b: { machineId: string }) => a.machineId.localeCompare(b.machineId);
    expect(
      events
        .filter((e) => e.type === 'job.status')
        .map((e) => e.payload)
        .sort(byMachine),
    ).toEqual(
      released
        .map((j) => ({
          jobId: j.id,
          kind: 'apt.update_analyze',
          machineId: j.machine_id,
          status: 'queued',
          errorKind: null,
          requestId: null,
          scheduleId: id,
          startedAt: null,
        }))
        .sort(byMachine),
    );
    expect(
      events
        .filter((e) => e.type === 'schedule_run.machine')
        .map((e) => e.payload)
        .sort(byMachine),
    ).toEqual(
      released
        .map((j) => ({ runId: run.id, machineId: j.machine_id, status: 'running', currentStep: 0, errorKind: null }))
        .sort(byMachine),
    );
    // The 4 waiting steps (2 of the started machines, 2 of the third) and the pending machine raised nothing.
    expect(events).toHaveLength(4);
  });

  it('missed slots: the latest one inside the grace period fires, the older ones are recorded as skipped', async () => {
    const latest = minuteFloor(Date.now());
    const id = await schedule({}, new Date(latest.getTime() - 3 * 60_000));
    await firing({ SU_SCHEDULE_GRACE_SECONDS: '600' }).fire(id);
    const runs = await q(
      `SELECT slot_at, status, reason FROM schedule_runs WHERE schedule_id = $1::uuid ORDER BY slot_at`,
      id,
    );
    expect(runs.map((r) => r.status)).toEqual(['skipped', 'skipped', 'skipped', 'running']);
    expect(runs[3].slot_at.getTime()).toBe(latest.getTime());
    expect(runs[0].reason).toMatch(/missed/);
  });

  it('a slot older than the grace period is recorded as skipped and runs nothing', async () => {
    const id = await schedule({}, new Date(minuteFloor(Date.now()).getTime() - 10 * 60_000));
    await firing({ SU_SCHEDULE_GRACE_SECONDS: '0' }).fire(id);
    const runs = await q(`SELECT status, reason FROM schedule_runs WHERE schedule_id = $1::uuid ORDER BY slot_at`, id);
    expect(runs.length).toBeGreaterThanOrEqual(10);
    expect(runs.every((r) => r.status === 'skipped')).toBe(true);
    expect(runs.at(-1).reason).toMatch(/grace period 0 s/);
    expect(await q(`SELECT id FROM jobs WHERE schedule_id = $1::uuid`, id)).toEqual([]);
  });

  it('never more than `concurrency` machines at once; steps in order; a failed step skips the machine’s later steps', async () => {
    const id = await schedule({ concurrency: 2 }, minuteFloor(Date.now()));
    await firing().fire(id);
    const run = await runOf(id);
    let maxRunning = 0;
    const order: string[] = [];
    for (let i = 0; i < 20; i++) {
      const queued = await queuedOf(run.id);
      if (!queued.length) break;
      maxRunning = Math.max(maxRunning, await runningMachines(run.id));
      const j = queued[0]!;
      order.push(`${machines.indexOf(j.machine_id)}:${j.step}`);
      // bravo's analysis fails: its apply must never be released.
      await work(j.id, machines.indexOf(j.machine_id) === 1 && j.step === 0 ? 'error' : 'ok');
    }
    expect(maxRunning).toBe(2);
    // alpha goes through both steps; charlie starts only when bravo's failure frees a slot.
    expect(order).toEqual(['0:0', '0:1', '1:0', '2:0', '2:1']);
    const ms = await q(
      `SELECT machine_id, status, error_kind FROM schedule_run_machines WHERE run_id = $1::uuid ORDER BY position`,
      run.id,
    );
    expect(ms.map((m) => m.status)).toEqual(['ok', 'error', 'ok']);
    const skipped = await q(
      `SELECT j.error_kind FROM jobs j JOIN schedule_run_machines m ON m.id = j.run_machine_id WHERE m.run_id = $1::uuid AND j.status = 'skipped'`,
      run.id,
    );
    expect(skipped).toEqual([{ error_kind: 'previous_step_failed' }]);
    expect((await runOf(id)).status).toBe('partial');
  });

  it('concurrency 1: one machine at a time, each through all its steps', async () => {
    const id = await schedule({ concurrency: 1 }, minuteFloor(Date.now()));
    await firing().fire(id);
    const run = await runOf(id);
    const order: string[] = [];
    for (let i = 0; i < 20; i++) {
      const queued = await queuedOf(run.id);
      if (!queued.length) break;
      expect(queued).toHaveLength(1);
      expect(await runningMachines(run.id)).toBe(1);
      order.push(`${machines.indexOf(queued[0]!.machine_id)}:${queued[0]!.step}`);
      await work(queued[0]!.id, 'ok');
    }
    expect(order).toEqual(['0:0', '0:1', '1:0', '1:1', '2:0', '2:1']);
    expect((await runOf(id)).status).toBe('ok');
  });

  it('after the maintenance window no machine starts; started ones finish', async () => {
    const id = await schedule({ concurrency: 1, windowMinutes: 1 }, minuteFloor(Date.now()));
    await firing().fire(id);
    const run = await runOf(id);
    const [first] = await queuedOf(run.id);
    await work(first!.id, 'ok');
    // The window closes while alpha is at its second step.
    await q(`UPDATE schedule_runs SET window_ends_at = now() - interval '1 second' WHERE id = $1::uuid`, run.id);
    const [second] = await queuedOf(run.id);
    expect(second!.step).toBe(1);
    await work(second!.id, 'ok');
    expect(await queuedOf(run.id)).toEqual([]);
    const ms = await q(
      `SELECT status, error_kind FROM schedule_run_machines WHERE run_id = $1::uuid ORDER BY position`,
      run.id,
    );
    expect(ms).toEqual([
      { status: 'ok', error_kind: null },
      { status: 'skipped', error_kind: 'window_closed' },
      { status: 'skipped', error_kind: 'window_closed' },
    ]);
    expect((await runOf(id)).status).toBe('partial');
  });

  it('require_approval: the risky step waits for a request bound to the analysed plan; approval releases it', async () => {
    const id = await schedule(
      { concurrency: 1, approvalPolicy: 'require_approval', actions: ['apt_update_analyze', 'apt_upgrade'] },
      minuteFloor(Date.now()),
    );
    await firing().fire(id);
    const run = await runOf(id);
    const [analyse] = await queuedOf(run.id);
    await work(analyse!.id, 'ok');
    // alpha now waits for a person, which frees the slot: bravo's analysis is queued.
    const [req] = await q(`SELECT * FROM action_requests WHERE schedule_run_id = $1::uuid`, run.id);
    expect(req).toMatchObject({
      status: 'pending',
      action: 'apt_upgrade',
      risk: 'medium',
      requested_by_type: 'schedule',
    });
    expect(req.plan_hash).toMatch(/^[0-9a-f]{64}$/);
    const [apply] = await q(`SELECT status, request_id, payload FROM jobs WHERE id = $1::uuid`, req.job_id);
    expect(apply).toMatchObject({ status: 'waiting', request_id: req.id });
    expect(apply.payload.approvedPlan).toMatchObject({ requestId: req.id, hash: req.plan_hash, allowSuperset: false });
    const queued = await queuedOf(run.id);
    expect(queued.map((j) => [machines.indexOf(j.machine_id), j.step])).toEqual([[1, 0]]);
    await work(queued[0]!.id, 'ok');
    await work((await queuedOf(run.id))[0]!.id, 'ok');
    // Approving alpha's request: alpha resumes first once a slot is free (no one is running now).
    await db.transaction(async (tx) => {
      await tx.$executeRawUnsafe(`UPDATE action_requests SET status = 'approved' WHERE id = $1::uuid`, req.id);
      await advancer.approved(tx, req.job_id);
    });
    const after = await queuedOf(run.id);
    expect(after.map((j) => j.id)).toEqual([req.job_id]);
    await work(req.job_id, 'ok');
    const [done] = await q(`SELECT status, execution_id FROM action_requests WHERE id = $1::uuid`, req.id);
    expect(done.status).toBe('executed');
    // The others got their own requests; rejecting one skips its machine.
    const others = await q(
      `SELECT id, job_id FROM action_requests WHERE schedule_run_id = $1::uuid AND status = 'pending'`,
      run.id,
    );
    expect(others).toHaveLength(2);
    for (const o of others)
      await db.transaction(async (tx) => {
        await tx.$executeRawUnsafe(`UPDATE action_requests SET status = 'rejected' WHERE id = $1::uuid`, o.id);
        await advancer.declined(tx, o.job_id, 'approval_rejected', 'rejected by test');
      });
    const ms = await q(
      `SELECT status, error_kind FROM schedule_run_machines WHERE run_id = $1::uuid ORDER BY position`,
      run.id,
    );
    expect(ms.map((m) => m.status)).toEqual(['ok', 'skipped', 'skipped']);
    expect(ms[1].error_kind).toBe('approval_rejected');
    expect((await runOf(id)).status).toBe('partial');
  });

  it('analyse_only leaves the risky steps out of the run', async () => {
    const id = await schedule(
      { approvalPolicy: 'analyse_only', actions: ['apt_update_analyze', 'apt_upgrade', 'reboot_verified'] },
      minuteFloor(Date.now()),
    );
    await firing().fire(id);
    const run = await runOf(id);
    expect(run.actions_json).toEqual(['apt_update_analyze']);
    const kinds = await q(`SELECT DISTINCT kind FROM jobs WHERE schedule_id = $1::uuid`, id);
    expect(kinds).toEqual([{ kind: 'apt.update_analyze' }]);
    // Only risky actions: the slot is recorded as skipped, with the reason, and nothing runs.
    const none = await schedule({ approvalPolicy: 'analyse_only', actions: ['apt_upgrade'] }, minuteFloor(Date.now()));
    await firing().fire(none);
    const [r] = await q(`SELECT status, reason FROM schedule_runs WHERE schedule_id = $1::uuid`, none);
    expect(r).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/analyse_only/) });
    expect(await q(`SELECT id FROM jobs WHERE schedule_id = $1::uuid`, none)).toEqual([]);
  });

  it('a step whose end was recorded without moving its run is moved on by the stalled-run sweep', async () => {
    const id = await schedule({ concurrency: 1 }, minuteFloor(Date.now()));
    await firing().fire(id);
    const run = await runOf(id);
    const [first] = await queuedOf(run.id);
    // What the job runner's fallback does when recording the end failed: the job closes, the run does not move.
    const jobs = new JobsRepository(db.prisma);
    await jobs.markRunning(first!.id, 'test-worker');
    await jobs.markFinished(first!.id, { status: 'ok' });
    expect(await queuedOf(run.id)).toEqual([]);
    expect(await advancer.sweepStalled(db)).toBe(1);
    const [next] = await queuedOf(run.id);
    expect([machines.indexOf(next!.machine_id), next!.step]).toEqual([0, 1]);
    expect(await advancer.sweepStalled(db)).toBe(0);
  });

  it('cancelling a waiting step closes that machine and lets the run go on', async () => {
    const id = await schedule({ concurrency: 1 }, minuteFloor(Date.now()));
    await firing().fire(id);
    const run = await runOf(id);
    const [{ id: waitingId }] = await q(
      `SELECT j.id FROM jobs j JOIN schedule_run_machines m ON m.id = j.run_machine_id
       WHERE m.run_id = $1::uuid AND m.position = 2 AND j.step = 0`,
      run.id,
    );
    await db.transaction(async (tx) => {
      expect(await new JobsRepository(tx).cancelQueued(waitingId, 'test')).toBe(true);
      await hooks.closed(tx, waitingId);
    });
    for (let i = 0; i < 10; i++) {
      const [j] = await queuedOf(run.id);
      if (!j) break;
      await work(j.id, 'ok');
    }
    const ms = await q(`SELECT status FROM schedule_run_machines WHERE run_id = $1::uuid ORDER BY position`, run.id);
    expect(ms.map((m) => m.status)).toEqual(['ok', 'cancelled', 'ok']);
    expect(actor).toBeDefined();
  });
  it('require_approval on docker_apply: the request is bound to the digests the latest check saw', async () => {
    const other = machines[3]!;
    const digest = `sha256:${'ab'.repeat(32)}`;
    const [stack] = await q(
      `INSERT INTO docker_compose_stacks (machine_id, name, working_dir, compose_files_json, status, choice, detected_by)
       VALUES ($1::uuid, 'web', '/srv/web', '["compose.yaml"]'::jsonb, 'enabled', 'enabled', 'root_scan') RETURNING id`,
      other,
    );
    await q(
      `INSERT INTO docker_stack_services (stack_id, service_name, image_ref, current_digest, candidate_digest, status)
       VALUES ($1::uuid, 'app', 'registry.lab/app:1', $2, $3, 'updates_available')`,
      stack.id,
      `sha256:${'cd'.repeat(32)}`,
      digest,
    );
    const id = await schedule(
      { approvalPolicy: 'require_approval', actions: ['docker_check', 'docker_apply'] },
      minuteFloor(Date.now()),
      'elsewhere',
    );
    await firing().fire(id);
    const run = await runOf(id);
    const [check] = await queuedOf(run.id);
    expect(check!.kind).toBe('docker.check');
    await work(check!.id, 'ok');
    const [req] = await q(`SELECT * FROM action_requests WHERE schedule_run_id = $1::uuid`, run.id);
    expect(req).toMatchObject({ status: 'pending', action: 'docker_apply', requested_by_type: 'schedule' });
    expect(req.summary).toContain('web/app');
    expect(req.payload.plan).toEqual([
      { name: 'web/app', arch: null, targetVersion: `registry.lab/app:1@${digest}`, operation: 'docker_update' },
    ]);
    const [apply] = await q(`SELECT status, payload FROM jobs WHERE id = $1::uuid`, req.job_id);
    expect(apply.status).toBe('waiting');
    expect(apply.payload.approvedPlan).toMatchObject({ requestId: req.id, hash: req.plan_hash, allowSuperset: false });
  });

  it('require_approval on maintenance: one request per machine, bound to the combined plan of the schedule’s options', async () => {
    const other = machines[3]!;
    const digest = `sha256:${'ef'.repeat(32)}`;
    const [stack] = await q(
      `INSERT INTO docker_compose_stacks (machine_id, name, working_dir, compose_files_json, status, choice, detected_by)
       VALUES ($1::uuid, 'media', '/srv/media', '["compose.yaml"]'::jsonb, 'enabled', 'enabled', 'root_scan') RETURNING id`,
      other,
    );
    await q(
      `INSERT INTO docker_stack_services (stack_id, service_name, image_ref, current_digest, candidate_digest, status)
       VALUES ($1::uuid, 'player', 'registry.lab/player:2', $2, $3, 'updates_available')`,
      stack.id,
      `sha256:${'01'.repeat(32)}`,
      digest,
    );
    const pkg = (name: string, keptBack: boolean) => ({
      name,
      arch: 'amd64',
      currentVersion: '1.0',
      targetVersion: '1.1',
      origin: 'lab',
      originName: 'lab',
      suite: 'stable',
      operation: 'upgrade',
      security: false,
      keptBack,
      held: false,
      phased: false,
      dedupKey: `debian|${name}|1.0|1.1|lab`,
    });
    const apt = { enabled: true, count: 2, rebootRequired: false, status: 'updates_available' };
    const packages = [pkg('openssl', false), pkg('homelab-demo', true)];
    await q(
      `INSERT INTO snapshots (machine_id, kind, status, payload) VALUES ($1::uuid, 'apt_update_analyze', 'updates_available', $2::jsonb)`,
      other,
      JSON.stringify({
        machineId: other,
        hostname: 'x',
        os: { family: 'debian', version: '12' },
        checkedAt: new Date().toISOString(),
        status: 'updates_available',
        apt: { ...apt, packages, installed: [], removed: [] },
      }),
    );
    const id = await schedule(
      {
        approvalPolicy: 'require_approval',
        actions: ['maintenance'],
        maintenance: { apt: 'dist_upgrade', prune: 'none' },
      },
      minuteFloor(Date.now()),
      'elsewhere',
    );
    await firing().fire(id);
    const run = await runOf(id);
    const [req] = await q(`SELECT * FROM action_requests WHERE schedule_run_id = $1::uuid`, run.id);
    expect(req).toMatchObject({
      status: 'pending',
      action: 'maintenance',
      risk: 'high',
      requested_by_type: 'schedule',
    });
    // dist_upgrade takes the kept-back package too; the image of the enabled stack is in the same plan.
    const names = (req.payload.plan as { name: string }[]).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['openssl', 'homelab-demo', 'media/player']));
    const [job] = await q(`SELECT status, payload FROM jobs WHERE id = $1::uuid`, req.job_id);
    expect(job.status).toBe('waiting');
    expect(job.payload.options).toEqual({ apt: 'dist_upgrade', prune: 'none' });
    expect(job.payload.approvedPlan).toMatchObject({ requestId: req.id, hash: req.plan_hash, allowSuperset: false });
  });
});
