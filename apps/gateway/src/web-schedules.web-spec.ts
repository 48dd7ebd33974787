import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { launchChromium } from './test/browser.ts';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';
import { recordRunStatuses, runStatusesSeen } from './test/live-status-recorder.ts';
import { SchedulerProcess } from './test/scheduler-process.ts';
import {
  ensureBuiltUi,
  expectAccessible,
  shots,
  SIZES,
  tabTo,
  WAIT,
  webDir,
  WebSession,
} from './test/web-session.ts';

/*
 * Schedules in Debian's Chromium: a schedule written in the UI (cron in words, next runs from the gateway, matched
 * machines), fired by a real scheduler process, run by the harness's in-process apt-worker, its per-machine progress
 * moving on the page through the one SSE connection. The machines are a loopback TCP port that accepts and never
 * answers: each SSH connection waits out SU_SSH_CONNECT_TIMEOUT_SECONDS and fails, so a step runs for a few seconds
 * and its progress is visible (pending → running → failed) without any network beyond loopback.
 */
let db: TestDatabase;
let gw: GatewayHarness;
let browser: Browser;
let web: WebSession;
let silent: Server;
let silentPort = 0;
const sockets = new Set<Socket>();
let scheduler: SchedulerProcess | undefined;

beforeAll(async () => {
  ensureBuiltUi();
  SchedulerProcess.build();
  silent = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as { port: number }).port;
  db = await createTestDatabase();
  gw = await startGateway(db, { SU_WEB_DIR: webDir, SU_SSH_CONNECT_TIMEOUT_SECONDS: '3' });
  browser = await launchChromium();
  web = new WebSession(browser, () => gw);
});

afterAll(async () => {
  await scheduler?.stop();
  await browser?.close();
  await gw?.close();
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent?.close(r));
  await db?.drop();
});

