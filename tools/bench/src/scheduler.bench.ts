import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PgBoss } from 'pg-boss';
import { loadConfig } from '@su/config';
import { Database, MachinesRepository, SchedulesRepository } from '@su/db';
import { JobRunner, PlatformModule, type PlatformOptions } from '@su/platform';
import { nextRuns, ScheduleFiringService, SchedulerCoreModule, SchedulerLeaderService } from '@su/schedules';
import { AptWorkerModule, aptWorkerHandlers } from '@su/apt-worker';
import { benchDatabase } from './bench-database.ts';
import { discardSlot } from './fanout.bench.ts';
import { printTable, summary } from './stats.ts';

@Module({})
class SchedulerBenchModule {
  static forRoot(p: PlatformOptions): DynamicModule {
    return { module: SchedulerBenchModule, imports: [PlatformModule.forService(p), SchedulerCoreModule] };
  }
}

const quiet = { logger: ['error' as const, 'fatal' as const] };

/**
 * Delay from a schedule's instant to the start of its first job, over every-minute schedules, for our scheduler
 * (leader timer + NOTIFY-driven worker: the real scheduler and apt-worker services in this process; the job start is
 * `jobs.started_at`, set when the worker takes the job) and for pg-boss's own `schedule()` with its defaults (its
 * cron pass and a `work()` handler with default polling), in the same run on the same PostgreSQL.
 *
 * Slots are whole minutes, so `--minutes` × `--schedules` slots are measured per side (default 4 × 3 = 12); several
 * schedules share each instant, as in a fleet with a few schedules on the same cron.
 */
export async function schedulerBench(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { minutes: { type: 'string', default: '4' }, schedules: { type: 'string', default: '3' } },
    strict: false,
  });
  const minutes = Math.max(1, Number(values.minutes));
  const count = Math.max(1, Number(values.schedules));
  const ours = await benchDatabase('scheduler');
  const peer = await benchDatabase('pgboss_schedule');
  const platform = (service: string): PlatformOptions => ({
    service,
    config: loadConfig({ DATABASE_URL: ours.url }),
    databaseUrl: ours.url,
  });
  const scheduler = await NestFactory.createApplicationContext(
    SchedulerBenchModule.forRoot(platform('scheduler')),
    quiet,
  );
  const worker = await NestFactory.createApplicationContext(AptWorkerModule.forRoot(platform('apt-worker')), quiet);
  await worker.get(JobRunner).start('apt-worker', aptWorkerHandlers(worker), 4);
  const db = Database.connect({ url: ours.url });
  const boss = new PgBoss(peer.url);
  boss.on('error', () => undefined);
  try {
    await fanOutFigures(db, scheduler.get(ScheduleFiringService));
    // Ours: one machine per schedule (a closed port: the job starts, then fails to connect, which is not measured).
    const scheduleIds: string[] = [];
    const first = nextRuns('* * * * *', 'UTC', new Date(Date.now() + 5000))[0]!;
    for (let i = 0; i < count; i++) {
      const machineId = randomUUID();
      await new MachinesRepository(db.prisma).create(
        { id: machineId, name: `bench${i}`, hostname: '127.0.0.1', port: 9, username: 'bench' },
        null,
      );
      await new MachinesRepository(db.prisma).setTags(machineId, [`bench${i}`]);
      const s = await new SchedulesRepository(db.prisma).create({
        name: `bench ${i}`,
        enabled: true,
        cron: '* * * * *',
        timezone: 'UTC',
        scope: { tags: [`bench${i}`] },
        actions: ['apt_update_analyze'],
        concurrency: 1,
        approvalPolicy: 'none',
        windowMinutes: null,
        nextRunAt: first,
      });
      scheduleIds.push(s.id);
    }
    scheduler.get(SchedulerLeaderService).start();

    // pg-boss: the same cron, defaults everywhere.
    const received: number[] = [];
    await boss.start();
    for (let i = 0; i < count; i++) {
      const name = `bench-cron-${i}`;
      await boss.createQueue(name);
      await boss.schedule(name, '* * * * *');
      await boss.work(name, async () => {
        received.push(Date.now());
      });
    }
    const last = first.getTime() + (minutes - 1) * 60_000;
    console.log(
      `\nscheduler: ${count} every-minute schedule(s) per side, slots ${first.toISOString()} … ${new Date(last).toISOString()}; waiting ${Math.ceil((last + 65_000 - Date.now()) / 1000)} s`,
    );
    await new Promise((r) => setTimeout(r, last + 65_000 - Date.now()));

    const rows = await db.pool.query<{ slot_at: Date; first_start: Date | null }>(
      `SELECT r.slot_at, min(j.started_at) AS first_start FROM schedule_runs r
       JOIN schedule_run_machines m ON m.run_id = r.id JOIN jobs j ON j.run_machine_id = m.id
       WHERE r.schedule_id = ANY($1::uuid[]) AND r.slot_at <= $2 GROUP BY r.id, r.slot_at`,
      [scheduleIds, new Date(last)],
    );
    const oursDelays = rows.rows
      .filter((r) => r.first_start)
      .map((r) => r.first_start!.getTime() - r.slot_at.getTime());
    // pg-boss records no slot: each job belongs to the minute it was received in (its delays stay under a minute).
    const peerDelays = received
      .filter((t) => t >= first.getTime() && Math.floor(t / 60_000) * 60_000 <= last)
      .map((t) => t - Math.floor(t / 60_000) * 60_000);
    const s1 = summary(oursDelays);
    const s2 = summary(peerDelays);
    printTable(
      'Scheduled instant → first job started (ms)',
      ['scheduler', 'slots', 'p50', 'max', 'mean'],
      [
        ['system-update scheduler (timer + NOTIFY)', s1.n, s1.p50, s1.max, s1.mean],
        ['pg-boss schedule() defaults', s2.n, s2.p50, s2.max, s2.mean],
      ],
    );
    console.log(
      `target: max ≤ 1000 ms — ${s1.max <= 1000 ? 'met' : 'NOT met'} (expected ${minutes * count} slots per side)`,
    );
  } finally {
    await boss.stop({ graceful: false }).catch(() => undefined);
    await scheduler.close();
    await worker.close();
    await db.close();
    await ours.close();
    await peer.close();
  }
}

