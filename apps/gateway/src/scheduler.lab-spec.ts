// Issue 6 against real machines: two scheduler processes fire every-minute schedules over a tag of 3 lab machines
// for 5 minutes; the leader is killed just before a slot. Each slot must fire exactly once (the database proves it),
// none may be lost, and each run's concurrency limit must hold with the real apt-worker. Needs root; about 6 minutes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childProcessEnv } from '@su/config';
import { createTestDatabase, ensureHostTools, isRoot, Lab, type LabMachine, type TestDatabase } from '@su/testing';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`scheduler lab tests skipped: ${skipReason}`);

const root = new URL('../../..', import.meta.url).pathname;
const ADMIN_PW = 'lab-admin-pw';
const SLOTS = 5;

/** The largest number of [start, end] spans that overlap at one instant. */
function maxOverlap(spans: [number, number][]): number {
  const edges = spans.flatMap(([a, b]) => [
    [a, 1],
    [b, -1],
  ]) as [number, number][];
  // An end and a start at the same millisecond do not overlap.
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of edges) max = Math.max(max, (now += d));
  return max;
}

describe.skipIf(!!skipReason)('scheduler (lab)', () => {
  let lab: Lab;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let ms: LabMachine[];
  const ids: string[] = [];
  const schedulers = new Map<number, { child: ChildProcess; out: string[] }>();
  const api: GatewayHarness['api'] = (...a) => gw.api(...a);

  const startScheduler = () => {
    const child = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', join(root, 'dist/apps/scheduler/main.js')],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: childProcessEnv({ DATABASE_URL: db.url, SU_DATA_DIR: gw.dataDir, SU_LEADER_RETRY_SECONDS: '1' }),
      },
    );
    const out: string[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
    schedulers.set(child.pid!, { child, out });
    return child;
  };
  /** The pid of the scheduler that holds the leader lock, from PostgreSQL's own view of advisory locks. */
  const leaderPid = async (): Promise<number | null> => {
    for (const [pid, s] of schedulers)
      if (
        s.out.join('').includes(`scheduler ${pid} is the leader`) &&
        s.child.exitCode === null &&
        s.child.signalCode === null
      )
        return pid;
    return null;
  };

  beforeAll(async () => {
    if (Lab.exists()) await Lab.attach().down();
    lab = await Lab.up({ machines: 3, log: (m) => console.log(`[lab] ${m}`) });
    ms = lab.machines();
    const build = spawnSync(process.execPath, [join(root, 'tools/build/build.mjs'), 'scheduler'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    db = await createTestDatabase();
    gw = await startGateway(db, { SU_SSH_CONNECT_TIMEOUT_SECONDS: '6', SU_LOCK_RETRY_SECONDS: '1' });
    for (const [i, m] of ms.entries()) {
      const res = await api('POST', '/api/v1/machines', {
        body: {
          name: `sched${i + 1}`,
          hostname: m.address,
          port: m.sshPort,
          username: 'admin',
          tags: ['fleet'],
          credentials: { authMethod: 'password', password: ADMIN_PW, sudoMode: 'same_as_ssh' },
        },
      });
      expect(res.status, res.text).toBe(201);
      ids.push(res.body.id);
    }
  }, 300_000);

  afterAll(async () => {
    for (const { child } of schedulers.values()) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(
      [...schedulers.values()].map(({ child }) =>
        child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : null,
      ),
    );
    await gw?.close();
    await db?.drop();
    await lab?.down();
  });

  it(
    'two schedulers, every minute for 5 minutes, leader killed before a slot: each slot fires exactly once and concurrency holds',
    async () => {
      startScheduler();
      startScheduler();
      // One of them leads within a couple of seconds.
      const deadline = Date.now() + 20_000;
      while (!(await leaderPid()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      const first = await leaderPid();
      expect(first, [...schedulers.values()].map((s) => s.out.join('')).join('\n---\n')).not.toBeNull();

      const mk = async (name: string, concurrency: number, actions: string[]) => {
        const res = await api('POST', '/api/v1/schedules', {
          body: { name, cron: '* * * * *', timezone: 'Europe/Paris', scope: { tags: ['fleet'] }, actions, concurrency },
        });
        expect(res.status, res.text).toBe(201);
        return res.body as { id: string; nextRunAt: string };
      };
      const one = await mk('one at a time', 1, ['apt_update_analyze', 'apt_clean']);
      const two = await mk('two at a time', 2, ['apt_update_analyze']);
      const firstSlot = Date.parse(one.nextRunAt);
      expect(Date.parse(two.nextRunAt)).toBe(firstSlot);
      const slots = Array.from({ length: SLOTS }, (_, i) => firstSlot + i * 60_000);

      // Kill the leader 3 s before the third slot: the standby must take over and fire it.
      const killAt = slots[2]! - 3000;
      await new Promise((r) => setTimeout(r, killAt - Date.now()));
      const killed = await leaderPid();
      expect(killed).not.toBeNull();
      schedulers.get(killed!)!.child.kill('SIGKILL');
      console.log(`[sched] killed leader ${killed} at ${new Date().toISOString()}`);

      // Wait for every run of the last slot to finish.
      const end = slots[SLOTS - 1]! + 120_000;
      for (;;) {
        const open = await db.query(
          `SELECT count(*)::int AS n FROM schedule_runs WHERE slot_at <= $1 AND status = 'running'`,
          [new Date(slots[SLOTS - 1]!)],
        );
        const last = await db.query(`SELECT count(*)::int AS n FROM schedule_runs WHERE slot_at = $1`, [
          new Date(slots[SLOTS - 1]!),
        ]);
        if ((last[0].n === 2 && open[0].n === 0) || Date.now() > end) break;
        await new Promise((r) => setTimeout(r, 1000));
      }

      const runs = await db.query(
        `SELECT id, schedule_id, slot_at, status, fired_at, fired_by, concurrency FROM schedule_runs
         WHERE slot_at <= $1 ORDER BY slot_at, schedule_id`,
        [new Date(slots[SLOTS - 1]!)],
      );
      for (const s of [one, two]) {
        const mine = runs.filter((r: { schedule_id: string }) => r.schedule_id === s.id);
        // Exactly the 5 slots, each once, none skipped.
        expect(mine.map((r: { slot_at: Date }) => r.slot_at.getTime())).toEqual(slots);
        expect(mine.map((r: { status: string }) => r.status)).toEqual(Array(SLOTS).fill('ok'));
      }
      const delays = runs.map((r: { fired_at: Date; slot_at: Date }) => r.fired_at.getTime() - r.slot_at.getTime());
      console.log(
        `[sched] firing delays (ms): ${delays.join(', ')}; fired by: ${runs.map((r: { fired_by: string }) => r.fired_by).join(', ')}`,
      );
      // The slot after the kill was fired by the other scheduler.
      const after = runs.filter((r: { slot_at: Date }) => r.slot_at.getTime() === slots[2]);
      for (const r of after) expect(r.fired_by).not.toBe(`scheduler:${killed}`);

      // Concurrency, with the real worker: per run, job spans (running → finished) of distinct machines.
      for (const r of runs) {
        const jobs = await db.query(
          `SELECT j.machine_id, j.step, j.status, j.started_at, j.finished_at, j.kind FROM jobs j
           JOIN schedule_run_machines m ON m.id = j.run_machine_id WHERE m.run_id = $1 ORDER BY j.started_at`,
          [r.id],
        );
        expect(
          jobs.every((j: { status: string }) => j.status === 'ok'),
          JSON.stringify(jobs),
        ).toBe(true);
        // A machine's span: from its first step's start to its last step's end.
        const byMachine = new Map<string, [number, number]>();
        for (const j of jobs) {
          const [a, b] = byMachine.get(j.machine_id) ?? [Infinity, -Infinity];
          byMachine.set(j.machine_id, [Math.min(a, j.started_at.getTime()), Math.max(b, j.finished_at.getTime())]);
        }
        expect(byMachine.size).toBe(3);
        expect(maxOverlap([...byMachine.values()])).toBeLessThanOrEqual(r.concurrency);
        if (r.schedule_id === one.id) {
          // Steps in order on each machine: the clean starts after the analysis ended.
          for (const id of ids) {
            const [a, c] = jobs
              .filter((j: { machine_id: string }) => j.machine_id === id)
              .sort((x: { step: number }, y: { step: number }) => x.step - y.step);
            expect(c.started_at.getTime()).toBeGreaterThanOrEqual(a.finished_at.getTime());
          }
          // Executions of the run (the cleans) never overlap.
          const ex = await db.query(
            `SELECT e.started_at, e.finished_at FROM executions e JOIN jobs j ON j.id = e.job_id
             JOIN schedule_run_machines m ON m.id = j.run_machine_id WHERE m.run_id = $1`,
            [r.id],
          );
          expect(ex).toHaveLength(3);
          expect(
            maxOverlap(
              ex.map((e: { started_at: Date; finished_at: Date }) => [e.started_at.getTime(), e.finished_at.getTime()]),
            ),
          ).toBe(1);
        }
      }
      // The database refuses a second run for a slot, whoever tries.
      await expect(
        db.query(
          `INSERT INTO schedule_runs (schedule_id, slot_at, status, actions_json) VALUES ($1, $2, 'running', '[]')`,
          [one.id, new Date(slots[0]!)],
        ),
      ).rejects.toThrow(/duplicate key/);
    },
    SLOTS * 60_000 + 240_000,
  );
});