async function createMachine(name: string, tags: string[]): Promise<string> {
  const res = await gw.api('POST', '/api/v1/machines', {
    body: {
      name,
      hostname: '127.0.0.1',
      port: silentPort,
      username: 'admin',
      tags,
      credentials: { authMethod: 'password', password: 'never-used-pw', sudoMode: 'same_as_ssh' },
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

describe('schedules in Chromium', () => {
  it('a schedule written in the UI shows its cron in words, its next runs in its time zone and the machines it matches', async () => {
    await createMachine('sched-web-1', ['sched']);
    await createMachine('sched-web-2', ['sched']);
    await createMachine('other-db-1', ['db']);
    const { context, page } = await web.signedIn('admin', { timezoneId: 'Asia/Tokyo' });
    await page.getByRole('link', { name: 'Schedules' }).click();
    await page.getByText('No schedule yet.').waitFor(WAIT);
    await page.getByRole('link', { name: 'New schedule' }).click();
    await page.getByLabel('Cron (5 fields)').fill('30 3 * * 1-5');
    const preview = page.getByTestId('schedule-preview');
    await preview.getByText('At 03:30, Monday through Friday').waitFor(WAIT);
    // The browser's zone is the default; the 5 runs are shown in it, from the gateway's croner.
    await preview.getByText('Next 5 runs (Asia/Tokyo)').waitFor(WAIT);
    await expect.poll(() => preview.getByTestId('next-runs').getByRole('listitem').count(), WAIT).toBe(5);
    expect(await preview.getByTestId('next-runs').textContent()).toMatch(/3:30/);
    await preview.getByText('3 machines match now').waitFor(WAIT);
    await page.getByLabel('Only machines with one of these tags').check();
    await page.getByRole('combobox', { name: 'Tags' }).fill('sched');
    await page.getByRole('combobox', { name: 'Tags' }).press('Enter');
    await preview.getByText('2 machines match now').waitFor(WAIT);
    await preview.getByTestId('matched-machines').getByText('sched-web-1').waitFor(WAIT);
    expect(await preview.getByTestId('matched-machines').textContent()).not.toContain('other-db-1');
    // A bad cron: the gateway's reason, naming the field.
    await page.getByLabel('Cron (5 fields)').fill('30 25 * * *');
    await preview.getByText(/the hour field must be/).waitFor(WAIT);
    await page.screenshot({ path: join(shots, 'schedule-new-light-1440.png'), fullPage: true });
    await expectAccessible(page);
    await context.close();
  });

  it('a schedule created in the UI with an every-minute cron fires, and its run’s per-machine progress moves live', async () => {
    scheduler = SchedulerProcess.start(db.url, gw.dataDir);
    const { context, page } = await web.signedIn('admin');
    await page.goto(`${gw.base}/schedules/new`);
    // Keyboard only: Tab to each field, type, Space to tick, Enter to submit.
    await tabTo(page, page.getByLabel('Name'));
    await page.keyboard.type('every minute from the UI');
    await tabTo(page, page.getByLabel('Cron (5 fields)'));
    await page.keyboard.press('Control+A');
    await page.keyboard.type('* * * * *');
    await page.getByTestId('cron-words').getByText('Every minute').waitFor(WAIT);
    await tabTo(page, page.getByLabel('Only machines with one of these tags'));
    await page.keyboard.press('Space');
    await tabTo(page, page.getByRole('combobox', { name: 'Tags' }));
    await page.keyboard.type('sched');
    await page.keyboard.press('Enter');
    await page.getByTestId('schedule-preview').getByText('2 machines match now').waitFor(WAIT);
    await tabTo(page, page.getByRole('button', { name: 'Create the schedule' }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'every minute from the UI' }).waitFor(WAIT);
    await page.getByText('No run yet.').waitFor(WAIT);
    await recordRunStatuses(page);
    await page.evaluate('window.suMark = 42');

    // The next minute's slot fires (the scheduler may first need to take the lead): generous deadline.
    const run = page.getByTestId('schedule-run').first();
    await run.waitFor({ timeout: 150_000 });
    await expect
      .poll(async () => run.getByTestId('run-machine').getByTestId('run-status').allTextContents(), {
        timeout: 120_000,
      })
      .toEqual(['Failed', 'Failed']);
    await run.getByTestId('run-status').first().getByText('Failed').waitFor(WAIT);
    expect(await page.evaluate('window.suMark')).toBe(42);
    const seen = await runStatusesSeen(page);
    console.log(`[schedules] statuses seen live per machine: ${JSON.stringify(Object.values(seen))}`);
    const sequences = Object.values(seen);
    expect(sequences).toHaveLength(2);
    // Each machine's badge moved on the page: through Running before it failed, never back.
    for (const s of sequences) {
      expect(s).toContain('Running');
      expect(s[s.length - 1]).toBe('Failed');
      expect(s.indexOf('Running')).toBeLessThan(s.indexOf('Failed'));
    }
    await page.screenshot({ path: join(shots, 'schedule-run-light-1440.png'), fullPage: true });
    await expectAccessible(page);
    await context.close();
  }, 360_000);

  it('the schedules pages: screenshots in light and dark, desktop and phone, with no serious accessibility violation', async () => {
    const [schedule] = (await gw.api('GET', '/api/v1/schedules')).body as { id: string }[];
    for (const colorScheme of ['light', 'dark'] as const)
      for (const [width, height] of SIZES) {
        const { context, page } = await web.signedIn('admin', { colorScheme, width, height });
        await page.goto(`${gw.base}/schedules`);
        await page.getByTestId('schedule-row').first().waitFor(WAIT);
        await page.screenshot({ path: join(shots, `schedules-${colorScheme}-${width}.png`), fullPage: true });
        await expectAccessible(page);
        await page.goto(`${gw.base}/schedules/${schedule!.id}`);
        await page.getByTestId('schedule-run').first().waitFor(WAIT);
        await page.getByTestId('next-runs').waitFor(WAIT);
        await page.screenshot({ path: join(shots, `schedule-${colorScheme}-${width}.png`), fullPage: true });
        await expectAccessible(page);
        await context.close();
      }
  }, 240_000);

  it('saw no script dialog, page error or CSP refusal on any page', () => {
    expect(web.problems).toEqual([]);
  });
});
