import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, seedFleet, type TestDatabase } from '@su/testing';
import { launchChromium } from './test/browser.ts';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';
import { ensureBuiltUi, expectAccessible, shots, SIZES, tabTo, WAIT, webDir, WebSession } from './test/web-session.ts';

/*
 * The dashboard with a fleet of 1,000 machines (seeded in the database, loopback addresses on port 1) in Debian's
 * Chromium: virtualized tiles, still reached with Tab; sort; select several and analyse or request an upgrade.
 */
const FLEET = 1000;
let db: TestDatabase;
let gw: GatewayHarness;
let browser: Browser;
let web: WebSession;

beforeAll(async () => {
  ensureBuiltUi();
  db = await createTestDatabase();
  await seedFleet(db.query, FLEET);
  gw = await startGateway(db, { SU_WEB_DIR: webDir });
  browser = await launchChromium();
  web = new WebSession(browser, () => gw);
});

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await db?.drop();
});

const tiles = (page: import('playwright-core').Page) => page.getByTestId('machine-tile');

/**
 * The rendered tiles whose content does not fit their fixed height (rows are never measured, ADR 0041), and the rows
 * that overlap the next: both must stay empty for the fleet's tallest tiles (blocked, with an error, tagged).
 */
async function tilesCut(page: import('playwright-core').Page): Promise<string[]> {
  return tiles(page).evaluateAll((els) =>
    els
      .filter((el) => el.scrollHeight > el.clientHeight + 1)
      .map((el) => `${el.querySelector('h3')?.textContent}: ${el.scrollHeight} > ${el.clientHeight}`),
  );
}

