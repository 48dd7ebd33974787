import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { loadConfig } from '@su/config';
import { Database } from '@su/db';
import { createGatewayApp } from '@su/gateway';
import { MachinesService } from '@su/machines';
import type { PlatformOptions } from '@su/platform';
import { seedFleet, seedPendingPackages } from '@su/testing';
import { benchDatabase } from './bench-database.ts';
import { adminSession } from './bench-session.ts';
import { printTable, summary } from './stats.ts';

const RUNS = 30;
const WARMUP = 5;
const PACKAGES_PER_MACHINE = 30;
/** What Chromium sends: the figures "on the wire" are for the encoding a browser gets. */
const BROWSER_ENCODINGS = 'gzip, deflate, br, zstd';

interface Answer {
  ms: number;
  wireBytes: number;
  encoding: string;
}

/** One GET with node:http (no automatic decompression): the time to the last byte and the bytes that crossed. */
function get(base: string, path: string, token: string, encodings: string | null): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      `${base}${path}`,
      { headers: { authorization: `Bearer ${token}`, ...(encodings ? { 'accept-encoding': encodings } : {}) } },
      (res) => {
        let wireBytes = 0;
        res.on('data', (chunk: Buffer) => (wireBytes += chunk.length));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`GET ${path} answered ${res.statusCode}`));
          else
            resolve({ ms: performance.now() - t0, wireBytes, encoding: String(res.headers['content-encoding'] ?? '') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

interface Measure {
  label: string;
  p50: number;
  p95: number;
  wireBytes: number;
  encoding: string;
}

async function measure(
  base: string,
  token: string,
  label: string,
  path: string,
  encodings: string | null = BROWSER_ENCODINGS,
): Promise<Measure> {
  for (let i = 0; i < WARMUP; i++) await get(base, path, token, encodings);
  const answers: Answer[] = [];
  for (let i = 0; i < RUNS; i++) answers.push(await get(base, path, token, encodings));
  const times = answers.map((a) => a.ms).sort((a, b) => a - b);
  const s = summary(times);
  console.log(`  ${label}: p50 ${s.p50.toFixed(1)} ms`);
  return {
    label,
    p50: s.p50,
    p95: times[Math.ceil(0.95 * times.length) - 1]!,
    wireBytes: answers.at(-1)!.wireBytes,
    encoding: answers.at(-1)!.encoding || 'identity',
  };
}

/** Where the time of the whole fleet's answer goes: the query (with the driver's parsing), the JSON, the compression. */
async function breakdown(app: Awaited<ReturnType<typeof createGatewayApp>>): Promise<(string | number)[][]> {
  const machines = app.get(MachinesService);
  const steps: Record<string, number[]> = { query: [], stringify: [], brotli: [], gzip: [] };
  let bytes = 0;
  for (let i = 0; i < WARMUP + RUNS; i++) {
    let t = performance.now();
    const page = await machines.list({ limit: 1000, offset: 0 });
    const lap = (step: string) => {
      const now = performance.now();
      if (i >= WARMUP) steps[step]!.push(now - t);
      t = now;
    };
    lap('query');
    const json = Buffer.from(JSON.stringify(page));
    bytes = json.length;
    lap('stringify');
    brotliCompressSync(json, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } });
    lap('brotli');
    gzipSync(json);
    lap('gzip');
  }
  return Object.entries(steps).map(([step, times]) => [
    `${step} (1,000 tiles, ${(bytes / 1024).toFixed(0)} KB of JSON)`,
    summary(times).p50,
  ]);
}

const verdict = (name: string, value: number, unit: string, target: number) =>
  `target: ${name} <= ${target} ${unit} — ${value <= target ? 'met' : 'NOT met'} (${value.toFixed(1)} ${unit})`;

/**
 * The tiles API and the fleet's pending updates at 1,000 and 10,000 machines (issue 19's targets), over real HTTP
 * against a real gateway: time to the last byte, and the bytes on the wire with a browser's Accept-Encoding.
 */
export async function tilesBench(): Promise<void> {
  const { url, close } = await benchDatabase('tiles');
  const dataDir = mkdtempSync(join(tmpdir(), 'su-bench-tiles-'));
  const db = Database.connect({ url });
  const run = (sql: string, params?: unknown[]) => db.pool.query(sql, params as unknown[]);
  const config = loadConfig({ DATABASE_URL: url, SU_DATA_DIR: dataDir, SU_WEB_DIR: join(dataDir, 'no-web') });
  const platform: PlatformOptions = { service: 'gateway', config, databaseUrl: url };
  const app = await createGatewayApp(platform, false);
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  try {
    const token = await adminSession(app, base);
    await seedFleet(run, 1000);
    await run('ANALYZE');
    console.log('  1,000 machines seeded');
    const at1k = [
      await measure(base, token, 'GET /machines?limit=100 (a page), 1,000 machines', '/api/v1/machines?limit=100'),
      await measure(base, token, 'GET /machines?limit=1000 (the fleet), 1,000 machines', '/api/v1/machines?limit=1000'),
      await measure(base, token, 'the same, uncompressed (no Accept-Encoding)', '/api/v1/machines?limit=1000', null),
    ];
    const parts = await breakdown(app);
    console.log('  seeding 9,000 more machines and their pending packages…');
    await seedFleet(run, 9000, 'edge', false); // no history: its jobs' live events are not what is measured
    await seedPendingPackages(run, PACKAGES_PER_MACHINE);
    await run('ANALYZE');
    const at10k = [
      await measure(base, token, 'GET /machines?limit=100 (first page), 10,000', '/api/v1/machines?limit=100'),
      await measure(
        base,
        token,
        'GET /machines?limit=100&offset=5000, 10,000',
        '/api/v1/machines?limit=100&offset=5000',
      ),
      await measure(
        base,
        token,
        `GET /updates/pending, 10,000 × ${PACKAGES_PER_MACHINE} pending`,
        '/api/v1/updates/pending',
      ),
    ];
    printTable(
      'tiles: the tiles API and pending updates (real HTTP, this machine; time to the last byte)',
      ['request', 'p50 ms', 'p95 ms', 'wire KB', 'encoding'],
      [...at1k, ...at10k].map((m) => [m.label, m.p50, m.p95, m.wireBytes / 1024, m.encoding]),
    );
    printTable('tiles: where the time of the fleet’s answer goes (in process, no HTTP)', ['step', 'p50 ms'], parts);
    console.log(
      `load average while measuring: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    const [page1k, fleet1k] = at1k;
    const [page10k, deep10k, pending10k] = at10k;
    for (const l of [
      verdict('tiles page p50 at 1,000', page1k!.p50, 'ms', 15),
      verdict('tiles page p50 at 10,000 (first page)', page10k!.p50, 'ms', 50),
      verdict('tiles page p50 at 10,000 (offset 5,000)', deep10k!.p50, 'ms', 50),
      verdict('whole fleet of 1,000 tiles p50', fleet1k!.p50, 'ms', 40),
      verdict('whole fleet of 1,000 tiles on the wire', fleet1k!.wireBytes / 1024, 'KB', 150),
      verdict(`updates/pending p50 at 10,000 × ${PACKAGES_PER_MACHINE}`, pending10k!.p50, 'ms', 50),
    ])
      console.log(l);
  } finally {
    await app.close();
    await db.close();
    await close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
