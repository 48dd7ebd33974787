import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { benchDatabase } from './bench-database.ts';
import { WorkerProcess } from './worker-process.ts';

/**
 * Loaded into the measured process (`--import`): on SIGUSR2 a full GC, then one line `SU_MEM {json}` with
 * process.memoryUsage(), V8's heap spaces and its code statistics, all in bytes.
 */
const PROBE = `import v8 from 'node:v8';
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
  const line = { usage: process.memoryUsage(), spaces, code: v8.getHeapCodeStatistics(), heap: v8.getHeapStatistics() };
  process.stderr.write('SU_MEM ' + JSON.stringify(line) + '\\n');
  if (process.env.SU_BENCH_HEAP_SNAPSHOT) v8.writeHeapSnapshot(process.env.SU_BENCH_HEAP_SNAPSHOT);
});`;

const mb = (n: number) => (n / 1048576).toFixed(1);

/** Resident memory of a process by kind of mapping (/proc/<pid>/smaps): heap of malloc, anonymous, files. */
function residentByMapping(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let name = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      const path = head[1] ?? '';
      name = path === '' ? 'anonymous' : path.startsWith('/') ? (path.includes('node') && !path.includes('node_modules') ? 'node binary' : `file ${path.split('/').slice(-1)[0]}`) : path;
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[name] = (out[name] ?? 0) + Number(rss[1]) * 1024;
  }
  return out;
}

async function snapshot(w: WorkerProcess): Promise<Record<string, unknown>> {
  const before = w.lastOutput().length;
  w.child.kill('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const m = /SU_MEM (\{.*\})\n/.exec(w.lastOutput().slice(Math.max(0, before - 4000)));
    if (m) return JSON.parse(m[1]!) as Record<string, unknown>;
  }
  throw new Error('no SU_MEM line');
}

/**
 * Where an idle apt-worker's memory is: `npm run bench -- worker-memory`. Starts the built apt-worker on a migrated
 * database (as the launcher leaves it), waits until it is idle, and prints its RSS by mapping and V8's own figures.
 */
export async function workerMemoryBench(): Promise<void> {
  const root = process.cwd();
  // --no-build: measure the apt-worker already in dist (another bench may be running it).
  if (!process.argv.includes('--no-build')) {
    const build = spawnSync(process.execPath, [join(root, 'tools/build/build.mjs'), 'apt-worker'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('apt-worker build failed');
  }
  const { url, close } = await benchDatabase('worker_memory');
  const dataDir = mkdtempSync(join(tmpdir(), 'su-bench-mem-'));
  try {
    const w = await WorkerProcess.start(root, { DATABASE_URL: url, SU_DATA_DIR: dataDir }, 'apt-worker', [
      '--expose-gc',
      `--import=data:text/javascript,${encodeURIComponent(PROBE)}`,
    ]);
    await new Promise((r) => setTimeout(r, 5000));
    const s = (await snapshot(w)) as {
      usage: NodeJS.MemoryUsage;
      spaces: Record<string, number>;
      code: Record<string, number>;
      heap: Record<string, number>;
    };
    const maps = Object.entries(residentByMapping(w.pid)).sort((a, b) => b[1] - a[1]);
    console.log(`\nworker-memory: idle apt-worker (ready, 5 s, after a full GC): RSS ${mb(s.usage.rss)} MB (ready: ${w.readyRssMb.toFixed(1)} MB)`);
    console.log(`  V8 heap: used ${mb(s.usage.heapUsed)} MB of ${mb(s.usage.heapTotal)} MB; external ${mb(s.usage.external)} MB (array buffers ${mb(s.usage.arrayBuffers)} MB)`);
    console.log(`  heap spaces (MB): ${Object.entries(s.spaces).map(([k, v]) => `${k} ${mb(v)}`).join(', ')}`);
    console.log(`  code (MB): ${Object.entries(s.code).map(([k, v]) => `${k} ${mb(v)}`).join(', ')}; malloced ${mb(s.heap.malloced_memory ?? 0)}, peak malloced ${mb(s.heap.peak_malloced_memory ?? 0)}`);
    console.log(`  resident by mapping (MB): ${maps.slice(0, 12).map(([k, v]) => `${k} ${mb(v)}`).join(', ')}`);
    await w.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    await close();
  }
}
