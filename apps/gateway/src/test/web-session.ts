import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { seriousA11yViolations } from './browser.ts';
import type { GatewayHarness } from './gateway.harness.ts';

/*
 * What the web UI's browser specs share: pages that record any script dialog, page error or CSP refusal, signing a
 * fresh user in, accessibility checks and screenshots. Deadlines are for waiting, never measured durations.
 */
export const root = new URL('../../../..', import.meta.url).pathname;
export const webDir = join(root, 'dist/apps/web');
export const shots = join(root, 'docs/screenshots');
export const WAIT = { timeout: 30_000 };
export const SIZES = [
  [1440, 900],
  [390, 844],
] as const;

export function ensureBuiltUi(): void {
  if (!existsSync(join(webDir, 'index.html'))) throw new Error('the web UI is not built: run npm run test:web');
  mkdirSync(shots, { recursive: true });
}

export interface PageOptions {
  colorScheme?: 'light' | 'dark';
  width?: number;
  height?: number;
  timezoneId?: string;
}

export class WebSession {
  readonly problems: string[] = [];
  constructor(
    private readonly browser: Browser,
    private readonly gw: () => GatewayHarness,
  ) {}

  async newPage(options: PageOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await this.browser.newContext({
      viewport: { width: options.width ?? 1440, height: options.height ?? 900 },
      colorScheme: options.colorScheme ?? 'light',
      locale: 'en-US',
      ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
    });
    const page = await context.newPage();
    page.on('dialog', (d) => {
      this.problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('pageerror', (e) => this.problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()))
        this.problems.push(`csp: ${m.text()}`);
    });
    return { context, page };
  }

  /** A new user of `role` who has already chosen their own password, signed in, on the dashboard. */
  async signedIn(role: 'admin' | 'operator' | 'viewer' = 'admin', options: PageOptions = {}) {
    const gw = this.gw();
    const username = `${role}-${Math.random().toString(36).slice(2, 8)}`;
    const created = await gw.api('POST', '/api/v1/users', { body: { username, role } });
    expect(created.status, created.text).toBe(201);
    const password = `${username}-own-passphrase`;
    const login = await gw.api('POST', '/api/v1/auth/login', {
      token: null,
      body: { username, password: created.body.password },
    });
    await gw.api('POST', '/api/v1/auth/password', {
      token: login.body.token,
      body: { currentPassword: created.body.password, newPassword: password },
    });
    const { context, page } = await this.newPage(options);
    await page.goto(`${gw.base}/`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Fleet' }).waitFor(WAIT);
    // Only the browser's session stays: the one used to change the first password ends.
    await gw.api('POST', '/api/v1/auth/logout', { token: login.body.token });
    return { context, page, username, password };
  }
}

export async function expectAccessible(page: Page): Promise<void> {
  const violations = await seriousA11yViolations(page);
  expect(violations, JSON.stringify(violations, null, 1)).toEqual([]);
}

/**
 * Presses Tab (or Shift+Tab, backwards) until `target` has the focus: how a keyboard user reaches a control. Fails
 * when it never does within `max` presses.
 */
export async function tabTo(page: Page, target: Locator, max = 80, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> {
  // The target may not be in the DOM yet (a virtualized list renders it as the focus comes near).
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(key);
    if ((await target.count()) === 1 && (await target.evaluate((el) => el === el.ownerDocument.activeElement))) return;
  }
  throw new Error(`Tab never reached ${target.toString()}`);
}

/**
 * Clicks a show/hide toggle until it shows. A section that loads above it (the charts, the messages) can move the
 * button between Playwright's check of where it is and the click, which then lands elsewhere: seen in CI, where the
 * raw log stayed closed ("log closed, 0 loading, alerts: none") after one click.
 */
export async function showToggle(show: Locator, hide: Locator, timeout = WAIT.timeout): Promise<void> {
  await expect
    .poll(
      async () => {
        if ((await hide.count()) === 0 && (await show.count()) > 0) await show.click({ timeout: 5000 });
        return hide.count();
      },
      { timeout },
    )
    .toBe(1);
}
