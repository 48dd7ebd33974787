import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { loadConfig } from '@su/config';
import { Database } from '@su/db';
import { createGatewayApp } from '@su/gateway';
import type { PlatformOptions } from '@su/platform';
import { seedFleet } from '@su/testing';
import { benchDatabase } from './bench-database.ts';
import { adminSession } from './bench-session.ts';
import { percentile, printTable, summary } from './stats.ts';
import { breakdownRows, readBreakdown, startCounters, type LoadBreakdown } from './web-breakdown.ts';
import { startProfile, stopProfile } from './web-profile.ts';
import { firstScreenOf, momentOf, watchMoments } from './web-interactive.ts';

const FLEET = 1000;
const LOADS = 7;
const CHANGES = 60;
// Bundled into dist/bench/main.js: the workspace is two levels up.
const root = new URL('../..', import.meta.url).pathname;
// SU_BENCH_WEB_DIR measures a UI built elsewhere (two builds compared back to back); unset, the UI is built first.
const prebuilt = process.env['SU_BENCH_WEB_DIR'];
const webDir = prebuilt ?? join(root, 'dist/apps/web');
// SU_BENCH_WEB_COMPARE=<dir> also serves the UI built there, from a second gateway on the same database, and loads the
// two in turn (A B, B A, ...): on a shared, loaded machine both see the same conditions.
const compareDir = process.env['SU_BENCH_WEB_COMPARE'];
const line = (name: string, value: number, unit: string, target: number) =>
  console.log(
    `target: ${name} <= ${target} ${unit} — ${value <= target ? 'met' : 'NOT met'} (${value.toFixed(1)} ${unit})`,
  );

/** The JS a first visit downloads before the dashboard runs: the entry script and what it preloads, gzipped. */
function initialJs(): { files: string[]; gzipBytes: number; rawBytes: number } {
  const html = readFileSync(join(webDir, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]!);
  let gzipBytes = 0;
  let rawBytes = 0;
  for (const f of files) {
    const body = readFileSync(join(webDir, f));
    rawBytes += body.length;
    gzipBytes += gzipSync(body, { level: 9 }).length;
  }
  return { files, gzipBytes, rawBytes };
}

/**
 * Time to interactive: from navigation start to the dashboard showing the whole fleet's count and its first tiles,
 * and the next animation frame (the main thread free to answer input), as the page itself records it
 * (web-interactive.ts). A fresh browser context each load (no cache).
 * The UI fills its first screen from the fleet's first page (the count is that page's total); the moment the whole
 * fleet is shown is measured too, and printed in the breakdown.
 */
async function timeToInteractive(browser: Browser, bases: string[], token: string): Promise<LoadBreakdown[][]> {
  const out: LoadBreakdown[][] = bases.map(() => []);
  for (let i = 0; i < LOADS; i++) {
    const order = i % 2 === 0 ? bases.map((_, k) => k) : bases.map((_, k) => bases.length - 1 - k);
    for (const k of order) out[k]!.push(await loadOnce(browser, bases[k]!, token, i === 0 && k === 0));
  }
  return out;
}

/** One load of the dashboard in a fresh context, and where its time went. */
async function loadOnce(browser: Browser, base: string, token: string, profile: boolean): Promise<LoadBreakdown> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addCookies([{ name: 'su_session', value: token, url: base }]);
  const page = await context.newPage();
  await watchMoments(page, FLEET);
  const cdp = await startCounters(page);
  if (profile) await startProfile(cdp);
  await page.goto(`${base}/`);
  // Recorded by the page (web-interactive.ts): no polling from here while the page loads.
  const interactive = await momentOf(page, 'interactive');
  const wholeFleet = await momentOf(page, 'wholeFleet');
  const breakdown = await readBreakdown(page, cdp, { interactive, wholeFleet, ...(await firstScreenOf(page)) });
  if (profile) await stopProfile(cdp);
  await context.close();
  return breakdown;
}

/**
 * A database change to the tile in the DOM: UPDATE machine_state (the trigger emits the live event), the page's one
 * SSE connection receives it, the tile shows the new count. Measured with the page's clock and this process's: one
 * machine, one clock.
 */
