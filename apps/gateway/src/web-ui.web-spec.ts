import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '@su/db';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { launchChromium, seriousA11yViolations } from './test/browser.ts';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';
import { tabTo } from './test/web-session.ts';

/*
 * The web UI in Debian's Chromium against a real gateway (real HTTP, real PostgreSQL, the built UI, the in-process
 * worker). Machines are created through the API and point at 127.0.0.1 port 1; richer tile state is written to
 * machine_state, whose trigger emits the live event the UI's one SSE connection receives.
 */
const root = new URL('../../..', import.meta.url).pathname;
const webDir = join(root, 'dist/apps/web');
const shots = join(root, 'docs/screenshots');
const HOSTILE_NAME = '<img src=x onerror=alert(1)>';
// Generous: a shared 2-core machine. These are deadlines for waiting, never measured durations.
const WAIT = { timeout: 30_000 };

let db: TestDatabase;
let gw: GatewayHarness;
let browser: Browser;
const problems: string[] = [];

async function newPage(options: { colorScheme?: 'light' | 'dark'; width?: number; height?: number } = {}) {
  const context: BrowserContext = await browser.newContext({
    viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
    colorScheme: options.colorScheme ?? 'light',
    locale: 'en-US',
  });
  const page = await context.newPage();
  // Any dialog would be a script the page should never have run (the hostile machine name); any CSP report or page
  // error is a defect of the UI.
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  return { context, page };
}

