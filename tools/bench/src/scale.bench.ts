import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@su/config';
import {
  AptPackagesRepository,
  Database,
  PendingUpdatesRepository,
  SchedulesRepository,
} from '@su/db';
import { createGatewayApp } from '@su/gateway';
import { MachinesService } from '@su/machines';
import { PlatformModule, type PlatformOptions } from '@su/platform';
import { ScheduleFiringService, SchedulerCoreModule } from '@su/schedules';
import { seedFleet, seedHistory, seedPendingPackages, sseFrames } from '@su/testing';
import { aptBench } from './apt.bench.ts';
import { fanOut } from './fanout.bench.ts';
import { scalePassSection } from './scale-pass.bench.ts';
import { benchDatabase } from './bench-database.ts';
import { adminSession } from './bench-session.ts';
import { printTable, summary } from './stats.ts';

/** The fleet sizes of the cost curve (issue 19): each step adds machines to the same database. */
const SIZES = [100, 1000, 10_000] as const;
const PACKAGES_PER_MACHINE = 30;
/** Days of history seeded behind the first two steps (analyses and jobs, one each per machine and day). */
const HISTORY_DAYS = 14;
const RUNS = 20;
const WARMUP = 3;
const BROWSER_ENCODINGS = 'gzip, deflate, br, zstd';

@Module({})
class ScaleSchedulerModule {
  static forRoot(p: PlatformOptions): DynamicModule {
    return { module: ScaleSchedulerModule, imports: [PlatformModule.forService(p), SchedulerCoreModule] };
  }
}

/** One GET with node:http (no automatic decompression): the time to the last byte and the bytes that crossed. */
function get(base: string, path: string, token: string): Promise<{ ms: number; wireBytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      `${base}${path}`,
      { headers: { authorization: `Bearer ${token}`, 'accept-encoding': BROWSER_ENCODINGS } },
      (res) => {
        let wireBytes = 0;
        res.on('data', (chunk: Buffer) => (wireBytes += chunk.length));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve({ ms: performance.now() - t0, wireBytes })
            : reject(new Error(`GET ${path} answered ${res.statusCode}`)),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function p50Of(fn: () => Promise<number>, runs = RUNS): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await fn());
  return summary(times).p50;
}

async function httpP50(base: string, token: string, path: string): Promise<{ p50: number; wireKB: number }> {
  let wire = 0;
  const p50 = await p50Of(async () => {
    const a = await get(base, path, token);
    wire = a.wireBytes;
    return a.ms;
  });
  return { p50, wireKB: wire / 1024 };
}

/**
 * Live events: a `machine.state` change written in the database → the event read from the SSE stream, over the
 * gateway's one LISTEN connection, with the fleet at its current size.
 */
class SseProbe {
  private waiters = new Map<string, () => void>();
  private readonly ctrl = new AbortController();

  async open(base: string, token: string): Promise<void> {
    const res = await fetch(`${base}/api/v1/events/stream`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: this.ctrl.signal,
    });
    if (!res.body) throw new Error(`the stream answered ${res.status} without a body`);
    void this.read(res.body);
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    try {
      for await (const frame of sseFrames(body)) {
        if (!frame.data) continue;
        const e = JSON.parse(frame.data) as { type: string; machineId: string | null };
        if (e.type === 'machine.state' && e.machineId) this.waiters.get(e.machineId)?.();
      }
    } catch {
      // The probe was closed (its request aborted).
    }
  }

  /** Milliseconds from the UPDATE's commit to the event on the stream. */
  async delay(db: Database, machineId: string): Promise<number> {
    const seen = new Promise<number>((r) => this.waiters.set(machineId, () => r(performance.now())));
    const t0 = performance.now();
    await db.pool.query(
      `UPDATE machine_state SET apt_updates_count = apt_updates_count + 1, updated_at = now() WHERE machine_id = $1`,
      [machineId],
    );
    const at = await Promise.race([seen, new Promise<number>((r) => setTimeout(() => r(NaN), 10_000))]);
    this.waiters.delete(machineId);
    return at - t0;
  }

  close(): void {
    this.ctrl.abort();
  }
}

interface Step {
  machines: number;
  page: number;
  fleet: number;
  fleetKB: number;
  fleetSize: number;
  pending: number;
  pendingBefore: number;
  jobs: number;
  sseP50: number;
  sseMax: number;
  fanOut: number;
  fanOutWide: number;
  fanOutMachines: number;
  tilesBefore: number;
  tilesNow: number;
  pendingIn: number;
  bytesPerMachine: number;
  rssMB: number;
}

const dbBytes = async (db: Database) =>
  Number((await db.pool.query<{ b: string }>('SELECT pg_database_size(current_database()) AS b')).rows[0]!.b);

/** The whole fleet's tiles (1,000) read as stored text (ADR 0040), in process: what the API does before HTTP. */
async function tilesStored(app: Awaited<ReturnType<typeof createGatewayApp>>): Promise<number> {
  const machines = app.get(MachinesService);
  return p50Of(async () => {
    const t0 = performance.now();
    await machines.listJson({ limit: 1000, offset: 0 });
    return performance.now() - t0;
  }, 10);
}