async function changeToTile(browser: Browser, base: string, token: string, db: Database): Promise<number[]> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addCookies([{ name: 'su_session', value: token, url: base }]);
  const page = await context.newPage();
  await page.goto(`${base}/?sort=name`);
  await page.getByTestId('live-status').getByText('Live').waitFor({ timeout: 60_000 });
  await page.getByRole('heading', { name: 'node-0002' }).waitFor({ timeout: 60_000 });
  const [target] = await db.prisma.$queryRawUnsafe<{ id: string }[]>(
    `SELECT id FROM machines WHERE name = 'node-0002'`,
  );
  // Records when node-0002's tile first shows each count (the page's clock is this machine's clock).
  await page.evaluate(`(() => {
    window.suSeenAt = {};
    const note = () => {
      for (const tile of document.querySelectorAll('[data-testid="machine-tile"]')) {
        if (tile.querySelector('h3')?.textContent !== 'node-0002') continue;
        const m = /^(\\d+) updates$/.exec(tile.querySelector('[data-testid="tile-updates"]')?.textContent ?? '');
        if (m && !(m[1] in window.suSeenAt)) window.suSeenAt[m[1]] = Date.now();
      }
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  })()`);
  const delays: number[] = [];
  for (let i = 0; i < CHANGES + 5; i++) {
    const count = 100 + i;
    const t0 = Date.now();
    await db.prisma.$executeRawUnsafe(
      `UPDATE machine_state SET apt_updates_count = $1, updated_at = now() WHERE machine_id = $2::uuid`,
      count,
      target!.id,
    );
    let at = 0;
    while (!at) {
      if (Date.now() - t0 > 30_000) throw new Error(`the tile never showed ${count} updates`);
      await new Promise((r) => setTimeout(r, 10));
      at = (await page.evaluate<number | undefined>(`window.suSeenAt['${count}']`)) ?? 0;
    }
    if (i >= 5) delays.push(at - t0); // the first changes warm the connection and the plans up
    await new Promise((r) => setTimeout(r, 200));
  }
  await context.close();
  return delays;
}

async function startGateway(url: string, dataDir: string, dir: string) {
  const config = loadConfig({ DATABASE_URL: url, SU_DATA_DIR: dataDir, SU_WEB_DIR: dir });
  const platform: PlatformOptions = { service: 'gateway', config, databaseUrl: url };
  const app = await createGatewayApp(platform, false);
  await app.listen(0, '127.0.0.1');
  return { app, base: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` };
}

/**
 * The web UI at 1,000 machines, in Debian's Chromium (`/usr/bin/chromium`): dashboard time to interactive, delay from
 * a database change to the tile through SSE, initial JS. The UI is built first; the fleet is seeded with realistic
 * state (seedFleet).
 */
export async function webBench(): Promise<void> {
  if (!prebuilt) {
    const build = spawnSync(process.execPath, [join(root, 'tools/build/build.mjs'), 'web'], {
      cwd: root,
      encoding: 'utf8',
    });
    if (build.status !== 0) throw new Error(`the web UI did not build: ${build.stderr}`);
  }
  const { url, close } = await benchDatabase('web');
  const dataDir = mkdtempSync(join(tmpdir(), 'su-bench-web-'));
  const db = Database.connect({ url });
  await seedFleet((sql, params) => db.pool.query(sql, params as unknown[]), FLEET);
  const { app, base } = await startGateway(url, dataDir, webDir);
  const other = compareDir ? await startGateway(url, dataDir, compareDir) : null;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const token = await adminSession(app, base);
    const [breakdown, compared] = await timeToInteractive(browser, other ? [base, other.base] : [base], token);
    const loads = breakdown!.map((l) => l.interactive).sort((a, b) => a - b);
    const tti = summary(loads);
    const sorted = (await changeToTile(browser, base, token, db)).sort((a, b) => a - b);
    const sse = summary(sorted);
    const js = initialJs();
    printTable(
      'where a load goes (median of the loads, ms from navigation start)',
      compared ? ['step', 'this UI', `compared: ${compareDir}`] : ['step', 'ms'],
      breakdownRows(breakdown!, compared),
    );
    printTable(
      `web: the dashboard with ${FLEET} machines in Chromium (headless, this machine)`,
      ['measure', 'n', 'p50', 'p95', 'max'],
      [
        ['time to interactive, ms (fresh context each load)', tti.n, tti.p50, percentile(loads, 95), tti.max],
        ['database change → tile in the DOM via SSE, ms', sse.n, sse.p50, percentile(sorted, 95), sse.max],
      ],
    );
    console.log(
      `initial JS: ${js.files.join(', ')} — ${(js.gzipBytes / 1024).toFixed(1)} KB gzipped (${(js.rawBytes / 1024).toFixed(0)} KB raw); ` +
        'pages other than the dashboard, and the charts, load on demand',
    );
    // A shared machine: its load is part of every figure above.
    console.log(
      `load average while measuring: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    line('dashboard time to interactive (p50)', tti.p50, 'ms', 1000);
    line('change → tile via SSE (p95)', percentile(sorted, 95), 'ms', 200);
    line('initial JS gzipped', js.gzipBytes / 1024, 'KB', 250);
  } finally {
    await browser.close();
    await other?.app.close();
    await app.close();
    await db.close();
    await close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
