import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { childProcessEnv, loadConfig } from '@su/config';
import { Database, SchedulesRepository } from '@su/db';
import { MachinesModule, MachinesService } from '@su/machines';
import { JobsService, PlatformModule, workerConcurrency, type PlatformOptions } from '@su/platform';
import { FixtureSet, SimFleet, simHostKeys } from '@su/testing';
import { nextRuns } from '@su/schedules';
import { benchDatabase } from './bench-database.ts';
import { descendantsCpu } from './cpu-accounting.ts';
import { sshLoopPeer } from './scale-pass.peer.ts';
import { printTable, summary } from './stats.ts';
import { DASHBOARD_PAGE, TilesReaderWatcher } from './tiles-reader.watcher.ts';
import { WorkerProcess } from './worker-process.ts';

@Module({})
class ScaleBenchModule {
  static forRoot(p: PlatformOptions): DynamicModule {
    return { module: ScaleBenchModule, imports: [PlatformModule.forService(p), MachinesModule] };
  }
}

const ACTOR = { type: 'system', id: 'bench' } as const;
const PASS_TARGET_S = 30;
const RSS_TARGET_MB = 200;
const CRON_TARGET_MS = 250;
const KILLED = '2 apt-workers, one SIGKILLed halfway, a new one started';
/** A pass that has not ended by then is reported as stuck (never expected: a generous bound, not a measure). */
const PASS_DEADLINE_MS = 15 * 60_000;

interface Ctx {
  root: string;
  db: Database;
  jobs: JobsService;
  env: Record<string, string>;
  ids: string[];
  fleet: SimFleet;
  /** `--only=probe|analysis`: a pass of one job kind (to tell each kind's cost apart); both when absent. */
  only: string | undefined;
  /** One page of tiles as GET /machines reads it (the dashboard someone watches during the pass). */
  readTiles: () => Promise<unknown>;
}

interface PassResult {
  seconds: number;
  counts: Map<string, number>;
  rss: number[];
  /** RSS of the first worker when it was ready, before any job (MB). */
  idleRss: number;
  /** CPU seconds the worker processes used during the pass. */
  cpu: number;
  /** CPU seconds of PostgreSQL (the server and its backends) and of the bench itself (the simulated fleet's SSH
   * servers, the polling), during the pass: where the rest of the 2 cores went. */
  pgCpu: number;
  benchCpu: number;
  unfinished: number;
  lost: string[];
  phases: string;
  /** When the pass ran (epoch ms), to tell which cron slots fell inside it. */
  window: [number, number];
  /** Per machine of the pass, how its analysis ended (killed pass only): ok / error:<kind> / worker_lost / stuck. */
  fates: Map<string, number>;
  /** The dashboard reader's page reads during the pass (one per second): how many, p50 and max (ms). */
  reader: { n: number; p50: number; max: number };
}

/** The cron fire delay (`fired_at − slot_at`) of the slots that fell inside a pass, in ms. */
export interface CronDuringPass {
  p50: number;
  max: number;
  n: number;
  delays: number[];
}

export interface ScalePassFigures {
  cron: CronDuringPass;
}

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

/** Job outcomes of `ids`, as "ok" / "error:<kind>" / "queued" / "running" → count. */
async function outcomes(db: Database, ids: string[]): Promise<Map<string, number>> {
  const r = await db.pool.query<{ k: string; n: string }>(
    `SELECT CASE WHEN status = 'error' THEN 'error:' || coalesce(error_kind, '?') ELSE status END AS k, count(*) AS n
       FROM jobs WHERE id = ANY($1::uuid[]) GROUP BY 1`,
    [ids],
  );
  return new Map(r.rows.map((x) => [x.k, Number(x.n)]));
}

const pending = (c: Map<string, number>) => (c.get('queued') ?? 0) + (c.get('running') ?? 0);

