import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type pg from 'pg';
import { loadConfig } from '@su/config';
import { Database, SchedulesRepository } from '@su/db';
import { PlatformModule, type PlatformOptions } from '@su/platform';
import { ScheduleFiringService, SchedulerCoreModule } from '@su/schedules';
import { seedFleet } from '@su/testing';
import { benchDatabase } from './bench-database.ts';
import { printTable, summary } from './stats.ts';

/** The fleet sizes measured: each step adds machines to the same database. */
const SIZES = [1000, 10_000] as const;
/** The issue 19 target for one slot over 10,000 machines. */
const TARGET_MS = 2000;
/** The two concurrencies of the scale bench: a rolling run, and one that releases a thousand machines at once. */
const CONCURRENCIES = [10, 1000] as const;

@Module({})
class FanOutSchedulerModule {
  static forRoot(p: PlatformOptions): DynamicModule {
    return { module: FanOutSchedulerModule, imports: [PlatformModule.forService(p), SchedulerCoreModule] };
  }
}

/** A fired slot that no worker is to run: its schedule disabled, its deliveries deleted, its open jobs cancelled. */
export async function discardSlot(db: Database, scheduleId: string): Promise<void> {
  await db.pool.query(`UPDATE schedules SET enabled = false WHERE id = $1`, [scheduleId]);
  await db.pool.query(
    `DELETE FROM pgboss.job WHERE data->>'jobId' IN (SELECT id::text FROM jobs WHERE schedule_id = $1)`,
    [scheduleId],
  );
  await db.pool.query(
    `UPDATE jobs SET status = 'cancelled' WHERE schedule_id = $1 AND status IN ('queued', 'waiting')`,
    [scheduleId],
  );
}

/**
 * One slot of a schedule over every machine (one step), in the one transaction `fire()` runs: the run, its machines,
 * every step as a waiting job, the first `concurrency` released. Returns the time and the run's machine count.
 */
