import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@su/config';
import { Database } from '@su/db';
import { MachinesModule, MachinesService } from '@su/machines';
import { JobsService, PlatformModule, type PlatformOptions } from '@su/platform';
import { FixtureSet, SimFleet, simHostKeys } from '@su/testing';
import { benchDatabase } from './bench-database.ts';
import { sshLoopPeer } from './scale-pass.peer.ts';
import { printTable } from './stats.ts';
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
/** A pass that has not ended by then is reported as stuck (never expected: a generous bound, not a measure). */
const PASS_DEADLINE_MS = 15 * 60_000;

interface Ctx {
  root: string;
  db: Database;
  jobs: JobsService;
  env: Record<string, string>;
  ids: string[];
}

interface PassResult {
  seconds: number;
  counts: Map<string, number>;
  rss: number[];
  unfinished: number;
  lost: string[];
  phases: string;
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
  const t0 = performance.now();
  const items = ctx.ids.map((machineId) => ({ payload: {}, machineId }));
  const ids = [
    ...(await ctx.jobs.enqueueMany('machine.probe', items, ACTOR)),
    ...(await ctx.jobs.enqueueMany('apt.update_analyze', items, ACTOR)),
  ];
  let killed = !kill;
  const counts = await waitDone(ctx, ids, async (done) => {
    if (killed || done < ids.length / 2) return;
    // Halfway: one worker dies without a word (OOM killer, power); the launcher would start another one.
    killed = true;
    await procs[0]?.kill();
    all.push(await WorkerProcess.start(ctx.root, ctx.env));
  });
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(all.map((p) => p.stop()));
  const lost = kill ? await lostMachines(ctx.db, ids) : [];
  const phases = await phaseFigures(ctx.db, ids);
  return { seconds, counts, rss: procs.map((p) => p.maxRssMb), unfinished: pending(counts), lost, phases };
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
    options: { machines: { type: 'string', default: '1000' }, workers: { type: 'string', default: '4' } },
    strict: false,
  });
  return { count: Math.max(10, Number(values.machines)), more: Math.max(2, Number(values.workers)) };
}

/**
 * Issue 19: a full read-only pass (probe + analysis) over a simulated fleet (1,000 machines by default: ssh2 servers
 * on 127.0.0.1 answering with outputs recorded from the lab, libs/testing/src/sim-fleet), run by real apt-worker
 * processes on a real PostgreSQL: one worker with the default settings, then `--workers` of them; each worker's RSS;
 * a pass with one worker SIGKILLed halfway (acceptance 3); and a plain OpenSSH loop over the same hosts as the peer.
 * Prints its lines (the lead wires it into `npm run bench -- scale`).
 */
export async function scalePassSection(): Promise<void> {
  const root = process.cwd();
  const fixtures = FixtureSet.load(join(root, 'libs/testing/src/sim-fleet/fixtures'));
  if (!fixtures.has('clean')) {
    console.log('\nscale-pass skipped: no recorded fixtures (run `npm run sim:record` as root)');
    return;
  }
  const { count, more } = parseOptions();
  const build = spawnSync(process.execPath, [join(root, 'tools/build/build.mjs'), 'apt-worker'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('apt-worker build failed');
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
    const ctx: Ctx = { root, db, jobs: app.get(JobsService), env, ids };
    await report(ctx, fleet, { count, more, keysMs, fleetMs });
  } finally {
    await app.close();
    await db.close();
    await fleet.stop();
    await close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function report(
  ctx: Ctx,
  fleet: SimFleet,
  o: { count: number; more: number; keysMs: number; fleetMs: number },
): Promise<void> {
  // The probes queued when the machines were added: first contact, host keys trusted on first use.
  const w0 = performance.now();
  const warm = await Promise.all([WorkerProcess.start(ctx.root, ctx.env), WorkerProcess.start(ctx.root, ctx.env)]);
  const first = (await ctx.db.pool.query<{ id: string }>(`SELECT id FROM jobs`)).rows.map((r) => r.id);
  await waitDone(ctx, first);
  await Promise.all(warm.map((w) => w.stop()));
  const warmS = (performance.now() - w0) / 1000;
  const one = await pass(ctx, 1);
  const many = await pass(ctx, o.more);
  const killed = await pass(ctx, 2, true);
  const retried = await retry(ctx, killed.lost);
  const peer = await sshLoopPeer(fleet, o.more * 4);
  const row = (label: string, p: PassResult) => [
    label,
    p.seconds,
    Math.max(...p.rss),
    outcomeText(p.counts),
    p.phases,
    `${met(p.seconds <= PASS_TARGET_S)} (≤ ${PASS_TARGET_S} s); RSS ${met(Math.max(...p.rss) <= RSS_TARGET_MB)} (≤ ${RSS_TARGET_MB} MB)`,
  ];
  printTable(
    `scale-pass: read-only pass (probe + apt analysis) over ${o.count} simulated machines (host keys ${o.keysMs.toFixed(0)} ms, fleet up ${o.fleetMs.toFixed(0)} ms, first-contact probes ${warmS.toFixed(1)} s), real apt-worker processes, PostgreSQL; unknown commands: ${fleet.unknownCommands().length}`,
    ['run', 's', 'max worker RSS MB', 'jobs', 'per job (ms)', 'targets'],
    [
      row('1 apt-worker, default settings (SU_WORKER_CONCURRENCY 4)', one),
      row(`${o.more} apt-workers, default settings each`, many),
      row('2 apt-workers, one SIGKILLed halfway, a new one started', killed),
      [
        `peer: OpenSSH ssh per host and command (probe, analysis), ${o.more * 4} at once, no parsing, no database`,
        peer.seconds,
        '',
        `${peer.ok} ok, ${peer.failed} failed`,
        '',
        `ours ${(many.seconds / peer.seconds).toFixed(2)}× the peer's time`,
      ],
    ],
  );
  console.log(
    `scale-pass: SIGKILL halfway: ${killed.unfinished} jobs left queued/running (stuck) — ${met(killed.unfinished === 0)}; ${killed.lost.length} machines worker_lost, retried: ${outcomeText(retried)} — ${met(!retried.has('queued') && !retried.has('running') && !retried.has('error:worker_lost'))}`,
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