/**
 * The fan-out of one slot over 1,000 machines (docs/ARCHITECTURE.md §7: 1,000 jobs queued in ≤ 100 ms): the run, its machines,
 * every step as a waiting job, and the first `concurrency` machines released, in the one transaction `fire()` runs.
 * Measured before the leader starts, on machines of their own tag; their runs are then disabled.
 */
async function fanOutFigures(db: Database, firing: ScheduleFiringService): Promise<void> {
  const ids = Array.from({ length: 1000 }, () => randomUUID());
  await db.pool.query(
    `INSERT INTO machines (id, name, hostname, port, username)
     SELECT id, 'fan' || lpad(n::text, 4, '0'), '127.0.0.1', 9, 'bench' FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [ids],
  );
  await db.pool.query(`INSERT INTO tags (name) VALUES ('fanout')`);
  await db.pool.query(
    `INSERT INTO machine_tags (machine_id, tag_id) SELECT m, (SELECT id FROM tags WHERE name = 'fanout') FROM unnest($1::uuid[]) m`,
    [ids],
  );
  const rows: (string | number)[][] = [];
  const slot = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  for (const [actions, concurrency] of [
    [['apt_update_analyze'], 10],
    [['apt_update_analyze'], 1000],
    [['apt_update_analyze', 'apt_upgrade', 'reboot_verified'], 10],
    [['apt_update_analyze', 'apt_upgrade', 'reboot_verified'], 1000],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const s = await new SchedulesRepository(db.prisma).create({
        name: `fan-out ${actions.length}x${concurrency} #${i}`,
        enabled: true,
        cron: '* * * * *',
        timezone: 'UTC',
        scope: { tags: ['fanout'] },
        actions: [...actions],
        concurrency,
        approvalPolicy: 'none',
        windowMinutes: null,
        nextRunAt: slot,
      });
      const t0 = performance.now();
      await firing.fire(s.id);
      times.push(performance.now() - t0);
      // The workers of this bench must not spend the measured minutes on these jobs.
      await discardSlot(db, s.id);
    }
    const t = summary(times);
    rows.push([
      `1,000 machines × ${actions.length} step(s), concurrency ${concurrency}`,
      1000 * actions.length,
      t.p50,
      t.max,
    ]);
  }
  printTable(
    'Fan-out of one slot (ms, 3 tries each; one transaction: run, machines, all steps, first releases)',
    ['run', 'jobs', 'p50', 'max'],
    rows,
  );
}