/** The fleet's pending groups (a page of 200) as the API reads them now, in process. */
async function pendingNow(db: Database): Promise<number> {
  const repo = new PendingUpdatesRepository(db.prisma);
  return p50Of(async () => {
    const t0 = performance.now();
    await repo.groups({ limit: 200, offset: 0 });
    return performance.now() - t0;
  }, 10);
}

/** The whole fleet's tiles (1,000) built per request, as before ADR 0040: the view function over the page's ids. */
async function tilesBuiltPerRequest(db: Database): Promise<number> {
  return p50Of(async () => {
    const t0 = performance.now();
    const res = await db.pool.query<{ v: unknown }>(
      `SELECT x.v FROM su_machine_view(ARRAY(SELECT id FROM machines WHERE deleted_at IS NULL
                                               ORDER BY name, id LIMIT 1000)) x`,
    );
    JSON.stringify({ items: res.rows.map((r) => r.v), total: res.rows.length });
    return performance.now() - t0;
  }, 10);
}

const verdict = (name: string, value: number, unit: string, target: number, peer?: string) =>
  `target: ${name} ≤ ${target} ${unit}: ${value.toFixed(1)} ${unit}${peer ? ` (${peer})` : ''} — ${value <= target ? 'met' : 'NOT met'}`;

/**
 * The cost curve of the hot paths at 100 → 1,000 → 10,000 machines (issue 19), over real HTTP against a real gateway
 * and the real scheduler core in this process, on one PostgreSQL: the tiles API (a page and the whole fleet), the
 * fleet's pending updates (30 pending packages per machine) beside the query it replaced, the jobs list, live-event
 * delivery, the fan-out of one schedule slot, the database's size per machine and per day of history, and memory.
 */