async function waitDone(ctx: Ctx, ids: string[], onProgress?: (done: number) => Promise<void>) {
  const t0 = Date.now();
  const deadline = t0 + PASS_DEADLINE_MS;
  let said = t0;
  for (;;) {
    const c = await outcomes(ctx.db, ids);
    if (pending(c) === 0 || Date.now() > deadline) return c;
    if (Date.now() - said > 10_000) {
      said = Date.now();
      console.error(`  … ${((said - t0) / 1000).toFixed(0)} s: ${outcomeText(c)}`);
    }
    await onProgress?.(ids.length - pending(c));
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One read-only pass (a probe then an analysis per machine, one batch each) on `workers` apt-worker processes. */
async function pass(ctx: Ctx, workers: number, kill = false): Promise<PassResult> {
  console.error(`scale-pass: a pass on ${workers} apt-worker process(es)${kill ? ', one killed halfway' : ''}`);
  const procs = await Promise.all(Array.from({ length: workers }, () => WorkerProcess.start(ctx.root, ctx.env)));
  const all = [...procs];
  const started = Date.now();
  const t0 = performance.now();
  const reader = new TilesReaderWatcher(ctx.readTiles);
  reader.start();
  const [pg0, bench0] = [descendantsCpu(process.pid, 'postgres'), process.cpuUsage()];
  const served0 = served(ctx.fleet);
  const items = ctx.ids.map((machineId) => ({ payload: {}, machineId }));
  const probes = ctx.only !== 'analysis' ? await ctx.jobs.enqueueMany('machine.probe', items, ACTOR) : [];
  const analyses = ctx.only !== 'probe' ? await ctx.jobs.enqueueMany('apt.update_analyze', items, ACTOR) : [];
  const ids = [...probes, ...analyses];
  let killed = !kill;
  const counts = await waitDone(ctx, ids, async (done) => {
    if (killed || done < ids.length / 2) return;
    // Halfway: one worker dies without a word (OOM killer, power); the launcher would start another one.
    killed = true;
    console.error(`  SIGKILL to apt-worker ${procs[0]?.pid} at ${done} of ${ids.length} jobs ended`);
    await procs[0]?.kill();
    all.push(await WorkerProcess.start(ctx.root, ctx.env));
  });
  const seconds = (performance.now() - t0) / 1000;
  const window: [number, number] = [started, Date.now()];
  const cpu = all.reduce((sum, p) => sum + p.cpuSeconds, 0);
  const pgCpu = descendantsCpu(process.pid, 'postgres') - pg0;
  const bench = process.cpuUsage(bench0);
  const benchCpu = (bench.user + bench.system) / 1e6;
  const logins = served(ctx.fleet) - served0;
  const reads = await reader.stop();
  await Promise.all(all.map((p) => p.stop()));
  const lost = kill ? await lostMachines(ctx.db, ids) : [];
  const fates = kill ? await analysisFates(ctx.db, analyses) : new Map<string, number>();
  const phases = await phaseFigures(ctx.db, ids);
  await sayErrors(ctx.db, ids);
  const rss = all.map((p) => p.maxRssMb);
  const idleRss = procs[0]?.readyRssMb ?? 0;
  // Said at once, so a run cut short still tells what each finished pass measured.
  console.error(
    `  pass over: ${seconds.toFixed(1)} s, worker RSS max ${Math.max(...rss).toFixed(0)} MB (idle ${idleRss.toFixed(0)}), workers CPU ${cpu.toFixed(1)} s (PostgreSQL ${pgCpu.toFixed(1)} s, bench and simulated fleet ${benchCpu.toFixed(1)} s), ${all.filter((p) => p.died).length} died unasked; ${logins} SSH logins; ${outcomeText(counts)}; ${phases}; ${readerText(reads)}`,
  );
  const rest = { unfinished: pending(counts), lost, phases, window, fates, reader: reads };
  return { seconds, counts, rss, idleRss, cpu, pgCpu, benchCpu, ...rest };
}

/** SSH logins the simulated hosts have accepted so far (a job on a kept connection logs in none). */
const served = (fleet: SimFleet) => fleet.hosts.reduce((n, h) => n + h.served.connections, 0);

/** The pass's commonest errors other than the hosts' own (what an `internal_error` or a `timeout` was). */
async function sayErrors(db: Database, ids: string[]): Promise<void> {
  const r = await db.pool.query<{ k: string; m: string; n: number }>(
    `SELECT error_kind AS k, left(error_message, 80) || ' … ' || right(error_message, 160) AS m, count(*)::int AS n FROM jobs
      WHERE id = ANY($1::uuid[]) AND error_kind IN ('internal_error', 'timeout') GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 3`,
    [ids],
  );
  // Prisma's messages start with where the call was and end with why: both, on one line.
  for (const x of r.rows) console.error(`  ${x.n} × ${x.k}: ${x.m.replace(/\s+/g, ' ')}`);
}

/** How each machine's analysis of a pass ended: ok, error:<kind> (the machine's own answer), worker_lost, stuck. */
async function analysisFates(db: Database, analyses: string[]): Promise<Map<string, number>> {
  const c = await outcomes(db, analyses);
  const fates = new Map<string, number>();
  for (const [k, n] of c) {
    const fate = k === 'queued' || k === 'running' ? 'stuck' : k === 'error:worker_lost' ? 'worker_lost' : k;
    fates.set(fate, (fates.get(fate) ?? 0) + n);
  }
  return fates;
}

/** Where a pass's time goes: queued → started and started → finished, p50 and max per job (ms). */
async function phaseFigures(db: Database, ids: string[]): Promise<string> {
  const r = await db.pool.query<{ w50: number; wmax: number; r50: number; rmax: number }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY w) AS w50, max(w) AS wmax,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY r) AS r50, max(r) AS rmax
       FROM (SELECT extract(epoch FROM started_at - created_at) * 1000 AS w,
                    extract(epoch FROM finished_at - started_at) * 1000 AS r
               FROM jobs WHERE id = ANY($1::uuid[]) AND started_at IS NOT NULL AND finished_at IS NOT NULL) t`,
    [ids],
  );
  const x = r.rows[0];
  const ms = (v: number | undefined) => Math.round(Number(v ?? NaN));
  return x ? `wait p50 ${ms(x.w50)} max ${ms(x.wmax)}; run p50 ${ms(x.r50)} max ${ms(x.rmax)}` : '';
}

async function lostMachines(db: Database, ids: string[]): Promise<string[]> {
  const r = await db.pool.query<{ machine_id: string }>(
    `SELECT DISTINCT machine_id FROM jobs WHERE id = ANY($1::uuid[]) AND error_kind = 'worker_lost'`,
    [ids],
  );
  return r.rows.map((x) => x.machine_id);
}

const readerText = (r: PassResult['reader']) =>
  `dashboard reads ${r.n} (a page of ${DASHBOARD_PAGE.limit} tiles each second): p50 ${r.p50.toFixed(1)} ms, max ${r.max.toFixed(1)} ms`;

function outcomeText(c: Map<string, number>): string {
  return [...c.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
}

async function createMachines(app: INestApplicationContext, fleet: SimFleet): Promise<string[]> {
  const svc = app.get(MachinesService);
  const ids: string[] = [];
  for (const h of fleet.hosts) {
    const v = await svc.create(
      {
        name: h.name,
        hostname: '127.0.0.1',
        port: h.port,
        username: h.o.username,
        credentials: { authMethod: 'password', password: h.o.password, sudoMode: 'same_as_ssh' },
      },
      ACTOR,
    );
    ids.push(v.id);
  }
  return ids;
}

function parseOptions() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      machines: { type: 'string', default: '1000' },
      workers: { type: 'string', default: '3' },
      // Which passes: 1 (one worker), more (2 … --workers), kill (a worker SIGKILLed halfway, and the peer).
      runs: { type: 'string', default: '1,more,kill' },
      only: { type: 'string' },
    },
    strict: false,
  });
  const runs = new Set(String(values.runs).split(','));
  return {
    count: Math.max(10, Number(values.machines)),
    more: Math.max(2, Number(values.workers)),
    runs: { one: runs.has('1'), more: runs.has('more'), kill: runs.has('kill') },
    only: typeof values.only === 'string' ? values.only : undefined,
  };
}

/**
 * Issue 19: a full read-only pass (probe + analysis) over a simulated fleet (1,000 machines by default: ssh2 servers
 * on 127.0.0.1 answering with outputs recorded from the lab, libs/testing/src/sim-fleet), run by real apt-worker
 * processes on a real PostgreSQL: one worker with the default settings, then 2 … `--workers` of them; each worker's
 * RSS; a pass with one worker SIGKILLed halfway (acceptance 3); the cron fire delay of an every-minute schedule
 * fired by a scheduler process of its own while the passes run; and a plain OpenSSH loop over the same hosts as the
 * peer. Prints its lines and returns the cron figures for `npm run bench -- scale`.
 */
export async function scalePassSection(): Promise<ScalePassFigures | undefined> {
  const root = process.cwd();
  const fixtures = FixtureSet.load(join(root, 'libs/testing/src/sim-fleet/fixtures'));
  if (!fixtures.has('clean')) {
    console.log('\nscale-pass skipped: no recorded fixtures (run `npm run sim:record` as root)');
    return undefined;
  }
  const { count, more, runs, only } = parseOptions();
  const build = spawnSync(process.execPath, [join(root, 'tools/build/build.mjs'), 'apt-worker', 'scheduler'], {
    stdio: 'inherit',
  });
  if (build.status !== 0) throw new Error('apt-worker or scheduler build failed');
  const k0 = performance.now();
  simHostKeys(count);
  const keysMs = performance.now() - k0;
  const f0 = performance.now();
  const fleet = await SimFleet.start({ count, fixtures });
  const fleetMs = performance.now() - f0;
  const { url, close } = await benchDatabase('scale_pass');
  const dataDir = mkdtempSync(join(tmpdir(), 'su-bench-scale-'));
  const env = { DATABASE_URL: url, SU_DATA_DIR: dataDir };
  const config = loadConfig(env);
  const app = await NestFactory.createApplicationContext(
    ScaleBenchModule.forRoot({ service: 'gateway', config, databaseUrl: url }),
    { logger: ['error'] },
  );
  const db = Database.connect({ url, maxConnections: 2 });
  try {
    const ids = await createMachines(app, fleet);
    const machines = app.get(MachinesService);
    const readTiles = () => machines.listJson(DASHBOARD_PAGE);
    const ctx: Ctx = { root, db, jobs: app.get(JobsService), env, ids, fleet, only, readTiles };
    return await report(ctx, fleet, { count, more, keysMs, fleetMs, runs });
  } finally {
    await app.close();
    await db.close();
    await fleet.stop();
    await close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The probes queued when the machines were added (first contact, host keys trusted on first use), and the periodic
 * metrics sample the scheduler queues at its first tick: every job there is, until none is left. A long-running
 * scheduler samples every 300 s by default; started with the pass, its first sample would land on every pass.
 */
async function firstContact(ctx: Ctx): Promise<number> {
  const w0 = performance.now();
  const warm = await Promise.all([WorkerProcess.start(ctx.root, ctx.env), WorkerProcess.start(ctx.root, ctx.env)]);
  for (;;) {
    const open = await ctx.db.pool.query<{ id: string }>(`SELECT id FROM jobs WHERE status IN ('queued', 'running')`);
    if (open.rows.length === 0) break;
    await waitDone(
      ctx,
      open.rows.map((r) => r.id),
    );
  }
  await Promise.all(warm.map((w) => w.stop()));
  return (performance.now() - w0) / 1000;
}

/**
 * A scheduler process of its own, as in production, leading and firing an every-minute schedule (over no machine:
 * what is measured is the leader's timer and the slot's transaction, not a fan-out) for as long as `during` runs.
 */
async function withCronSchedule<T>(ctx: Ctx, during: () => Promise<T>): Promise<{ result: T; slots: [Date, Date][] }> {
  const schedules = new SchedulesRepository(ctx.db.prisma);
  const s = await schedules.create({
    name: 'cron during the pass',
    enabled: true,
    cron: '* * * * *',
    timezone: 'UTC',
    scope: { tags: ['no-machine-has-this-tag'] },
    actions: ['apt_update_analyze'],
    concurrency: 1,
    approvalPolicy: 'none',
    windowMinutes: null,
    nextRunAt: nextRuns('* * * * *', 'UTC', new Date())[0] ?? new Date(),
  });
  const scheduler = await WorkerProcess.start(ctx.root, ctx.env, 'scheduler');
  try {
    const result = await during();
    const rows = await ctx.db.pool.query<{ slot_at: Date; fired_at: Date }>(
      `SELECT slot_at, fired_at FROM schedule_runs WHERE schedule_id = $1 AND status <> 'skipped' ORDER BY slot_at`,
      [s.id],
    );
    return { result, slots: rows.rows.map((r) => [r.slot_at, r.fired_at]) };
  } finally {
    await scheduler.stop();
    await ctx.db.pool.query(`UPDATE schedules SET enabled = false WHERE id = $1`, [s.id]);
  }
}

/** The fire delays of the slots that fell inside one of the passes. */
function cronDuring(slots: [Date, Date][], passes: PassResult[]): CronDuringPass {
  const inside = slots.filter(([slot]) =>
    passes.some((p) => slot.getTime() >= p.window[0] && slot.getTime() <= p.window[1]),
  );
  const delays = inside.map(([slot, fired]) => fired.getTime() - slot.getTime());
  const x = summary(delays.length ? delays : [NaN]);
  return { p50: x.p50, max: x.max, n: delays.length, delays };
}

async function report(
  ctx: Ctx,
  fleet: SimFleet,
  o: { count: number; more: number; keysMs: number; fleetMs: number; runs: Record<'one' | 'more' | 'kill', boolean> },
): Promise<ScalePassFigures> {
  let warmS = 0;
  const { result: passes, slots } = await withCronSchedule(ctx, async () => {
    warmS = await firstContact(ctx);
    const runs: [string, PassResult][] = [];
    if (o.runs.one) runs.push(['1 apt-worker, default settings', await pass(ctx, 1)]);
    for (let n = 2; o.runs.more && n <= o.more; n++)
      runs.push([`${n} apt-workers, default settings each`, await pass(ctx, n)]);
    if (o.runs.kill) runs.push([KILLED, await pass(ctx, 2, true)]);
    return runs;
  });
  const cron = cronDuring(
    slots,
    passes.map(([, p]) => p),
  );
  const { other, readOnly } = workerConcurrency(loadConfig(childProcessEnv(ctx.env)));
  // The killed pass's time is not the pass target's: the lost worker's jobs wait for their locks to expire.
  const passTarget = (label: string, p: PassResult) =>
    label === KILLED ? 'time: see the SIGKILL line below' : `${met(p.seconds <= PASS_TARGET_S)} (≤ ${PASS_TARGET_S} s)`;
  const row = (label: string, p: PassResult) => [
    label,
    p.seconds,
    `${Math.max(...p.rss).toFixed(0)} (idle ${p.idleRss.toFixed(0)})`,
    `${p.cpu.toFixed(1)} (PostgreSQL ${p.pgCpu.toFixed(1)}, bench ${p.benchCpu.toFixed(1)})`,
    outcomeText(p.counts),
    p.phases,
    readerText(p.reader),
    `${passTarget(label, p)}; RSS ${met(Math.max(...p.rss) <= RSS_TARGET_MB)} (≤ ${RSS_TARGET_MB} MB)`,
  ];
  printTable(
    `scale-pass: read-only pass (probe + apt analysis) over ${o.count} simulated machines (host keys ${o.keysMs.toFixed(0)} ms, fleet up ${o.fleetMs.toFixed(0)} ms, first-contact probes ${warmS.toFixed(1)} s), real apt-worker processes (SU_WORKER_READ_CONCURRENCY ${readOnly}, SU_WORKER_CONCURRENCY ${other}), PostgreSQL; unknown commands: ${unknownText(ctx, fleet, passes)}`,
    ['run', 's', 'max worker RSS MB', 'CPU s: workers (others)', 'jobs', 'per job (ms)', 'dashboard', 'targets'],
    passes.map(([label, p]) => row(label, p)),
  );
  const unknown = fleet.unknownCommands();
  if (unknown.length) console.log(`scale-pass: unknown commands, the first: ${unknown.slice(0, 2).join(' | ')}`);
  if (o.runs.kill) await killedAndPeer(ctx, fleet, passes);
  console.log(
    `scale-pass: cron fire delay (every-minute schedule, scheduler process of its own) during the passes: max ${cron.max.toFixed(0)} ms, p50 ${cron.p50.toFixed(0)} ms over ${cron.n} slots [${cron.delays.join(', ')}] — ${met(cron.n > 0 && cron.max <= CRON_TARGET_MS)} (≤ ${CRON_TARGET_MS} ms)`,
  );
  return { cron };
}

/**
 * How many commands the simulated hosts knew no answer to, and how many of those reached hosts of the killed pass'
 * worker_lost jobs: a script the SIGKILLed worker was still sending arrives cut short (worker-loss.int-spec.ts).
 */
function unknownText(ctx: Ctx, fleet: SimFleet, passes: [string, PassResult][]): string {
  const unknown = fleet.unknownCommands();
  const lost = passes.find(([label]) => label === KILLED)?.[1].lost ?? [];
  const lostHosts = new Set(lost.map((id) => fleet.hosts[ctx.ids.indexOf(id)]?.name));
  const cutShort = unknown.filter((u) => lostHosts.has(u.split(':')[0])).length;
  return cutShort
    ? `${unknown.length} (${cutShort} cut short by the SIGKILL, on hosts of worker_lost jobs)`
    : `${unknown.length}`;
}

/** Acceptance 3 at this scale (the last pass had a worker SIGKILLed), and the OpenSSH peer. */
async function killedAndPeer(ctx: Ctx, fleet: SimFleet, passes: [string, PassResult][]): Promise<void> {
  const killed = passes.at(-1)?.[1];
  if (!killed) return;
  const retried = await retry(ctx, killed.lost);
  const stuck = killed.fates.get('stuck') ?? 0;
  const retriedOk = !retried.has('queued') && !retried.has('running') && !retried.has('error:worker_lost');
  console.log(
    `scale-pass: SIGKILL halfway, per machine (analysis): ${outcomeText(killed.fates)}; jobs left queued/running: ${killed.unfinished} — ${met(killed.unfinished === 0 && stuck === 0)}; ${killed.lost.length} machines with a worker_lost job, analysed again: ${outcomeText(retried) || 'none needed'} — ${met(retriedOk)}`,
  );
  const peer = await sshLoopPeer(fleet, 64);
  const fastest = Math.min(...passes.filter(([label]) => label !== KILLED).map(([, p]) => p.seconds));
  console.log(
    `scale-pass: peer, OpenSSH ssh per host and command (probe, analysis), 64 at once, no parsing, no database: ${peer.seconds.toFixed(1)} s, ${peer.ok} ok, ${peer.failed} failed; our fastest pass ${(fastest / peer.seconds).toFixed(2)}× its time`,
  );
}

/** The machines whose job ended worker_lost, analysed again (as a person or the next schedule slot would). */
async function retry(ctx: Ctx, machines: string[]): Promise<Map<string, number>> {
  if (machines.length === 0) return new Map();
  const proc = await WorkerProcess.start(ctx.root, ctx.env);
  const ids = await ctx.jobs.enqueueMany(
    'apt.update_analyze',
    machines.map((machineId) => ({ payload: {}, machineId })),
    ACTOR,
  );
  const c = await waitDone(ctx, ids);
  await proc.stop();
  return c;
}