export async function fanOut(
  db: Database,
  firing: ScheduleFiringService,
  concurrency: number,
  around: <T>(fn: () => Promise<T>) => Promise<T> = (fn) => fn(),
): Promise<{ ms: number; machines: number }> {
  const s = await new SchedulesRepository(db.prisma).create({
    name: `scale fan-out ×${concurrency} ${Date.now()}`,
    enabled: true,
    // Due now: the current minute is the slot fired (the schedule is disabled right after).
    cron: '* * * * *',
    timezone: 'UTC',
    scope: { all: true },
    actions: ['apt_update_analyze'],
    concurrency,
    approvalPolicy: 'none',
    windowMinutes: null,
    nextRunAt: new Date(Math.floor(Date.now() / 60_000) * 60_000),
  });
  const t0 = performance.now();
  await around(() => firing.fire(s.id));
  const ms = performance.now() - t0;
  const counted = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM schedule_run_machines rm JOIN schedule_runs r ON r.id = rm.run_id WHERE r.schedule_id = $1`,
    [s.id],
  );
  // No worker takes these: the released jobs leave the queue so that they do not pile up between steps.
  await discardSlot(db, s.id);
  return { ms, machines: counted.rows[0]?.n ?? 0 };
}

/**
 * `--explain`: the statements the fan-out runs with their measured times and plans, through auto_explain on each pool
 * connection (its plans come back as notices). The slowest are printed.
 */
class StatementProfile {
  private readonly plans: { ms: number; text: string }[] = [];
  private on = false;

  /**
   * nested: every statement, those run by triggers and functions too, each node timed (the times are inflated several
   * times over); otherwise only top-level statements over 2 ms, untimed nodes, near their real durations.
   */
  constructor(private readonly nested: boolean) {}

  /** Every connection of the pool, those open already included, is set up when it is next handed out. */
  attach(pool: pg.Pool): void {
    const ready = new WeakSet<pg.PoolClient>();
    pool.on('acquire', (client) => {
      if (ready.has(client)) return;
      ready.add(client);
      client.on('notice', (n) => {
        if (!this.on || !n.message?.startsWith('duration:')) return;
        this.plans.push({ ms: Number(/duration: ([\d.]+) ms/.exec(n.message)?.[1] ?? NaN), text: n.message });
      });
      // Queued before the statement the client was acquired for (a pg client runs its queries in order).
      void client.query(
        `LOAD 'auto_explain'; SET auto_explain.log_min_duration = ${this.nested ? 0 : 2};
         SET auto_explain.log_analyze = on; SET auto_explain.log_nested_statements = ${this.nested ? 'on' : 'off'};
         SET auto_explain.log_timing = ${this.nested ? 'on' : 'off'}; SET auto_explain.log_triggers = on;
         SET auto_explain.log_level = notice`,
      );
    });
  }

  async around<T>(fn: () => Promise<T>): Promise<T> {
    this.plans.length = 0;
    this.on = true;
    try {
      return await fn();
    } finally {
      this.on = false;
    }
  }

  print(top: number): void {
    const sorted = [...this.plans].sort((a, b) => b.ms - a.ms);
    const sum = this.plans.reduce((a, p) => a + p.ms, 0);
    console.log(
      `  ${this.plans.length} statements logged, ${sum.toFixed(0)} ms together; the ${top} slowest` +
        ` (nested ones also count in their caller):`,
    );
    // The parameters of a bulk statement run to megabytes: their first characters say enough.
    const shown = (t: string) => t.replace(/^(Query Parameters: .{0,200}).*$/m, '$1…');
    for (const p of sorted.slice(0, top)) console.log(`\n---- ${p.ms.toFixed(1)} ms\n${shown(p.text)}`);
  }
}

const verdict = (name: string, value: number, target: number, peer: string) =>
  `target: ${name} ≤ ${target} ms: ${value.toFixed(1)} ms (${peer}) — ${value <= target ? 'met' : 'NOT met'}`;

/**
 * The fan-out of one schedule slot (issue 19: ≤ 2 s over 10,000 machines) alone, quickly: 1,000 then 10,000 seeded
 * machines, the real scheduler core in this process, `--runs=N` slots per size and concurrency (p50 printed, default
 * 3). `--explain=top` profiles one more 10,000-machine slot statement by statement (`--explain=nested`: with the
 * statements of triggers and functions, timed node by node).
 */
export async function fanoutBench(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { runs: { type: 'string', default: '3' }, explain: { type: 'string' } },
    strict: false,
  });
  const runs = Math.max(1, Number(values.runs));
  const explain = typeof values.explain === 'string';
  const { url, close } = await benchDatabase('fanout');
  const dataDir = mkdtempSync(join(tmpdir(), 'su-bench-fanout-'));
  const db = Database.connect({ url });
  const profile = new StatementProfile(values.explain === 'nested');
  const run = (sql: string, params?: unknown[]) => db.pool.query(sql, params as unknown[]);
  const config = loadConfig({ DATABASE_URL: url, SU_DATA_DIR: dataDir });
  const scheduler = await NestFactory.createApplicationContext(
    FanOutSchedulerModule.forRoot({ service: 'scheduler', config, databaseUrl: url }),
    { logger: ['error', 'fatal'] },
  );
  try {
    const firing = scheduler.get(ScheduleFiringService);
    const rows: (string | number)[][] = [];
    const p50 = new Map<string, number>();
    let seeded = 0;
    for (const n of SIZES) {
      await seedFleet(run, n - seeded, `f${n}`, false);
      seeded = n;
      await run('ANALYZE');
      // The first slot of a process also pays for its first plans and queries: not counted.
      if (n === SIZES[0]) await fanOut(db, firing, CONCURRENCIES[0]);
      for (const c of CONCURRENCIES) {
        const times: number[] = [];
        let machines = 0;
        for (let i = 0; i < runs; i++) {
          const r = await fanOut(db, firing, c);
          times.push(r.ms);
          machines = r.machines;
        }
        const s = summary(times);
        p50.set(`${n}/${c}`, s.p50);
        rows.push([n.toLocaleString('en'), c, machines, s.p50, s.max, (s.p50 / machines) * 1000]);
      }
    }
    printTable(
      `fan-out of one schedule slot (one step per machine), ${runs} slot(s) each`,
      ['machines', 'concurrency', 'run machines', 'p50 ms', 'max ms', 'µs / machine'],
      rows,
    );
    if (explain) {
      // auto_explain slows every statement down: only this slot is profiled, after the figures above.
      profile.attach(scheduler.get(Database).pool);
      const r = await fanOut(db, firing, CONCURRENCIES[1], (fn) => profile.around(fn));
      console.log(`\n  profiled slot: ${r.machines} machines, ${r.ms.toFixed(0)} ms in fire()`);
      profile.print(15);
    }
    console.log(
      `load average while measuring: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    for (const c of CONCURRENCIES)
      console.log(
        verdict(
          `schedule slot fan-out over 10,000 machines, concurrency ${c.toLocaleString('en')}`,
          p50.get(`10000/${c}`) ?? NaN,
          TARGET_MS,
          `over 1,000: ${(p50.get(`1000/${c}`) ?? NaN).toFixed(0)} ms`,
        ),
      );
  } finally {
    await scheduler.close();
    await db.close();
    await close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