export async function scaleBench(): Promise<void> {
  const { url, close } = await benchDatabase('scale');
  const dataDir = mkdtempSync(join(tmpdir(), 'su-bench-scale-'));
  const db = Database.connect({ url });
  const run = (sql: string, params?: unknown[]) => db.pool.query(sql, params as unknown[]);
  const config = loadConfig({ DATABASE_URL: url, SU_DATA_DIR: dataDir, SU_WEB_DIR: join(dataDir, 'no-web') });
  const platform = (service: string): PlatformOptions => ({ service, config, databaseUrl: url });
  const app = await createGatewayApp(platform('gateway'), false);
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  let scheduler: INestApplicationContext | undefined;
  const sse = new SseProbe();
  try {
    scheduler = await NestFactory.createApplicationContext(ScaleSchedulerModule.forRoot(platform('scheduler')), {
      logger: ['error', 'fatal'],
    });
    const token = await adminSession(app, base);
    await sse.open(base, token);
    const steps: Step[] = [];
    const history: (string | number)[][] = [];
    let seeded = 0;
    for (const n of SIZES) {
      const prefix = `s${n}`;
      const before = await dbBytes(db);
      await seedFleet(run, n - seeded, prefix, false);
      await seedPendingPackages(run, PACKAGES_PER_MACHINE, prefix);
      const bytesPerMachine = ((await dbBytes(db)) - before) / (n - seeded);
      if (n <= 1000) {
        const h0 = await dbBytes(db);
        await seedHistory(run, prefix);
        history.push([
          `${(n - seeded).toLocaleString('en')} machines × ${HISTORY_DAYS} days`,
          ((await dbBytes(db)) - h0) / (n - seeded) / HISTORY_DAYS / 1024,
        ]);
      }
      seeded = n;
      await run('ANALYZE');
      console.log(`  ${n.toLocaleString('en')} machines seeded (${PACKAGES_PER_MACHINE} pending packages each)`);
      const page = await httpP50(base, token, '/api/v1/machines?limit=100');
      const fleetSize = Math.min(n, 1000);
      const fleet = await httpP50(base, token, `/api/v1/machines?limit=${fleetSize}`);
      const pending = await httpP50(base, token, '/api/v1/updates/pending?limit=200');
      const before19 = new AptPackagesRepository(db.prisma);
      const pendingBefore = await p50Of(async () => {
        const t0 = performance.now();
        await before19.pendingByDedupKey(200, null);
        return performance.now() - t0;
      }, 5);
      const jobs = await httpP50(base, token, '/api/v1/jobs?limit=100');
      const ids = (
        await db.pool.query<{ id: string }>(`SELECT machine_id AS id FROM machine_state ORDER BY random() LIMIT 25`)
      ).rows;
      const sseTimes: number[] = [];
      for (const { id } of ids) sseTimes.push(await sse.delay(db, id));
      const s = summary(sseTimes.slice(5));
      const fan = await fanOut(db, scheduler.get(ScheduleFiringService), 10);
      const wide = await fanOut(db, scheduler.get(ScheduleFiringService), 1000);
      const tilesBefore = await tilesBuiltPerRequest(db);
      const tilesNow = await tilesStored(app);
      const pendingIn = await pendingNow(db);
      steps.push({
        machines: n,
        page: page.p50,
        fleet: fleet.p50,
        fleetKB: fleet.wireKB,
        fleetSize,
        pending: pending.p50,
        pendingBefore,
        jobs: jobs.p50,
        sseP50: s.p50,
        sseMax: s.max,
        fanOut: fan.ms,
        fanOutWide: wide.ms,
        fanOutMachines: Math.min(fan.machines, wide.machines),
        tilesBefore,
        tilesNow,
        pendingIn,
        bytesPerMachine,
        rssMB: process.memoryUsage().rss / 2 ** 20,
      });
    }
    printTable(
      'scale: the cost curve (real HTTP, time to the last byte, p50 ms unless said)',
      [
        'machines',
        'tiles page',
        'whole fleet (tiles)',
        'fleet in process: stored / built (before)',
        'fleet KB on the wire',
        'updates/pending',
        'pending in process: now / before',
        'jobs list',
        'SSE p50 / max',
        'slot fan-out ×10 / ×1,000',
        'DB KB / machine',
        'RSS MB',
      ],
      steps.map((x) => [
        x.machines.toLocaleString('en'),
        x.page,
        `${x.fleet.toFixed(1)} (${x.fleetSize})`,
        `${x.tilesNow.toFixed(1)} / ${x.tilesBefore.toFixed(1)}`,
        x.fleetKB,
        x.pending,
        `${x.pendingIn.toFixed(1)} / ${x.pendingBefore.toFixed(0)}`,
        x.jobs,
        `${x.sseP50.toFixed(1)} / ${x.sseMax.toFixed(1)}`,
        `${x.fanOut.toFixed(0)} / ${x.fanOutWide.toFixed(0)} (${x.fanOutMachines})`,
        x.bytesPerMachine / 1024,
        x.rssMB,
      ]),
    );
    printTable(
      'scale: database growth per machine and day of history (one analysis and one job each)',
      ['batch', 'KB per machine-day'],
      history,
    );
    console.log(
      '  RSS is this process: the gateway and the scheduler core together (the workers are measured by the pass section).',
    );
    // The read-only pass over a simulated fleet (real SSH, real worker processes, their memory) has its own database;
    // the cron fire delay is measured there, while the passes run, with the scheduler in a process of its own.
    const cron = (await scalePassSection())?.cron;
    console.log(
      `load average while measuring: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    const at = (n: number) => steps.find((x) => x.machines === n)!;
    for (const l of [
      verdict('tiles page p50 at 1,000', at(1000).page, 'ms', 15, `at 100: ${at(100).page.toFixed(1)} ms`),
      verdict('tiles page p50 at 10,000', at(10_000).page, 'ms', 50, `at 1,000: ${at(1000).page.toFixed(1)} ms`),
      verdict(
        'whole fleet of 1,000 tiles p50',
        at(1000).fleet,
        'ms',
        40,
        `in process: stored ${at(1000).tilesNow.toFixed(1)} ms, built per request ${at(1000).tilesBefore.toFixed(1)} ms`,
      ),
      verdict('whole fleet of 1,000 tiles on the wire', at(1000).fleetKB, 'KB', 150),
      verdict(
        `updates/pending p50 at 10,000 × ${PACKAGES_PER_MACHINE}`,
        at(10_000).pending,
        'ms',
        50,
        `in process: ${at(10_000).pendingIn.toFixed(1)} ms, the query before ${at(10_000).pendingBefore.toFixed(0)} ms`,
      ),
      verdict(
        'schedule slot fan-out over 10,000 machines, concurrency 10',
        at(10_000).fanOut,
        'ms',
        2000,
        `over 1,000: ${at(1000).fanOut.toFixed(0)} ms`,
      ),
      verdict(
        'schedule slot fan-out over 10,000 machines, concurrency 1,000',
        at(10_000).fanOutWide,
        'ms',
        2000,
        `over 1,000: ${at(1000).fanOutWide.toFixed(0)} ms`,
      ),
      cron
        ? verdict(
            'cron fire delay max while a 1,000-machine read-only pass runs (scheduler process of its own)',
            cron.n ? cron.max : Infinity,
            'ms',
            250,
            `p50 ${cron.p50.toFixed(0)} ms over ${cron.n} slots`,
          )
        : 'target: cron fire delay during the pass: not measured (no recorded fixtures for the simulated fleet)',
      verdict(
        'live event delivery max at 10,000',
        at(10_000).sseMax,
        'ms',
        200,
        `p50 ${at(10_000).sseP50.toFixed(1)} ms`,
      ),
    ])
      console.log(l);
  } finally {
    sse.close();
    await scheduler?.close();
    await app.close();
    await db.close();
    await close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // The issue's last target, on the lab's real machines (root only): the APT analysis against Ansible, the same section
  // as `npm run bench -- apt`, so that this one command prints every target of the scale issue.
  await aptBench();
}