describe('dashboard with 1,000 machines in Chromium', () => {
  it('counts every machine but renders only the tiles near the viewport, and renders the last one when scrolled to', async () => {
    const { context, page } = await web.signedIn('admin');
    await page.getByTestId('summary-machines').getByText(String(FLEET)).waitFor(WAIT);
    await tiles(page).first().waitFor(WAIT);
    const rendered = await tiles(page).count();
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(120);
    // Worst first: the blocked machines (with their reason and error) and the failing ones, the tallest tiles.
    await page.locator('section[aria-busy="false"]').waitFor(WAIT);
    expect(await tilesCut(page)).toEqual([]);
    await page.goto(`${gw.base}/?sort=name`);
    await page.getByRole('heading', { name: 'node-0001' }).waitFor(WAIT);
    // The first page of tiles comes first; the end of the page is the fleet's end once the rest has loaded (scrolled
    // before, as CI once did, the page's end was the first page's end).
    await page.locator('section[aria-busy="false"]').waitFor(WAIT);
    await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
    await page.getByRole('heading', { name: `node-${FLEET}` }).waitFor(WAIT);
    expect(await tiles(page).count()).toBeLessThan(120);
    await context.close();
  });

  it('sorts: needs-attention first by default, then by name or by security updates, kept in the URL', async () => {
    const { context, page } = await web.signedIn('admin');
    await tiles(page).first().waitFor(WAIT);
    // Machine 97 (and 194, …) has a blocked host key: the worst status, first.
    expect(await tiles(page).first().getByTestId('tile-status').textContent()).toContain('Blocked');
    await page.getByRole('combobox', { name: 'Sort by' }).click();
    await page.getByRole('option', { name: 'Most security updates' }).click();
    await page.waitForURL(/sort=security/, WAIT);
    await expect
      .poll(
        async () =>
          tiles(page)
            .first()
            .getByText(/4 security/)
            .count(),
        WAIT,
      )
      .toBe(1);
    await context.close();
  });

  it('keyboard only: Tab reaches tiles beyond the first rendered rows, Space selects, Shift+Tab and Enter analyse the selection', async () => {
    const { context, page } = await web.signedIn('admin');
    await page.goto(`${gw.base}/?sort=name`);
    await page.getByRole('heading', { name: 'node-0001' }).waitFor(WAIT);
    // node-0060 is not in the DOM at first (virtualized): tabbing towards it renders it.
    expect(await page.getByRole('heading', { name: 'node-0060' }).count()).toBe(0);
    await tabTo(page, page.getByLabel('Select node-0001'));
    await page.keyboard.press('Space');
    await tabTo(page, page.getByLabel('Select node-0060'), 400);
    await page.keyboard.press('Space');
    await page.getByTestId('selection-count').getByText('2 selected').waitFor(WAIT);
    // The selection bar sits above the tiles (sticky): back with Shift+Tab.
    await tabTo(page, page.getByRole('button', { name: 'Analyse now' }), 400, 'Shift+Tab');
    const [before] = await db.query<{ at: Date }>('SELECT now() AS at');
    await page.keyboard.press('Enter');
    await page.getByText('Analysis queued on 2 machines: the tiles follow it live.').waitFor(WAIT);
    const jobs = await db.query<{ name: string }>(
      `SELECT m.name FROM jobs j JOIN machines m ON m.id = j.machine_id
       WHERE j.kind = 'apt.update_analyze' AND j.created_at >= $1 ORDER BY m.name`,
      [before!.at],
    );
    expect(jobs.map((j) => j.name)).toEqual(['node-0001', 'node-0060']);
    await expectAccessible(page);
    await context.close();
  });

  it('requests an upgrade of the selection: each machine whose analysis plans nothing is refused with the API’s reason', async () => {
    const { context, page } = await web.signedIn('operator');
    await page.goto(`${gw.base}/?sort=name&q=node-000`);
    await page.getByRole('button', { name: 'Select the 9 shown' }).click();
    await page.getByRole('button', { name: 'Request an upgrade' }).click();
    await page.getByText('0 upgrade requests wait for approval in the inbox.').waitFor(WAIT);
    const refusals = page.getByRole('alert').filter({ hasText: 'Refused for one machine' });
    await refusals.nth(2).waitFor(WAIT);
    expect(await refusals.count()).toBe(3);
    // The API's own reason, naming the machine (the seeded analyses carry no package plan to bind a request to).
    for (const text of await refusals.allTextContents()) expect(text).toMatch(/node-000\d.*analys/);
    expect((await gw.api('GET', '/api/v1/action-requests?status=pending')).body).toEqual([]);
    await context.close();
  });

  it('screenshots in light and dark, desktop and phone, comfortable and compact, with no serious accessibility violation', async () => {
    for (const colorScheme of ['light', 'dark'] as const)
      for (const [width, height] of SIZES) {
        const { context, page } = await web.signedIn('viewer', { colorScheme, width, height });
        await tiles(page).first().waitFor(WAIT);
        await page.getByTestId('chart-jobs').locator('.recharts-bar-rectangle').first().waitFor(WAIT);
        await page.screenshot({ path: join(shots, `dashboard-fleet-${colorScheme}-${width}.png`) });
        await expectAccessible(page);
        if (colorScheme === 'light' && width === 1440) {
          await page.getByText('Compact').click();
          await tiles(page).first().waitFor(WAIT);
          await expect.poll(() => tilesCut(page), WAIT).toEqual([]);
          await page.screenshot({ path: join(shots, 'dashboard-fleet-compact-light-1440.png') });
        }
        await context.close();
      }
  }, 240_000);

  it('charts: the fleet over time, job outcomes and machines by OS and kind; a machine’s history and reboots', async () => {
    const { context, page } = await web.signedIn('viewer');
    const kinds = page.getByTestId('chart-os');
    await kinds.locator('svg').first().waitFor(WAIT);
    // Each chart says in words what it draws: 1,000 machines over five OS families, 200 each.
    expect(await kinds.locator('figcaption').textContent()).toBe('debian 400, ubuntu 200, proxmox 200, raspbian 200');
    // Two weeks of seeded analyses and jobs: today's counts and 14 days of jobs, in words and drawn.
    await page
      .getByTestId('chart-updates')
      .getByText(/^Today: [1-9]\d* pending updates/)
      .waitFor(WAIT);
    await page
      .getByTestId('chart-jobs')
      .getByText(/^Last 14 days: 1\d{4} jobs finished/)
      .waitFor(WAIT);
    await page.getByTestId('chart-updates').locator('.recharts-line').first().waitFor(WAIT);
    await page.getByRole('button', { name: 'Hide the charts' }).click();
    await page.getByTestId('chart-os').waitFor({ state: 'detached', ...WAIT });
    // Twelve host-metrics samples over the last hours (issue 20): charted on the machine page.
    await db.query(
      `INSERT INTO host_metrics (machine_id, collected_at, source, cpu_load1, cpu_load5, cpu_load15, memory_total_bytes,
         memory_used_bytes, memory_used_percent, root_used_percent, disk_max_used_percent, filesystems_json, uptime_seconds)
       SELECT m.id, now() - make_interval(mins => 20 * g), 'sample', 0.25 * g, 0.2 * g, 0.1 * g, 4096, 2048, 40 + g,
              60 + g, 70 + g, jsonb_build_array(jsonb_build_object('mount', '/', 'usedPercent', 60 + g)), 86400
       FROM machines m, generate_series(0, 11) g WHERE m.name = 'node-0097'`,
    );
    await page.getByRole('link', { name: 'node-0097' }).click();
    await page
      .getByTestId('chart-history')
      .getByText(/^14 analyses; the latest: \d+ pending/)
      .waitFor(WAIT);
    await page.getByTestId('chart-load').getByText('12 samples; latest load 0 (1 min), up 24 h.').waitFor(WAIT);
    await page.getByTestId('chart-usage').getByText(/^Latest: memory 40 %, root 60 %/).waitFor(WAIT);
    await page.getByTestId('chart-usage').locator('.recharts-line').nth(2).waitFor(WAIT);
    await page.screenshot({ path: join(shots, 'machine-charts-light-1440.png'), fullPage: true });
    await page.getByTestId('chart-reboots').getByText('No verified reboot yet.').waitFor(WAIT);
    await expectAccessible(page);
    await context.close();
  });

  it('saw no script dialog, page error or CSP refusal on any page', () => {
    expect(web.problems).toEqual([]);
  });
});