async function logIn(page: Page, username: string, password: string) {
  await page.goto(`${gw.base}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function expectAccessible(page: Page) {
  const violations = await seriousA11yViolations(page);
  expect(violations, JSON.stringify(violations, null, 1)).toEqual([]);
}

async function createUser(username: string): Promise<string> {
  const res = await gw.api('POST', '/api/v1/users', { body: { username, role: 'admin' } });
  expect(res.status).toBe(201);
  return res.body.password as string;
}

async function createMachine(name: string, tags: string[] = []): Promise<string> {
  const res = await gw.api('POST', '/api/v1/machines', {
    body: { name, hostname: '127.0.0.1', port: 1, username: 'admin' },
  });
  expect(res.status).toBe(201);
  if (tags.length)
    expect((await gw.api('PUT', `/api/v1/machines/${res.body.id}/tags`, { body: { tags } })).status).toBe(200);
  return res.body.id as string;
}

/** A user who has already chosen their own password, signed in, on the dashboard. */
async function signedInPage(options: Parameters<typeof newPage>[0] = {}) {
  const username = `viewer-${Math.random().toString(36).slice(2, 8)}`;
  const first = await createUser(username);
  const password = `${username}-own-passphrase`;
  const token = (await gw.api('POST', '/api/v1/auth/login', { token: null, body: { username, password: first } })).body
    .token as string;
  await gw.api('POST', '/api/v1/auth/password', { token, body: { currentPassword: first, newPassword: password } });
  const { context, page } = await newPage(options);
  await logIn(page, username, password);
  await page.getByRole('heading', { name: 'Fleet' }).waitFor(WAIT);
  return { context, page };
}

beforeAll(async () => {
  if (!existsSync(join(webDir, 'index.html'))) throw new Error('the web UI is not built: run npm run test:web');
  mkdirSync(shots, { recursive: true });
  db = await createTestDatabase();
  gw = await startGateway(db, { SU_WEB_DIR: webDir });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await db?.drop();
});

describe('web UI in Chromium', () => {
  it('a new user logs in with the given password, must change it, then reaches the dashboard', async () => {
    const first = await createUser('newcomer');
    const { context, page } = await newPage();
    await logIn(page, 'newcomer', first);
    await page.getByRole('heading', { name: 'Change your password' }).waitFor(WAIT);
    expect(page.url()).toMatch(/\/password$/);
    await page.screenshot({ path: join(shots, 'password-light-1440.png') });
    await expectAccessible(page);
    await page.getByLabel('Current password').fill(first);
    await page.getByLabel(/^New password/).fill('newcomer-own-passphrase');
    await page.getByLabel('Repeat the new password').fill('newcomer-own-passphrase');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor(WAIT);
    // The session lives in an HttpOnly cookie: nothing the page's scripts can read, nothing in storage.
    expect(await page.evaluate('document.cookie')).toBe('');
    expect(await page.evaluate<string>('JSON.stringify(localStorage)')).not.toMatch(/su[sa]_/);
    await context.close();
  });

  it('the login page has no serious accessibility violation, in light and dark, on desktop and phone', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [width, height] of [
        [1440, 900],
        [390, 844],
      ] as const) {
        const { context, page } = await newPage({ colorScheme, width, height });
        await page.goto(`${gw.base}/`);
        await page.getByRole('heading', { name: 'Sign in' }).waitFor(WAIT);
        await page.screenshot({ path: join(shots, `login-${colorScheme}-${width}.png`) });
        await expectAccessible(page);
        await context.close();
      }
    }
  });

  it('the dashboard shows every machine, renders a hostile name as text, and a tile changes live', async () => {
    await createMachine('web-01', ['web', 'prod']);
    const dbId = await createMachine('db-01', ['db', 'prod']);
    await createMachine(HOSTILE_NAME, ['lab']);
    const { context, page } = await signedInPage();
    await page.getByTestId('machine-tile').nth(2).waitFor(WAIT);
    expect(await page.getByTestId('machine-tile').count()).toBe(3);
    // The hostile name is text in its heading; no element came of it and no script ran.
    await page.getByRole('heading', { name: HOSTILE_NAME }).waitFor(WAIT);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.getByTestId('live-status').getByText('Live').waitFor(WAIT);

    // Mark the page: a reload would lose the mark.
    await page.evaluate('window.suMark = 42');
    const dbTile = page.getByTestId('machine-tile').filter({ has: page.getByRole('heading', { name: 'db-01' }) });
    expect(await dbTile.getByTestId('tile-status').textContent()).toContain('Not probed yet');
    await gw.app.get(Database).prisma.$executeRaw`
      UPDATE machine_state SET status = 'online', apt_updates_count = 7, apt_security_count = 2,
        apt_reboot_required = true, apt_last_analyze_at = now(), updated_at = now()
      WHERE machine_id = ${dbId}::uuid`;
    await dbTile.getByText('7 updates').waitFor(WAIT);
    await dbTile.getByText('2 security').waitFor(WAIT);
    await dbTile.getByText('Reboot required').waitFor(WAIT);
    expect(await dbTile.getByTestId('tile-status').textContent()).toContain('Security updates');
    expect(await page.evaluate('window.suMark')).toBe(42);

    // The summary counts filter, and the filter is in the URL.
    await page.getByTestId('summary-security').click();
    await page.waitForURL(/only=security/, WAIT);
    await expect.poll(() => page.getByTestId('machine-tile').count(), WAIT).toBe(1);
    await expectAccessible(page);
    await page.getByTestId('summary-machines').click();
    await page.getByTestId('machine-tile').nth(2).waitFor(WAIT);
    await context.close();
  });

  it('saves dashboard screenshots (light and dark, desktop and phone) with no serious accessibility violation', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [width, height] of [
        [1440, 900],
        [390, 844],
      ] as const) {
        const { context, page } = await signedInPage({ colorScheme, width, height });
        await page.getByTestId('machine-tile').nth(2).waitFor(WAIT);
        await page.screenshot({ path: join(shots, `dashboard-${colorScheme}-${width}.png`), fullPage: true });
        await expectAccessible(page);
        await context.close();
      }
    }
  });

  it('the machine page shows the summary, renders an important message with markup as text, and acknowledges it', async () => {
    const id = await createMachine('msg-host', ['lab']);
    await gw.app.get(Database).prisma.$executeRaw`
      INSERT INTO important_messages (machine_id, source, category, severity, package_name, message)
      VALUES (${id}::uuid, 'apt', 'config', 'warning', 'openssh-server',
              '<b id="injected">bold</b><img src=x onerror=alert(2)>')`;
    const { context, page } = await signedInPage();
    await page.getByRole('link', { name: 'msg-host' }).click();
    await page.getByRole('heading', { name: 'Summary' }).waitFor(WAIT);
    await page.getByRole('row', { name: 'Host admin@127.0.0.1:1' }).waitFor(WAIT);
    const message = page.getByTestId('important-message');
    await message.getByText('<b id="injected">bold</b>', { exact: false }).waitFor(WAIT);
    expect(await page.locator('#injected').count()).toBe(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'machine-light-1440.png'), fullPage: true });
    await expectAccessible(page);
    await message.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByText('No message to read.').waitFor(WAIT);
    await context.close();
  });

  it('the jobs page follows a job live, and cancels a queued one after confirmation', async () => {
    const { context, page } = await signedInPage();
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor(WAIT);
    const selftest = await gw.api('POST', '/api/v1/system/selftest', { body: { echo: 'from the UI test' } });
    expect(selftest.status).toBe(201);
    const row = page.locator(`[data-job-id="${selftest.body.id}"]`);
    await row.getByTestId('job-status').getByText('Done').waitFor(WAIT);

    await gw.stopWorker();
    try {
      const queued = await gw.api('POST', '/api/v1/system/selftest', { body: {} });
      const queuedRow = page.locator(`[data-job-id="${queued.body.id}"]`);
      await queuedRow.getByTestId('job-status').getByText('Queued').waitFor(WAIT);
      await queuedRow.getByRole('button', { name: 'Cancel' }).click();
      await queuedRow.getByRole('button', { name: 'Really cancel?' }).click();
      await queuedRow.getByTestId('job-status').getByText('Cancelled').waitFor(WAIT);
      await queuedRow.getByRole('button', { name: 'Retry' }).waitFor(WAIT);
      await page.screenshot({ path: join(shots, 'jobs-light-1440.png'), fullPage: true });
      await expectAccessible(page);
    } finally {
      await gw.restartWorker();
    }
    await context.close();
  });

  it('the approvals inbox shows who asked, the risk and the plan, and approves with a note', async () => {
    const machineId = await createMachine('approve-me', ['lab']);
    const created = await gw.api('POST', '/api/v1/action-requests', {
      body: { machineId, action: 'machine_probe', summary: 'probe <script>alert(3)</script> please' },
    });
    expect(created.status).toBe(201);
    const { context, page } = await signedInPage();
    await page.getByRole('link', { name: 'Approvals' }).click();
    await page.getByRole('heading', { name: 'Approvals inbox' }).waitFor(WAIT);
    const card = page.getByTestId('action-request').filter({ hasText: 'approve-me' });
    await card.getByText('probe <script>alert(3)</script> please').waitFor(WAIT);
    await card.getByText(/Asked by admin/).waitFor(WAIT);
    await page.screenshot({ path: join(shots, 'approvals-light-1440.png'), fullPage: true });
    await expectAccessible(page);
    await card.getByLabel('Note (kept with the decision)').fill('looks fine');
    await card.getByRole('button', { name: 'Approve' }).click();
    await card.waitFor({ state: 'detached', ...WAIT });
    const after = await gw.api('GET', `/api/v1/action-requests/${created.body.id}`);
    expect(after.body.status).not.toBe('pending');
    expect(after.body.decisionNote).toBe('looks fine');
    await context.close();
  });

  it('switches to French and keeps it in the user’s preferences', async () => {
    const { context, page } = await signedInPage();
    await page.getByText('Français').click();
    await page.getByRole('heading', { name: 'Parc' }).waitFor(WAIT);
    await page.reload();
    await page.getByRole('heading', { name: 'Parc' }).waitFor(WAIT);
    expect(await page.evaluate('document.documentElement.lang')).toBe('fr');
    await page.screenshot({ path: join(shots, 'dashboard-fr-light-1440.png') });
    await context.close();
  });

  it('logs out: the cookie is cleared and the API refuses the old session', async () => {
    const { context, page } = await signedInPage();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor(WAIT);
    expect((await context.cookies()).filter((c) => c.name === 'su_session')).toEqual([]);
    const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).status);
    expect(me).toBe(401);
    await context.close();
  });

  /** Keyboard only: Tab (or Shift+Tab) to the control, then the key a keyboard user would press on it. */
  async function press(page: Page, target: Locator, key: 'Enter' | 'Space' = 'Enter', way: 'Tab' | 'Shift+Tab' = 'Tab') {
    await tabTo(page, target, 120, way);
    await page.keyboard.press(key);
  }

  it('keyboard only: log in, change the given password, change it again from the menu, log out', async () => {
    const first = await createUser('keyboarder');
    const { context, page } = await newPage();
    await page.goto(`${gw.base}/`);
    await tabTo(page, page.getByLabel('Username'));
    await page.keyboard.type('keyboarder');
    await page.keyboard.press('Tab');
    await page.keyboard.type(first);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Change your password' }).waitFor(WAIT);
    const fill = async (label: string | RegExp, value: string) => {
      await tabTo(page, page.getByLabel(label));
      await page.keyboard.type(value);
    };
    await fill('Current password', first);
    await fill(/^New password/, 'keyboarder-own-passphrase');
    await fill('Repeat the new password', 'keyboarder-own-passphrase');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Fleet' }).waitFor(WAIT);
    // Later, from the navigation: the own password changed again.
    await press(page, page.getByRole('navigation').getByRole('link', { name: 'Change password' }));
    await page.getByRole('heading', { name: 'Change your password' }).waitFor(WAIT);
    await fill('Current password', 'keyboarder-own-passphrase');
    await fill(/^New password/, 'keyboarder-second-passphrase');
    await fill('Repeat the new password', 'keyboarder-second-passphrase');
    await press(page, page.getByRole('button', { name: 'Change password' }), 'Space');
    await page.getByText('Your password was changed.').waitFor(WAIT);
    await press(page, page.getByRole('button', { name: 'Log out' }), 'Enter', 'Shift+Tab');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor(WAIT);
    const login = await gw.api('POST', '/api/v1/auth/login', {
      token: null,
      body: { username: 'keyboarder', password: 'keyboarder-second-passphrase' },
    });
    expect(login.status).toBe(200);
    await context.close();
  });

  it('keyboard only: the approvals inbox approves one request and rejects another, each with a note', async () => {
    const machineId = await createMachine('kb-approve');
    const ask = async (summary: string) => {
      const res = await gw.api('POST', '/api/v1/action-requests', {
        body: { machineId, action: 'machine_probe', summary },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const toApprove = await ask('kb: approve me');
    const toReject = await ask('kb: reject me');
    const { context, page } = await signedInPage();
    await press(page, page.getByRole('navigation').getByRole('link', { name: 'Approvals' }));
    await page.getByRole('heading', { name: 'Approvals inbox' }).waitFor(WAIT);
    const card = (summary: string) => page.getByTestId('action-request').filter({ hasText: summary });
    await tabTo(page, card('kb: approve me').getByLabel('Note (kept with the decision)'));
    await page.keyboard.type('fine by keyboard');
    await press(page, card('kb: approve me').getByRole('button', { name: 'Approve' }));
    await card('kb: approve me').waitFor({ state: 'detached', ...WAIT });
    // Reject asks once more on the same button: Escape backs out, Enter twice rejects.
    const rejecting = card('kb: reject me');
    await tabTo(page, rejecting.getByLabel('Note (kept with the decision)'), 120, 'Shift+Tab');
    await page.keyboard.type('not now');
    await press(page, rejecting.getByRole('button', { name: 'Reject', exact: true }));
    await rejecting.getByRole('button', { name: 'Really reject?' }).waitFor(WAIT);
    await page.keyboard.press('Escape');
    await rejecting.getByRole('button', { name: 'Reject', exact: true }).waitFor(WAIT);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await rejecting.waitFor({ state: 'detached', ...WAIT });
    const approved = (await gw.api('GET', `/api/v1/action-requests/${toApprove}`)).body;
    const rejected = (await gw.api('GET', `/api/v1/action-requests/${toReject}`)).body;
    expect([approved.status === 'pending', approved.decisionNote]).toEqual([false, 'fine by keyboard']);
    expect([rejected.status, rejected.decisionNote]).toEqual(['rejected', 'not now']);
    await context.close();
  });

  it('keyboard only: the jobs page cancels a queued job (confirmed), retries it, and filters by status', async () => {
    const { context, page } = await signedInPage();
    await press(page, page.getByRole('navigation').getByRole('link', { name: 'Jobs' }));
    await page.getByRole('heading', { name: 'Jobs' }).waitFor(WAIT);
    await gw.stopWorker();
    try {
      const queued = await gw.api('POST', '/api/v1/system/selftest', { body: {} });
      const row = page.locator(`[data-job-id="${queued.body.id}"]`);
      await row.getByTestId('job-status').getByText('Queued').waitFor(WAIT);
      // Cancel asks once more on the same button: Escape backs out, Enter twice cancels.
      await press(page, row.getByRole('button', { name: 'Cancel', exact: true }));
      await row.getByRole('button', { name: 'Really cancel?' }).waitFor(WAIT);
      await page.keyboard.press('Escape');
      await row.getByRole('button', { name: 'Cancel', exact: true }).waitFor(WAIT);
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await row.getByTestId('job-status').getByText('Cancelled').waitFor(WAIT);
      const before = await page.getByTestId('job-row').count();
      await press(page, row.getByRole('button', { name: 'Retry' }), 'Space', 'Shift+Tab');
      await expect.poll(() => page.getByTestId('job-row').count(), WAIT).toBe(before + 1);
    } finally {
      await gw.restartWorker();
    }
    // The status filter: a combobox opened and chosen with the arrow keys and Enter; the choice is in the URL.
    await tabTo(page, page.getByRole('combobox', { name: 'Status', exact: true }), 120, 'Shift+Tab');
    await page.keyboard.press('ArrowDown');
    const option = page.getByRole('option', { name: 'Cancelled' });
    await option.waitFor(WAIT);
    for (let i = 0; i < 10 && (await option.getAttribute('data-combobox-selected')) === null; i++)
      await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(/status=cancelled/, WAIT);
    await expect
      .poll(async () => new Set(await page.getByTestId('job-row').getByTestId('job-status').allTextContents()), WAIT)
      .toEqual(new Set(['Cancelled']));
    // Kind and machine: searchable, typed then chosen with Enter; the filters add up.
    const probed = await createMachine('kb-jobs');
    expect((await gw.api('POST', `/api/v1/machines/${probed}/probe`)).status).toBe(201);
    // The status filter is cleared from the keyboard too: its clear button is in the Tab order.
    await press(page, page.getByRole('button', { name: 'Clear the filter: Status' }));
    await expect.poll(() => page.url(), WAIT).not.toMatch(/status=/);
    for (const [name, typed] of [
      ['Kind', 'machine.pro'],
      ['Machine', 'kb-jo'],
    ] as const) {
      await tabTo(page, page.getByRole('combobox', { name, exact: true }));
      await page.keyboard.type(typed);
      // As a person would: the suggestion is there before it is chosen (the new machine reaches the list live).
      await page.getByRole('option', { name: new RegExp(`^${typed.replace('.', '\\.')}`) }).first().waitFor(WAIT);
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
    }
    await expect.poll(() => page.url(), WAIT).toMatch(/kind=machine\.probe/);
    await expect.poll(() => page.url(), WAIT).toMatch(new RegExp(`machine=${probed}`));
    await expect
      .poll(() => page.getByTestId('job-row').allTextContents(), WAIT)
      .toEqual([expect.stringMatching(/^machine\.probe/)]);
    await context.close();
  });

  it('saw no script dialog, page error or CSP refusal on any page', () => {
    expect(problems).toEqual([]);
  });
});
