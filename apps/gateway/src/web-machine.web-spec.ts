import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { launchChromium, seriousA11yViolations } from './test/browser.ts';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';
import { showToggle, tabTo } from './test/web-session.ts';

/*
 * The machine-facing pages (add machine, machine page, fleet updates) in Debian's Chromium against a real gateway.
 * Machines point at 127.0.0.1 port 1 (nothing listens); what a worker would have left behind — an analysis, an
 * upgrade's execution with its raw log and report, host keys — is written to the database as the workers write it.
 * The lab spec `web-e2e.lab-spec.ts` runs the same pages against real machines.
 */
const root = new URL('../../..', import.meta.url).pathname;
const webDir = join(root, 'dist/apps/web');
const shots = join(root, 'docs/screenshots');
const WAIT = { timeout: 30_000 };
const HOSTILE = '<img src=x onerror=alert(1)>';

let db: TestDatabase;
let gw: GatewayHarness;
let browser: Browser;
const problems: string[] = [];

async function signedInPage(): Promise<{ page: Page; close: () => Promise<void> }> {
  const username = `ops-${Math.random().toString(36).slice(2, 8)}`;
  const first = (await gw.api('POST', '/api/v1/users', { body: { username, role: 'admin' } })).body.password as string;
  const token = (await gw.api('POST', '/api/v1/auth/login', { token: null, body: { username, password: first } })).body
    .token as string;
  const password = `${username}-own-passphrase`;
  await gw.api('POST', '/api/v1/auth/password', { token, body: { currentPassword: first, newPassword: password } });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  await page.goto(`${gw.base}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Fleet', exact: true }).waitFor(WAIT);
  return { page, close: () => context.close() };
}

async function expectAccessible(page: Page) {
  const violations = await seriousA11yViolations(page);
  expect(violations, JSON.stringify(violations, null, 1)).toEqual([]);
}

async function shoot(page: Page, name: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [width, height] of [
      [1440, 900],
      [390, 844],
    ] as const) {
      await page.setViewportSize({ width, height });
      // Let the layout settle (the navigation slides away below the phone breakpoint); a full-page shot from the top.
      await page.waitForTimeout(500);
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: join(shots, `${name}-${scheme}-${width}.png`), fullPage: width === 1440 });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1440, height: 900 });
}

const pkg = (name: string, from: string, to: string, over: Record<string, unknown> = {}) => ({
  name,
  arch: 'amd64',
  currentVersion: from,
  targetVersion: to,
  origin: 'Debian:12.10/stable',
  originName: 'Debian',
  suite: 'stable',
  operation: 'upgrade',
  security: false,
  keptBack: false,
  held: false,
  phased: false,
  dedupKey: `debian|${name}|${from}|${to}|Debian`,
  ...over,
});

/** A machine with what an analysis and an upgrade leave behind, as the workers write it. */
async function machineWithHistory(name: string): Promise<{ id: string; changedKey: string }> {
  const res = await gw.api('POST', '/api/v1/machines', {
    body: { name, hostname: '127.0.0.1', port: 1, username: 'admin', tags: ['web'] },
  });
  expect(res.status).toBe(201);
  const id = res.body.id as string;
  const packages = [
    pkg('openssl', '3.0.15-1', '3.0.17-1', { security: true, suite: 'stable-security', originName: 'Debian-Security' }),
    pkg('curl', '7.88.1-10', '7.88.1-11'),
  ];
  const apt = {
    enabled: true,
    count: 2,
    rebootRequired: true,
    packages,
    keptBack: [pkg('homelab-demo', '1.0', '1.2', { keptBack: true })],
    heldPackages: [pkg('homelab-held', '1.0', '1.1', { held: true })],
    phased: ['homelab-phased'],
    // What `apt-get autoremove` would remove: the plan an autoremove request is bound to.
    autoremove: [pkg('libold1', '1.0-1', '', { targetVersion: null, operation: 'remove' })],
  };
  const [snap] = await db.query<{ id: string }>(
    `INSERT INTO snapshots (machine_id, kind, status, payload) VALUES ($1, 'apt_update_analyze', 'updates_available', $2) RETURNING id`,
    [
      id,
      JSON.stringify({
        machineId: id,
        hostname: '127.0.0.1',
        os: { family: 'debian', version: '12' },
        checkedAt: new Date().toISOString(),
        status: 'updates_available',
        apt,
      }),
    ],
  );
  for (const p of packages)
    await db.query(
      `INSERT INTO apt_planned_packages (snapshot_id, machine_id, mode, name, current_version, target_version, origin, operation, security, dedup_key)
       VALUES ($1, $2, 'dist_upgrade', $3, $4, $5, 'Debian', 'upgrade', $6, $7)`,
      [snap!.id, id, p.name, p.currentVersion, p.targetVersion, p.security, p.dedupKey],
    );
  const logPath = join(gw.dataDir, `raw-${id}.log`);
  writeFileSync(
    logPath,
    [
      '$ sudo apt-get -y dist-upgrade',
      'Setting up curl (7.88.1-11) ...',
      `W: curl: option ${HOSTILE} is deprecated and will be removed`,
      '$ sudo dpkg-query -W',
    ].join('\n'),
  );
  const [raw] = await db.query<{ id: string }>(
    `INSERT INTO raw_artifacts (machine_id, kind, path) VALUES ($1, 'raw_log', $2) RETURNING id`,
    [id, logPath],
  );
  const reportPath = join(gw.dataDir, `report-${id}.md`);
  writeFileSync(reportPath, `# dist-upgrade of ${name}\n\n- curl 7.88.1-10 → 7.88.1-11\n- note: ${HOSTILE}\n`);
  const [report] = await db.query<{ id: string }>(
    `INSERT INTO reports (machine_id, kind, title, path) VALUES ($1, 'machine', 'dist-upgrade report', $2) RETURNING id`,
    [id, reportPath],
  );
  const result = {
    action: 'apt_dist_upgrade',
    status: 'ok',
    rebootRequiredAfterRun: true,
    apt: {
      planned: [],
      applied: [
        { name: 'curl', arch: 'amd64', fromVersion: '7.88.1-10', toVersion: '7.88.1-11', operation: 'upgraded' },
      ],
      installed: [],
      removed: [],
      held: [],
      rebootRequiredAfterRun: true,
    },
  };
  const [ex] = await db.query<{ id: string }>(
    `INSERT INTO executions (machine_id, action, mode, status, finished_at, result, raw_artifact_id, report_id)
     VALUES ($1, 'apt_dist_upgrade', 'manual', 'ok', now(), $2, $3, $4) RETURNING id`,
    [id, JSON.stringify(result), raw!.id, report!.id],
  );
  await db.query(
    `INSERT INTO important_messages (machine_id, source, category, severity, package_name, message, execution_id, raw_line_ref, dedup_key)
     VALUES ($1, 'apt', 'deprecation', 'warning', 'curl', $2, $3, $4, 'fixture')`,
    [id, `curl: option ${HOSTILE} is deprecated and will be removed`, ex!.id, `${raw!.id}#2`],
  );
  await db.query(
    `INSERT INTO machine_host_keys (machine_id, hostname, port, key_type, fingerprint_sha256, status, approved_by, approved_at)
     VALUES ($1, '127.0.0.1', 1, 'ssh-ed25519', 'SHA256:trustedFixtureKey', 'approved', 'trust-on-first-use', now())`,
    [id],
  );
  const [changed] = await db.query<{ id: string }>(
    `INSERT INTO machine_host_keys (machine_id, hostname, port, key_type, fingerprint_sha256, status)
     VALUES ($1, '127.0.0.1', 1, 'ssh-ed25519', 'SHA256:changedFixtureKey', 'changed') RETURNING id`,
    [id],
  );
  await db.query(
    `UPDATE machine_state SET blocked = true, blocked_reason = 'host key changed', status = 'blocked', apt_reboot_required = true WHERE machine_id = $1`,
    [id],
  );
  return { id, changedKey: changed!.id };
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

describe('machine pages in Chromium', () => {
  it('add machine: the API’s field errors under their fields, then the connection test step by step', async () => {
    const { page, close } = await signedInPage();
    await page.getByRole('link', { name: 'Add your first machine' }).click();
    await page.getByRole('heading', { name: 'Add a machine' }).waitFor(WAIT);
    await page.getByRole('textbox', { name: /^Name/ }).first().fill('nas');
    await page.getByRole('textbox', { name: /^Host name or IP address/ }).fill('bad host!');
    await page.getByRole('textbox', { name: /^SSH user/ }).fill('Not A User');
    await page.getByLabel(/^SSH password/).fill('s3cret-pw-never-echoed');
    await page.getByRole('button', { name: 'Add and test the connection' }).click();
    await page.getByText('Some fields need fixing').waitFor(WAIT);
    for (const field of [/^Host name or IP address/, /^SSH user/])
      expect(await page.getByRole('textbox', { name: field }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('textbox', { name: /^Name/ }).first().getAttribute('aria-invalid')).not.toBe('true');
    // The refusal names the fields, never the values sent.
    expect(await page.getByRole('alert').allTextContents()).not.toContainEqual(expect.stringContaining('s3cret'));
    await expectAccessible(page);
    await shoot(page, 'add-machine-form');
    await page.getByRole('textbox', { name: /^Host name or IP address/ }).fill('127.0.0.1');
    await page.getByRole('textbox', { name: /^SSH port/ }).fill('1');
    await page.getByRole('textbox', { name: /^SSH user/ }).fill('admin');
    await page.getByRole('button', { name: 'Add and test the connection' }).click();
    await page.getByRole('heading', { name: 'Connection test: nas' }).waitFor(WAIT);
    // Nothing listens on port 1: the first step fails with the error kind and its remediation, the rest not reached.
    await expect.poll(() => page.getByTestId('step-connect').textContent(), WAIT).toContain('failed');
    expect(await page.getByTestId('step-sudo').textContent()).toContain('not reached');
    expect(await page.getByRole('alert').first().textContent()).toMatch(/connection_refused|unreachable/);
    await expectAccessible(page);
    await shoot(page, 'add-machine-check');
    // The password never came back: no field of the page holds it.
    expect(await page.content()).not.toContain('s3cret-pw-never-echoed');
    expect(problems).toEqual([]);
    await close();
  });

  it('machine page: packages with explained flags, risky actions confirmed, the diff, the raw log, the report, host keys', async () => {
    const { id } = await machineWithHistory('web-history');
    const { page, close } = await signedInPage();
    await page.getByRole('link', { name: 'web-history' }).click();
    await page.getByRole('heading', { name: 'web-history', level: 1 }).waitFor(WAIT);
    // Packages: security first, each flag explained on keyboard focus.
    const rows = page.getByTestId('package-row');
    await rows.first().waitFor(WAIT);
    expect(await rows.allTextContents()).toEqual([
      'openssl3.0.15-1 → 3.0.17-1Debian-Security / stable-securitySecurity',
      'curl7.88.1-10 → 7.88.1-11Debian / stable',
      'homelab-demo1.0 → 1.2Debian / stableKept back',
      'homelab-held1.0 → 1.1Debian / stableHeld',
      'homelab-phased——Phased',
    ]);
    await rows
      .filter({ hasText: 'homelab-phased' })
      .getByRole('button', { name: /^Phased/ })
      .focus();
    // Reached by the keyboard: the tooltip opens on keyboard focus as on hover.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await page.getByText('The distribution releases it to a share of machines at a time').waitFor(WAIT);
    // A destructive action asks once more; a request goes to the inbox.
    await page.getByRole('button', { name: 'Request: Dist-upgrade' }).click();
    await page.getByRole('button', { name: 'Confirm: request Dist-upgrade' }).click();
    await page.getByText('Request sent').waitFor(WAIT);
    const requests = (await gw.api('GET', '/api/v1/action-requests?status=pending')).body as {
      machineId: string;
      action: string;
    }[];
    expect(requests.filter((r) => r.machineId === id).map((r) => r.action)).toEqual(['apt_dist_upgrade']);
    // The execution: the real diff, then the raw log with the line the message points to highlighted, as text.
    const execution = page.getByTestId('execution').first();
    await execution.getByRole('button').first().click();
    expect(await execution.getByTestId('execution-diff').textContent()).toContain('curl7.88.1-10 → 7.88.1-11upgraded');
    await showToggle(
      execution.getByRole('button', { name: 'Show the raw log' }),
      execution.getByRole('button', { name: 'Hide the raw log' }),
    );
    await expect
      .poll(() => shownMarks(execution), WAIT)
      .toEqual([expect.stringContaining(`W: curl: option ${HOSTILE}`)]);
    // The report, read as text: its markup creates no element.
    await page.getByTestId('report').getByRole('button', { name: 'Read' }).click();
    await expect.poll(() => page.getByTestId('report-text').textContent(), WAIT).toContain(`note: ${HOSTILE}`);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Download (.md)' }).getAttribute('href')).toMatch(
      new RegExp(`/api/v1/machines/${id}/reports/[0-9a-f-]+/download$`),
    );
    await expectAccessible(page);
    await shoot(page, 'machine-history');
    // The changed key is approved only through the warning, and that unblocks the machine.
    const warning = page.getByTestId('host-key-warning');
    expect(await warning.textContent()).toContain('SHA256:changedFixtureKey');
    await warning.getByRole('button', { name: 'Approve this key…' }).click();
    await warning.getByRole('button', { name: 'I compared it: approve the new key' }).click();
    await warning.waitFor({ state: 'detached', ...WAIT });
    expect((await gw.api('GET', `/api/v1/machines/${id}`)).body.state.blocked).toBe(false);
    // Replace the credentials: write-only, and the form forgets them.
    await page.getByRole('button', { name: 'Replace the credentials' }).click();
    await page.getByLabel(/^SSH password/).fill('new-pw-for-web-history');
    await page.getByRole('button', { name: 'Save the new credentials' }).click();
    await page.getByText('Credentials replaced').waitFor(WAIT);
    expect((await gw.api('GET', `/api/v1/machines/${id}`)).body.credentials).toMatchObject({
      authMethod: 'password',
      hasPassword: true,
    });
    expect(await page.content()).not.toContain('new-pw-for-web-history');
    expect(problems).toEqual([]);
    await close();
  });

  it('fleet updates: changes grouped, security first; chosen machines get one apply request each', async () => {
    const a = await machineWithHistory('fleet-a');
    const b = await machineWithHistory('fleet-b');
    const { page, close } = await signedInPage();
    await page.getByRole('navigation').getByRole('link', { name: 'Fleet updates' }).click();
    await page.getByRole('heading', { name: 'Fleet updates' }).waitFor(WAIT);
    const changes = page.getByTestId('pending-change');
    await changes.first().waitFor(WAIT);
    expect(await changes.first().textContent()).toMatch(/^openssl 3\.0\.15-1 → 3\.0\.17-1 · \d+ machines.*Security/);
    const openssl = changes.filter({ hasText: 'openssl' });
    // Counts only, until the machines of a change are asked for.
    await openssl.getByRole('button', { name: 'Choose machines needing openssl' }).click();
    await openssl.getByRole('checkbox', { name: 'fleet-a' }).check();
    await openssl.getByRole('checkbox', { name: 'fleet-b' }).check();
    const curl = changes.filter({ hasText: 'curl' });
    await curl.getByRole('button', { name: 'Choose machines needing curl' }).click();
    await curl.getByRole('checkbox', { name: 'fleet-a' }).check();
    await page.getByText('2 packages on 2 machines chosen').waitFor(WAIT);
    await expectAccessible(page);
    await shoot(page, 'fleet-updates-selection');
    await page.getByRole('button', { name: 'Request the apply' }).click();
    await page.getByText('2 requests sent').waitFor(WAIT);
    const pending = (await gw.api('GET', '/api/v1/action-requests?status=pending')).body as {
      machineId: string;
      action: string;
      payload: { options?: { packages?: string[] } };
    }[];
    const mine = pending.filter((r) => r.machineId === a.id || r.machineId === b.id);
    expect(mine.map((r) => [r.machineId === a.id ? 'a' : 'b', r.action, JSON.stringify(r.payload)]).sort()).toEqual([
      ['a', 'apt_upgrade', expect.stringContaining('"packages":["curl","openssl"]')],
      ['b', 'apt_upgrade', expect.stringContaining('"packages":["openssl"]')],
    ]);
    expect(problems).toEqual([]);
    await close();
  });
  /** Keyboard only: Tab (or Shift+Tab) to the control, then the key a keyboard user would press on it. */
  async function press(
    page: Page,
    target: Locator,
    key: 'Enter' | 'Space' = 'Enter',
    way: 'Tab' | 'Shift+Tab' = 'Tab',
  ) {
    await tabTo(page, target, 200, way);
    await page.keyboard.press(key);
  }

  /** "Request sent", or the test fails with the API's refusal shown on the page (rather than a time-out). */
  async function requestSent(page: Page) {
    const sent = page.getByText('Request sent');
    // The fixture's changed host key is an alert of its own, not a refusal.
    const refusal = page.locator('[role="alert"]:not([data-testid="host-key-warning"])');
    await sent.or(refusal).first().waitFor(WAIT);
    expect(await sent.isVisible(), (await refusal.allTextContents()).join(' | ')).toBe(true);
  }

  const pendingActions = async (id: string) =>
    ((await gw.api('GET', '/api/v1/action-requests?status=pending')).body as { machineId: string; action: string }[])
      .filter((r) => r.machineId === id)
      .map((r) => r.action)
      .sort();

  it('keyboard only: every action of the machine page, from analyse to the verified reboot, the diff, the log, the report, host key and credentials', async () => {
    const { id } = await machineWithHistory('kb-host');
    const { page, close } = await signedInPage();
    await press(page, page.getByRole('link', { name: 'kb-host' }));
    await page.getByRole('heading', { name: 'kb-host', level: 1 }).waitFor(WAIT);

    // Low-risk actions run at once: the job is followed on the page.
    for (const action of ['Analyse updates', 'Clean the package cache']) {
      await press(page, page.getByRole('button', { name: `Run: ${action}` }));
      await page.getByTestId('followed-job').waitFor(WAIT);
    }
    // A risky one asks once more on the same button (the focus stays): Escape backs out, Enter confirms.
    const upgrade = page.getByRole('button', { name: 'Request: Upgrade' });
    await press(page, upgrade, 'Enter', 'Shift+Tab');
    await expect
      .poll(() => page.evaluate('document.activeElement.getAttribute("aria-label")'))
      .toBe('Confirm: request Upgrade');
    await page.keyboard.press('Escape');
    await upgrade.waitFor(WAIT);
    expect(await upgrade.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await requestSent(page);
    for (const action of ['Dist-upgrade', 'Remove unused packages', 'Verified reboot']) {
      await press(page, page.getByRole('button', { name: `Request: ${action}` }));
      await page.getByRole('button', { name: `Confirm: request ${action}` }).waitFor(WAIT);
      await page.keyboard.press('Space');
      await requestSent(page);
    }
    await expect
      .poll(() => pendingActions(id), WAIT)
      .toEqual(['apt_autoremove', 'apt_dist_upgrade', 'apt_upgrade', 'reboot_verified']);

    // Acknowledge the important message.
    await press(page, page.getByTestId('important-message').getByRole('button', { name: 'Acknowledge' }));
    await page.getByText('No message to read.').waitFor(WAIT);

    // The upgrade's execution (the jobs above failed on port 1 beside it): open its diff, then its raw log, which is
    // itself reachable (it scrolls with the arrow keys).
    const execution = page.getByTestId('execution').filter({ hasText: 'Dist-upgrade' });
    await press(page, execution.getByRole('button').first());
    await execution.getByTestId('execution-diff').waitFor(WAIT);
    await press(page, execution.getByRole('button', { name: 'Show the raw log' }), 'Space');
    await execution.getByTestId('raw-log').waitFor(WAIT);
    await tabTo(page, execution.getByRole('region', { name: 'Raw log (secrets redacted)' }));
    expect(await execution.locator('[data-important="true"]').count()).toBe(1);

    // The report: read in the page, then downloaded from its link with Enter.
    const report = page.getByTestId('report');
    await press(page, report.getByRole('button', { name: 'Read' }));
    await expect.poll(() => report.getByTestId('report-text').textContent(), WAIT).toContain('dist-upgrade of kb-host');
    await tabTo(page, report.getByRole('link', { name: 'Download (.md)' }), 200);
    const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.keyboard.press('Enter')]);
    expect(readFileSync((await download.path())!, 'utf8')).toContain('# dist-upgrade of kb-host');

    // The changed host key, approved only behind its warning: Escape backs out of the question, Enter confirms.
    const warning = page.getByTestId('host-key-warning');
    await press(page, warning.getByRole('button', { name: 'Approve this key…' }));
    await warning.getByRole('button', { name: 'I compared it: approve the new key' }).waitFor(WAIT);
    await page.keyboard.press('Escape');
    await warning.getByRole('button', { name: 'Approve this key…' }).waitFor(WAIT);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await warning.waitFor({ state: 'detached', ...WAIT });
    expect((await gw.api('GET', `/api/v1/machines/${id}`)).body.state.blocked).toBe(false);

    // Replace the credentials: the form takes the focus (its first field, the sign-in method), Enter in it saves.
    await press(page, page.getByRole('button', { name: 'Replace the credentials' }));
    const method = page.getByRole('radio', { name: 'Password', exact: true });
    await expect.poll(() => method.evaluate((el) => el === el.ownerDocument.activeElement), WAIT).toBe(true);
    await tabTo(page, page.getByLabel(/^SSH password/), 5);
    await page.keyboard.type('kb-new-password-value');
    await page.keyboard.press('Enter');
    await page.getByText('Credentials replaced').waitFor(WAIT);
    expect(await page.content()).not.toContain('kb-new-password-value');
    expect(problems).toEqual([]);
    await close();
  });

  it('keyboard only: add a machine (its field errors, then the connection test step by step) and request a fleet apply', async () => {
    await machineWithHistory('kb-fleet');
    const { page, close } = await signedInPage();
    await press(page, page.getByRole('navigation').getByRole('link', { name: 'Add machine' }));
    await page.getByRole('heading', { name: 'Add a machine' }).waitFor(WAIT);
    await tabTo(page, page.getByRole('textbox', { name: /^Name/ }).first());
    await page.keyboard.type('kb-new');
    await page.keyboard.press('Tab');
    await page.keyboard.type('bad host!');
    await tabTo(page, page.getByRole('textbox', { name: /^SSH user/ }));
    await page.keyboard.type('admin');
    await tabTo(page, page.getByLabel(/^SSH password/));
    await page.keyboard.type('kb-add-pw');
    // Enter in a field submits the form; the API's error lands under its field.
    await page.keyboard.press('Enter');
    await page.getByText('Some fields need fixing').waitFor(WAIT);
    const host = page.getByRole('textbox', { name: /^Host name or IP address/ });
    expect(await host.getAttribute('aria-invalid')).toBe('true');
    await tabTo(page, host, 80, 'Shift+Tab');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('127.0.0.1');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('1');
    await press(page, page.getByRole('button', { name: 'Add and test the connection' }));
    await page.getByRole('heading', { name: 'Connection test: kb-new' }).waitFor(WAIT);
    await expect.poll(() => page.getByTestId('step-connect').textContent(), WAIT).toContain('failed');
    // The test again, from the keyboard: the steps are shown afresh.
    await press(page, page.getByRole('button', { name: 'Test again' }), 'Space', 'Shift+Tab');
    await expect.poll(() => page.getByTestId('step-connect').textContent(), WAIT).toContain('failed');
    expect(await page.getByTestId('step-sudo').textContent()).toContain('not reached');

    // Fleet updates: tick one machine for a change with Space, request the apply with Enter.
    await press(page, page.getByRole('navigation').getByRole('link', { name: 'Fleet updates' }), 'Enter', 'Shift+Tab');
    const curl = page.getByTestId('pending-change').filter({ hasText: 'curl' });
    await press(page, curl.getByRole('button', { name: 'Choose machines needing curl' }));
    await press(page, curl.getByRole('checkbox', { name: 'kb-fleet' }), 'Space');
    await page.getByText('1 packages on 1 machines chosen').waitFor(WAIT);
    await press(page, page.getByRole('button', { name: 'Request the apply' }));
    await page.getByText('1 requests sent').waitFor(WAIT);
    expect(problems).toEqual([]);
    await close();
  });
});

/**
 * The raw log's highlighted lines once the log is shown; until then what the execution shows instead (its log closed,
 * still loading, or the API's problem), so that a failure says which rather than waiting on an element that never came.
 */
async function shownMarks(execution: Locator): Promise<string[] | string> {
  const log = execution.getByTestId('raw-log');
  if ((await log.count()) > 0) return log.locator('[data-important="true"]').allTextContents();
  const alerts = await execution.getByRole('alert').allTextContents();
  const loading = await execution.getByRole('status').count();
  const open = await execution.getByRole('button', { name: 'Hide the raw log' }).count();
  return `no log shown (log ${open ? 'open' : 'closed'}, ${loading} loading, alerts: ${alerts.join(' | ') || 'none'})`;
}
