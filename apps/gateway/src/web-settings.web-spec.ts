import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { launchChromium } from './test/browser.ts';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';
import { ensureBuiltUi, expectAccessible, shots, SIZES, tabTo, WAIT, webDir, WebSession } from './test/web-session.ts';

/*
 * Settings in Debian's Chromium against a real gateway (real HTTP, real PostgreSQL, the built UI): an API token made
 * in the UI works for a script and stops working when the UI revokes it; users, sessions, second factor and the
 * host-key policy; every tab accessible and screenshotted.
 */
let db: TestDatabase;
let gw: GatewayHarness;
let browser: Browser;
let web: WebSession;

beforeAll(async () => {
  ensureBuiltUi();
  db = await createTestDatabase();
  gw = await startGateway(db, { SU_WEB_DIR: webDir });
  browser = await launchChromium();
  web = new WebSession(browser, () => gw);
});

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await db?.drop();
});

/** A text each settings tab shows once loaded. */
const PANEL_TEXT: Record<string, string> = {
  account: 'My sessions',
  users: 'carol',
  'api-clients': 'New API token',
  'host-keys': 'Trusted on first use',
  appearance: 'Français',
};

/** A real HTTP request from this Node process, as curl would make it. */
const asScript = (token: string) =>
  fetch(`${gw.base}/api/v1/machines`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

describe('settings in Chromium', () => {
  it('an API token created in Settings (keyboard only) is shown once, works over HTTP, and gets 401 once revoked in the UI', async () => {
    const { context, page } = await web.signedIn('admin');
    await tabTo(page, page.getByRole('link', { name: 'Settings' }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Settings' }).waitFor(WAIT);
    await tabTo(page, page.getByRole('link', { name: 'API clients' }));
    await page.keyboard.press('Enter');
    await page.getByText('No API token yet.').waitFor(WAIT);

    await tabTo(page, page.getByLabel('Label'));
    await page.keyboard.type('backup script');
    await page.keyboard.press('Enter');
    const shown = page.getByTestId('token-value');
    await shown.waitFor(WAIT);
    const token = (await shown.textContent())!.trim();
    expect(token).toMatch(/^sua_/);
    await page.getByRole('button', { name: 'Copy' }).waitFor(WAIT);
    const row = page.getByTestId('api-client').filter({ hasText: 'backup script' });
    await row.waitFor(WAIT);
    // No screenshot here: a token, even a test one, never goes into a committed picture.
    await expectAccessible(page);

    expect(await asScript(token)).toBe(200);

    // Shown once: after a reload the list has the token's prefix, never the token.
    await page.reload();
    await row.waitFor(WAIT);
    expect(await page.content()).not.toContain(token);

    await tabTo(page, row.getByRole('button', { name: 'Revoke' }));
    await page.keyboard.press('Space');
    // The confirmation takes the focus: Enter confirms.
    await row.getByRole('button', { name: 'Really revoke?' }).waitFor(WAIT);
    await page.keyboard.press('Enter');
    await row.waitFor({ state: 'detached', ...WAIT });
    expect(await asScript(token)).toBe(401);
    await context.close();
  });

  it('an admin creates a user with a role and changes it; the user is listed with their state', async () => {
    const { context, page } = await web.signedIn('admin');
    await page.goto(`${gw.base}/settings?tab=users`);
    await page.getByRole('heading', { name: 'New user' }).waitFor(WAIT);
    const form = page.getByRole('form', { name: 'New user' });
    await form.getByLabel('Username').fill('carol');
    await form.getByRole('button', { name: 'Create the user' }).click();
    await page.getByText('User carol created.').waitFor(WAIT);
    const row = page.getByTestId('user-row').filter({ hasText: 'carol' });
    await row.getByText('Must change password').waitFor(WAIT);
    await row.getByLabel('Role of carol').click();
    await page.getByRole('option', { name: 'Operator' }).click();
    await expect
      .poll(
        async () =>
          (await gw.api('GET', '/api/v1/users')).body.find((u: { username: string }) => u.username === 'carol')?.role,
        WAIT,
      )
      .toBe('operator');
    await page.screenshot({ path: join(shots, 'settings-users-light-1440.png'), fullPage: true });
    await expectAccessible(page);
    await context.close();
  });

  it('lists the own sessions and ends another one; starts a second factor with its QR code and secret', async () => {
    const { context, page, username, password } = await web.signedIn('viewer');
    // A second session of the same user, from a script.
    const other = await gw.api('POST', '/api/v1/auth/login', { token: null, body: { username, password } });
    expect(other.status).toBe(200);
    await page.goto(`${gw.base}/settings`);
    await page.getByRole('heading', { name: 'My sessions' }).waitFor(WAIT);
    await expect.poll(() => page.getByTestId('session-row').count(), WAIT).toBe(2);
    // A viewer sees no users or API clients tabs.
    expect(await page.getByRole('link', { name: 'API clients' }).count()).toBe(0);
    const otherRow = page.getByTestId('session-row').filter({ hasNot: page.getByText('This one') });
    await otherRow.getByRole('button', { name: 'End' }).click();
    await otherRow.getByRole('button', { name: 'Really end?' }).click();
    await expect.poll(() => page.getByTestId('session-row').count(), WAIT).toBe(1);
    expect((await gw.api('GET', '/api/v1/auth/me', { token: other.body.token })).status).toBe(401);

    await page.getByRole('form', { name: 'Set up a second factor' }).getByLabel('Current password').fill(password);
    await page.getByRole('button', { name: 'Set up a second factor' }).click();
    await page.getByRole('img', { name: 'QR code of the second factor secret' }).locator('svg').waitFor(WAIT);
    expect(await page.getByTestId('totp-secret').textContent()).toMatch(/^[A-Z2-7]{16,}$/);
    await page.screenshot({ path: join(shots, 'settings-account-light-1440.png'), fullPage: true });
    await expectAccessible(page);
    await context.close();
  });

  it('an admin changes the host-key policy', async () => {
    const { context, page } = await web.signedIn('admin');
    await page.goto(`${gw.base}/settings?tab=host-keys`);
    await page.getByRole('radio', { name: 'Approved by a person' }).click();
    await page.getByText('Saved.').waitFor(WAIT);
    expect((await gw.api('GET', '/api/v1/settings/host-key-policy')).body.policy).toBe('require_approval');
    await page.getByRole('radio', { name: 'Trusted on first use' }).click();
    await expect
      .poll(async () => (await gw.api('GET', '/api/v1/settings/host-key-policy')).body.policy, WAIT)
      .toBe('trust_first_use');
    await context.close();
  });

  it('an admin turns the web terminal on with input logging in Settings → Terminal; the tab is accessible', async () => {
    const { context, page } = await web.signedIn('admin');
    await page.goto(`${gw.base}/settings?tab=terminal`);
    await page.getByText('No terminal session yet.').waitFor(WAIT);
    await expectAccessible(page);
    await page.getByLabel('Allow web terminals').check();
    await page.getByLabel('Record the input lines of new sessions').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => (await gw.api('GET', '/api/v1/settings/terminal')).body, WAIT)
      .toMatchObject({ enabled: true, logInput: true, idleTimeoutSeconds: 900 });
    await gw.api('PUT', '/api/v1/settings/terminal', {
      body: { enabled: false, idleTimeoutSeconds: 900, maxDurationSeconds: 14400, logInput: false },
    });
    await context.close();
  });

  it('every settings tab: screenshots in light and dark, desktop and phone, with no serious accessibility violation', async () => {
    for (const colorScheme of ['light', 'dark'] as const)
      for (const [width, height] of SIZES) {
        const { context, page } = await web.signedIn('admin', { colorScheme, width, height });
        for (const tab of ['account', 'users', 'api-clients', 'host-keys', 'appearance']) {
          await page.goto(`${gw.base}/settings?tab=${tab}`);
          await page.getByTestId('settings-section').getByText(PANEL_TEXT[tab]!).first().waitFor(WAIT);
          if (tab === 'account' || tab === 'api-clients')
            await page.screenshot({ path: join(shots, `settings-${tab}-${colorScheme}-${width}.png`), fullPage: true });
          await expectAccessible(page);
        }
        await context.close();
      }
    // Twenty pages, each checked by axe: two minutes on a loaded machine was not enough (as the dashboard's own).
  }, 240_000);

  it('saw no script dialog, page error or CSP refusal on any page', () => {
    expect(web.problems).toEqual([]);
  });
});
