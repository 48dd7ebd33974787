// Issue 20, acceptance item 2: in Debian's Chromium, a person opens a terminal on a lab machine from its page, runs
// `uname -a` and sees the output, resizes the window (the shell sees the new size), answers a real `sudo` password
// prompt, and closes it; the session row has its times and its user, and with logging on the command is in the log
// while the password typed at the sudo prompt is not, anywhere in the database. Then the admin list shows the
// session. One lab machine, one lab start. Needs root and /usr/bin/chromium; skipped otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, ensureHostTools, isRoot, Lab, type LabMachine, type TestDatabase } from '@su/testing';
import { CHROMIUM, launchChromium } from './test/browser.ts';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';
import { root, webDir, WebSession } from './test/web-session.ts';

const skipReason = !isRoot()
  ? 'not running as root'
  : !existsSync(CHROMIUM)
    ? `${CHROMIUM} is missing`
    : await ensureHostTools((m) => console.log(`[lab] ${m}`));
if (skipReason) console.log(`terminal lab tests skipped: ${skipReason}`);

const ADMIN_PW = 'lab-admin-pw';
// Deadlines for waiting on a shared 2-core machine, never measured durations.
const WAIT = { timeout: 30_000 };

describe.skipIf(!!skipReason)('web terminal in Chromium on a lab machine (issue 20)', () => {
  let lab: Lab;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let browser: Browser;
  let m: LabMachine;
  let machineId = '';
  let web: WebSession;

  beforeAll(async () => {
    const build = spawnSync(process.execPath, [join(root, 'tools/build/build.mjs'), 'web'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    if (Lab.exists()) await Lab.attach().down();
    lab = await Lab.up({ machines: 1, log: (x) => console.log(`[lab] ${x}`) });
    m = lab.machines()[0]!;
    db = await createTestDatabase();
    gw = await startGateway(db, { SU_WEB_DIR: webDir, SU_SSH_CONNECT_TIMEOUT_SECONDS: '6' });
    const made = await gw.api('POST', '/api/v1/machines', {
      body: {
        name: 'term-lab1',
        hostname: m.address,
        port: m.sshPort,
        username: 'admin',
        credentials: { authMethod: 'password', password: ADMIN_PW, sudoMode: 'same_as_ssh' },
      },
    });
    expect(made.status, made.text).toBe(201);
    machineId = made.body.id;
    // The first connection trusts the host key (the default policy); the terminal then pins it.
    const probe = await gw.api('POST', `/api/v1/machines/${machineId}/actions`, { body: { action: 'machine_probe' } });
    expect(probe.status, probe.text).toBe(201);
    expect(await gw.waitJob(probe.body.id, 120_000)).toMatchObject({ status: 'ok' });
    const settings = await gw.api('PUT', '/api/v1/settings/terminal', {
      body: { enabled: true, idleTimeoutSeconds: 900, maxDurationSeconds: 3600, logInput: true },
    });
    expect(settings.status, settings.text).toBe(200);
    browser = await launchChromium();
    web = new WebSession(browser, () => gw);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await db?.drop();
    await lab?.down();
  });

  const screen = (page: Page) => page.locator('.xterm-rows').innerText();
  const shows = (page: Page, re: RegExp) => expect.poll(() => screen(page), WAIT).toMatch(re);
  async function type(page: Page, text: string) {
    await page.getByTestId('terminal').click();
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
  }

  it('opens a terminal, runs uname -a, resizes, answers sudo, closes; the session and its log are recorded', async () => {
    const { page, username } = await web.signedIn('admin', { width: 1440, height: 900 });
    await page.goto(`${gw.base}/machines/${machineId}`);
    await page.getByRole('button', { name: 'Open a terminal' }).click();
    await expect.poll(() => page.getByTestId('terminal-status').getAttribute('data-state'), WAIT).toBe('open');

    await type(page, 'uname -a');
    await shows(page, /Linux \S+ .*GNU\/Linux/);

    await type(page, 'echo size=$(stty size | tr " " x)');
    await shows(page, /size=\d+x\d+/);
    const before = /size=(\d+x\d+)/.exec(await screen(page))![1];
    await page.setViewportSize({ width: 900, height: 700 });
    await type(page, 'echo resized=$(stty size | tr " " x)');
    await expect
      .poll(async () => /resized=(\d+x\d+)/.exec(await screen(page))?.[1] ?? before, WAIT)
      .not.toBe(before);

    await type(page, 'sudo -k; sudo true && echo sudo-answered');
    await shows(page, /\[sudo\] password for admin:/);
    await type(page, ADMIN_PW);
    await shows(page, /sudo-answered/);

    await page.getByRole('button', { name: 'Close the terminal' }).click();
    await expect.poll(() => page.getByTestId('terminal-status').getAttribute('data-state'), WAIT).toBe('closed');
    expect(web.problems).toEqual([]);

    await expect
      .poll(async () => (await gw.api('GET', `/api/v1/terminal/sessions?machineId=${machineId}`)).body, WAIT)
      .toSatisfy((list: any[]) => list.length === 1 && list[0].status === 'closed');
    const [session] = (await gw.api('GET', `/api/v1/terminal/sessions?machineId=${machineId}`)).body;
    expect(session).toMatchObject({
      openedBy: { type: 'user', label: username },
      sshUsername: 'admin',
      endReason: 'user_closed',
      inputLogging: true,
      hostKeyFingerprint: m.hostKeyFingerprint,
    });
    expect(Date.parse(session.closedAt)).toBeGreaterThanOrEqual(Date.parse(session.openedAt));
    expect(session.durationMs).toBeGreaterThan(0);
    const log = (await gw.api('GET', `/api/v1/terminal/sessions/${session.id}/commands`)).body;
    expect(log.map((c: any) => (c.hidden ? '<hidden>' : c.line))).toEqual([
      'uname -a',
      'echo size=$(stty size | tr " " x)',
      'echo resized=$(stty size | tr " " x)',
      'sudo -k; sudo true && echo sudo-answered',
      '<hidden>',
    ]);
    const everything = await db.query(
      "SELECT (SELECT json_agg(c) FROM ssh_terminal_commands c)::text AS c, (SELECT json_agg(s) FROM ssh_terminal_sessions s)::text AS s, (SELECT json_agg(e) FROM machine_events e)::text AS e",
    );
    expect(JSON.stringify(everything)).not.toContain(ADMIN_PW);

    // The admin list in Settings → Terminal shows it, with its user.
    await page.goto(`${gw.base}/settings?tab=terminal`);
    const row = page.getByTestId('terminal-session-row').first();
    await row.waitFor(WAIT);
    expect(await row.innerText()).toContain(username);
    await page.close();
  }, 300_000);
});
