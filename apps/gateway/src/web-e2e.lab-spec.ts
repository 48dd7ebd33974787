// Issue 12, acceptance items 1, 2, 3 and 5: the web UI in Debian's Chromium against real lab machines, as a new user
// would use it — first login and password change, add a machine by password, confirm its host key, watch the probe
// fill the tile, analyse, request a dist-upgrade, approve it, read the diff and the report, run the verified reboot;
// then a changed host key blocks the tile live and approving it in the UI unblocks it; then the same flow in French,
// failing on any rendered English string of the catalogue; then a schedule written in the UI with the keyboard fires
// every minute in the real scheduler process and each lab machine's progress moves live on its run page.
// Needs root and /usr/bin/chromium; skipped otherwise.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, ensureHostTools, isRoot, Lab, type LabMachine, type TestDatabase } from '@su/testing';
import { CHROMIUM, launchChromium, seriousA11yViolations } from './test/browser.ts';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';
import {
  followedJobStatesSeen,
  recordFollowedJobStates,
  recordRunStatuses,
  runStatusesSeen,
} from './test/live-status-recorder.ts';
import { SchedulerProcess } from './test/scheduler-process.ts';
import { showToggle, tabTo } from './test/web-session.ts';

const root = new URL('../../..', import.meta.url).pathname;
const skipReason = !isRoot()
  ? 'not running as root'
  : !existsSync(CHROMIUM)
    ? `${CHROMIUM} is missing`
    : await ensureHostTools((m) => console.log(`[lab] ${m}`));
if (skipReason) console.log(`web e2e lab tests skipped: ${skipReason}`);

const webDir = join(root, 'dist/apps/web');
const shots = join(root, 'docs/screenshots');
const ADMIN_PW = 'lab-admin-pw';
// Deadlines for waiting on a shared 2-core machine, never measured durations.
const SHORT = { timeout: 30_000 };
const JOB = { timeout: 180_000 };

type Lang = 'en' | 'fr';
type MessageKey = string;
// The UI's catalogues, read as data (the words a person sees), not imported as code: apps never import each other.
const catalogue = async (lang: Lang) =>
  ((await import(join(root, `apps/web/src/i18n/${lang}.ts`))) as Record<Lang, Record<MessageKey, string>>)[lang];
const en = await catalogue('en');
const fr = await catalogue('fr');
const CATALOGUES: Record<Lang, Record<MessageKey, string>> = { en, fr };
/** A catalogue's string; a key the UI does not have is the test's own mistake. */
function word(c: Record<MessageKey, string>, key: MessageKey): string {
  const v = c[key];
  if (v === undefined) throw new Error(`no catalogue key ${key}`);
  return v;
}
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The UI's own words in one language; placeholders filled, or left as "anything" in a pattern. */
function words(lang: Lang) {
  const c = CATALOGUES[lang];
  const L = (key: MessageKey, values: Record<string, string | number> = {}) =>
    word(c, key).replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
  const P = (key: MessageKey) => new RegExp(esc(word(c, key)).replace(/\\\{\w+\\\}/g, '.*'));
  return { L, P };
}

/**
 * English strings of the catalogue that French must not show: each English value that differs from its French one,
 * as an anchored pattern (placeholders match anything) when its fixed words are enough to be told apart from data.
 */
// A value put into a string: up to three words (a longer run is a server message quoted as data, not a UI string).
const VALUE = String.raw`\S+(?: \S+){0,2}`;
const ENGLISH_ONLY = Object.keys(en)
  .filter(
    (k) =>
      word(en, k) !== fr[k] &&
      word(en, k)
        .replace(/\{\w+\}/g, '')
        .replace(/[^A-Za-z]/g, '').length >= 4,
  )
  .map((k) => ({ key: k, pattern: `^${esc(word(en, k)).replace(/\\\{\w+\\\}/g, VALUE)}$` }));

/**
 * Every text node, accessible name and tooltip text of the page that is an English string of the catalogue — outside
 * what the workers wrote (a report, a raw log), which is data in the machine's own words.
 */
async function englishLeftovers(page: Page): Promise<string[]> {
  const found = await page.evaluate(`(() => {
    const DATA = '[data-testid="report-text"], [data-testid="raw-log"]';
    const checks = ${JSON.stringify(ENGLISH_ONLY)}.map((c) => ({ key: c.key, re: new RegExp(c.pattern) }));
    const texts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!n.parentElement.closest(DATA)) texts.push(n.textContent.trim());
    for (const el of document.querySelectorAll('[aria-label],[title],[placeholder]'))
      for (const a of ['aria-label', 'title', 'placeholder']) if (el.getAttribute(a)) texts.push(el.getAttribute(a).trim());
    const out = [];
    for (const t of texts) for (const c of checks) if (t && c.re.test(t)) out.push(c.key + ': ' + t);
    return [...new Set(out)];
  })()`);
  return found as string[];
}


describe.skipIf(!!skipReason)('web UI end to end (lab, Chromium)', () => {
  let lab: Lab;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let browser: Browser;
  let ms: LabMachine[];
  let scheduler: SchedulerProcess | undefined;
  const problems: string[] = [];

  beforeAll(async () => {
    const build = spawnSync(process.execPath, [join(root, 'tools/build/build.mjs'), 'web'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    SchedulerProcess.build();
    mkdirSync(shots, { recursive: true });
    // A fresh lab: this file changes installed packages, a host key, and reboots.
    if (Lab.exists()) await Lab.attach().down();
    lab = await Lab.up({ machines: 2, log: (m) => console.log(`[lab] ${m}`) });
    ms = lab.machines();
    await lab.publishSet({
      'homelab-demo': '1.2',
      'homelab-secfix': '1.1',
      'homelab-held': '1.1',
      'homelab-phased': '1.1',
    });
    db = await createTestDatabase();
    gw = await startGateway(db, { SU_WEB_DIR: webDir, SU_SSH_CONNECT_TIMEOUT_SECONDS: '6' });
    // This site approves first host keys by hand (Settings → host-key policy), so the user confirms the fingerprint.
    expect(
      (await gw.api('PUT', '/api/v1/settings/host-key-policy', { body: { policy: 'require_approval' } })).status,
    ).toBe(200);
    // The real scheduler, started now: it holds the lead long before item 3 writes its schedule.
    scheduler = SchedulerProcess.start(db.url, gw.dataDir);
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await scheduler?.stop();
    await browser?.close();
    await gw?.close();
    await db?.drop();
    await lab?.down();
  });

  /** A new person's browser: the one-time password an admin was given, in a fresh context. */
  async function newcomer(username: string): Promise<{ page: Page; password: string; close: () => Promise<void> }> {
    const res = await gw.api('POST', '/api/v1/users', { body: { username, role: 'admin' } });
    expect(res.status, res.text).toBe(201);
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
    const page = await context.newPage();
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()))
        problems.push(`csp: ${m.text()}`);
    });
    return { page, password: res.body.password as string, close: () => context.close() };
  }

  /** Log in with the one-time password and change it, as the first login asks. */
  async function firstLogin(page: Page, username: string, oneTime: string) {
    const { L } = words('en');
    await page.goto(`${gw.base}/`);
    await page.getByLabel(L('login.username')).fill(username);
    await page.getByLabel(new RegExp(`^${L('login.password')}`)).fill(oneTime);
    await page.getByRole('button', { name: L('login.submit') }).click();
    await page.getByRole('heading', { name: L('password.title') }).waitFor(SHORT);
    const own = `${username}-own-long-passphrase`;
    await page.getByLabel(L('password.current')).fill(oneTime);
    await page.getByLabel(new RegExp(`^${L('password.new')}`)).fill(own);
    await page.getByLabel(L('password.confirm')).fill(own);
    await page.getByRole('button', { name: L('password.submit') }).click();
    await page.getByRole('heading', { name: L('dashboard.title') }).waitFor(SHORT);
  }

  /** Screenshots of the page as it is (light and dark, desktop and phone), and axe-core on it. */
  async function capture(page: Page, name: string) {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [w, h] of [
        [1440, 900],
        [390, 844],
      ] as const) {
        await page.setViewportSize({ width: w, height: h });
        // Let the layout settle (the navigation slides away below the phone breakpoint); a full-page shot from the top.
        await page.waitForTimeout(500);
        await page.evaluate('window.scrollTo(0, 0)');
        await page.screenshot({ path: join(shots, `${name}-${scheme}-${w}.png`), fullPage: w === 1440 });
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1440, height: 900 });
    const violations = await seriousA11yViolations(page);
    expect(violations, JSON.stringify(violations, null, 1)).toEqual([]);
  }

  const nav = (page: Page, name: string) =>
    page.getByRole('navigation').getByRole('link', { name, exact: true }).click();

  /** The whole flow of acceptance item 1, in one language, on one lab machine. Returns the machine's id. */
  async function fullFlow(page: Page, lang: Lang, m: LabMachine, name: string, check: () => Promise<void>) {
    const { L, P } = words(lang);
    // Add the machine by password.
    if (lang === 'en') await page.getByRole('link', { name: L('dashboard.addFirst') }).click();
    else await nav(page, L('nav.addMachine'));
    await page.getByRole('heading', { name: L('add.title') }).waitFor(SHORT);
    await page
      .getByRole('textbox', { name: new RegExp(`^${esc(L('add.name'))}`) })
      .first()
      .fill(name);
    await page.getByRole('textbox', { name: L('add.hostname') }).fill('not a host!');
    await page.getByRole('textbox', { name: L('add.port') }).fill(String(m.sshPort));
    await page.getByRole('textbox', { name: L('add.username') }).fill('admin');
    await page.getByLabel(L('creds.password'), { exact: false }).first().fill(ADMIN_PW);
    await page.getByRole('button', { name: L('add.submit') }).click();
    // The API's own field error, under its field; nothing else is refused.
    await page.getByText(L('add.fixFields')).waitFor(SHORT);
    await expect
      .poll(() => page.getByRole('textbox', { name: L('add.hostname') }).getAttribute('aria-invalid'))
      .toBe('true');
    if (lang === 'en') await capture(page, 'lab-add-machine-errors');
    await page.getByRole('textbox', { name: L('add.hostname') }).fill(m.address);
    await page.getByRole('button', { name: L('add.submit') }).click();

    // The connection test, step by step: the first key waits for the person to compare its fingerprint.
    await page.getByRole('heading', { name: L('check.title', { name }) }).waitFor(SHORT);
    const fingerprint = page.getByTestId('pending-fingerprint');
    await fingerprint.waitFor(SHORT);
    expect(await fingerprint.textContent()).toContain(m.hostKeyFingerprint);
    await expect.poll(() => page.getByTestId('step-hostKey').textContent(), SHORT).toContain(L('check.state.waiting'));
    if (lang === 'en') await capture(page, 'lab-add-machine-host-key');
    // Trusted from the keyboard alone (Tab to it, Enter), as every action of the UI can be.
    await tabTo(page, page.getByRole('button', { name: L('check.trustKey') }));
    await page.keyboard.press('Enter');
    for (const step of ['connect', 'hostKey', 'identity', 'sudo'])
      await expect.poll(() => page.getByTestId(`step-${step}`).textContent(), SHORT).toContain(L('check.state.ok'));
    await expect.poll(() => page.getByTestId('step-identity').textContent()).toContain('admin');
    // The probe fills the page and the tile without a reload.
    await expect.poll(() => page.getByTestId('probe-state').textContent(), JOB).toMatch(/debian/i);
    if (lang === 'en') await capture(page, 'lab-add-machine-done');
    await check();
    await page.getByRole('link', { name: L('nav.back') }).click();
    const tile = page.getByTestId('machine-tile').filter({ hasText: name });
    await expect.poll(() => tile.textContent(), SHORT).toMatch(/debian 12/i);
    await check();

    // Analyse, and watch its job go queued → running → done live, on the machine page then in the jobs list.
    await tile.getByRole('link', { name }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor(SHORT);
    const machineId = page.url().split('/').pop()!;
    // Every state the followed job's badge takes is recorded in the page as it is drawn (a poll from here could miss
    // a short one on a loaded machine).
    await recordFollowedJobStates(page);
    await page.getByRole('button', { name: `${L('actions.run')}: ${L('machine.action.apt_update_analyze')}` }).click();
    const ended = [L('jobs.st.ok'), L('jobs.st.error')];
    let seen: string[] = [];
    await expect
      .poll(async () => {
        seen = await followedJobStatesSeen(page);
        return ended.includes(seen.at(-1) ?? '');
      }, JOB)
      .toBe(true);
    console.log(`[web-e2e ${lang}] analysis job statuses seen live: ${seen.join(' → ')}`);
    expect(seen).toEqual([L('jobs.st.queued'), L('jobs.st.running'), L('jobs.st.ok')]);
    await check();
    await nav(page, L('nav.jobs'));
    const row = page
      .getByTestId('job-row')
      .filter({ hasText: 'apt.update_analyze' })
      .filter({ has: page.getByRole('link', { name: machineId.slice(0, 8) }) })
      .first();
    expect(await row.getByTestId('job-status').textContent(SHORT)).toBe(L('jobs.st.ok'));
    await check();

    // The lab's packages, the security one flagged (its flag explained on keyboard focus).
    await page
      .getByRole('link', { name: machineId.slice(0, 8) })
      .first()
      .click();
    const secfix = page.getByTestId('package-row').filter({ hasText: 'homelab-secfix' });
    await secfix.waitFor(SHORT);
    expect(await secfix.textContent()).toContain('1.0 → 1.1');
    const flag = secfix.getByRole('button', { name: P('flag.security') });
    // Reached by the keyboard (the tooltip opens on keyboard focus, as on hover).
    await flag.focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await page.getByText(L('flag.security.why')).waitFor(SHORT);
    expect(await page.getByTestId('package-row').filter({ hasText: 'homelab-demo' }).textContent()).toContain(
      L('flag.keptBack'),
    );
    if (lang === 'en') await capture(page, 'lab-machine');
    await check();

    // Request a dist-upgrade (confirmed), approve it in the inbox, watch it finish.
    const lastBootRow = page.getByRole('row', { name: new RegExp(`^${esc(L('machine.lastBoot'))}`) });
    const bootBefore = await lastBootRow.textContent();
    await requestAndApprove(page, lang, 'apt_dist_upgrade', machineId);
    const upgrade = page
      .getByTestId('execution')
      .filter({ hasText: L('machine.action.apt_dist_upgrade') })
      .filter({ hasText: L('executions.st.ok') });
    await upgrade.waitFor(JOB);
    await upgrade.getByRole('button').first().click();
    const diff = upgrade.getByTestId('execution-diff');
    await diff.waitFor(SHORT);
    expect(await diff.textContent()).toMatch(/homelab-demo1\.0 → 1\.2/);
    expect(await diff.textContent()).toContain('homelab-secfix');
    await showToggle(
      upgrade.getByRole('button', { name: L('log.show') }),
      upgrade.getByRole('button', { name: L('log.hide') }),
      SHORT.timeout,
    );
    await expect.poll(() => shownLog(upgrade), SHORT).toContain('homelab-demo');
    expect(await upgrade.getByTestId('raw-log').textContent()).not.toContain(ADMIN_PW);
    const report = page.getByTestId('report').first();
    await report.getByRole('button', { name: L('reports.read') }).click();
    await expect.poll(() => report.getByTestId('report-text').textContent(), SHORT).toContain('homelab-demo');
    // Reboot required, on the page and on the tile.
    const rebootRow = page.getByRole('row', { name: new RegExp(`^${esc(L('machine.rebootRequired'))}`) });
    await expect.poll(() => rebootRow.textContent(), JOB).toContain(L('tile.reboot'));
    if (lang === 'en') await capture(page, 'lab-machine-after-upgrade');
    await check();

    // The verified reboot, approved, and the new boot time.
    await requestAndApprove(page, lang, 'reboot_verified', machineId);
    await page
      .getByTestId('execution')
      .filter({ hasText: L('machine.action.reboot_verified') })
      .filter({ hasText: L('executions.st.ok') })
      .waitFor(JOB);
    await expect.poll(() => lastBootRow.textContent(), SHORT).not.toBe(bootBefore);
    console.log(`[web-e2e ${lang}] last boot: ${bootBefore} → ${await lastBootRow.textContent()}`);
    await check();
    return machineId;
  }

  /** Ask for a risky action on the machine page (confirming it), approve it in the inbox, come back to the machine. */
  async function requestAndApprove(page: Page, lang: Lang, action: 'apt_dist_upgrade' | 'reboot_verified', id: string) {
    const { L } = words(lang);
    const label = L(`machine.action.${action}`);
    await page.getByRole('button', { name: `${L('actions.request')}: ${label}` }).click();
    await page.getByRole('button', { name: L('actions.confirm', { action: label }) }).click();
    const sent = page.getByText(L('actions.requested'));
    await sent.or(page.getByRole('alert')).first().waitFor(SHORT);
    // A refusal is shown as the API's problem: say which, rather than time out.
    expect(
      await sent.isVisible(),
      await page
        .getByRole('alert')
        .allTextContents()
        .then((a) => a.join(' | ')),
    ).toBe(true);
    await nav(page, L('nav.approvals'));
    const card = page.getByTestId('action-request').filter({ hasText: action });
    await card.waitFor(SHORT);
    if (lang === 'en' && action === 'apt_dist_upgrade') await capture(page, 'lab-approvals-request');
    await card.getByRole('button', { name: L('approvals.approve') }).click();
    await card.waitFor({ state: 'detached', ...SHORT });
    await nav(page, L('nav.dashboard'));
    await page.locator(`a[href="/machines/${id}"]`).first().click();
    await page.getByRole('heading', { name: L('machine.summary') }).waitFor(SHORT);
  }

  it('item 1: a new user adds a lab machine, updates it through an approval, reads the diff and reboots it', async () => {
    const { page, password, close } = await newcomer('owner');
    await firstLogin(page, 'owner', password);
    await capture(page, 'lab-dashboard-empty');
    const id = await fullFlow(page, 'en', ms[0]!, 'lab-one', async () => undefined);
    // The fleet view has nothing left for this machine but what apt holds back.
    await nav(page, words('en').L('nav.updates'));
    await page.getByRole('heading', { name: words('en').L('fleet.title') }).waitFor(SHORT);
    await capture(page, 'lab-fleet-updates');

    // Item 2: the host key changes → the tile is blocked with the reason, live; approving the new key unblocks it.
    const { L } = words('en');
    await nav(page, L('nav.dashboard'));
    const tile = page.getByTestId('machine-tile').filter({ hasText: 'lab-one' });
    await tile.waitFor(SHORT);
    const { after } = await lab.changeHostKey(ms[0]!.name);
    // Something reaches the machine (as a schedule would): a probe.
    expect((await gw.api('POST', `/api/v1/machines/${id}/probe`)).status).toBe(201);
    await expect.poll(() => tile.textContent(), SHORT).toContain(L('tile.blocked'));
    // The reason and what to do, on the tile itself.
    expect(await tile.textContent()).toContain('host_key_changed');
    expect(await tile.textContent()).toContain(L('remedy.host_key_changed'));
    await capture(page, 'lab-dashboard-blocked');
    await tile.getByRole('link', { name: 'lab-one' }).click();
    const warning = page.getByTestId('host-key-warning');
    await warning.waitFor(SHORT);
    expect(await warning.textContent()).toContain(after);
    await capture(page, 'lab-machine-host-key-changed');
    await warning.getByRole('button', { name: L('hostKeys.approve') }).click();
    await warning.getByRole('button', { name: L('hostKeys.approveConfirm') }).click();
    await warning.waitFor({ state: 'detached', ...SHORT });
    await nav(page, L('nav.dashboard'));
    await expect.poll(() => tile.textContent(), SHORT).not.toContain(L('tile.blocked'));
    expect(problems).toEqual([]);
    await close();
  });

  it('item 5: the same flow in French, with no English string of the catalogue on any page', async () => {
    const { page, password, close } = await newcomer('proprio');
    await firstLogin(page, 'proprio', password);
    await page.getByText('Français').click();
    await page.getByRole('heading', { name: word(fr, 'dashboard.title') }).waitFor(SHORT);
    const check = async () => expect(await englishLeftovers(page)).toEqual([]);
    await check();
    await fullFlow(page, 'fr', ms[1]!, 'labo-deux', check);
    for (const link of ['nav.updates', 'nav.approvals', 'nav.jobs', 'nav.dashboard'] as const) {
      await nav(page, word(fr, link));
      await page.waitForTimeout(500);
      await check();
    }
    expect(problems).toEqual([]);
    await close();
  });
  it('item 3: a schedule written in the UI with the keyboard fires every minute; each lab machine moves live on its run', async () => {
    const { L } = words('en');
    const { page, password, close } = await newcomer('planner');
    await firstLogin(page, 'planner', password);
    // Keyboard only: Tab to each control, type, Enter to follow a link or submit.
    await tabTo(page, page.getByRole('navigation').getByRole('link', { name: L('nav.schedules'), exact: true }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: L('schedules.title'), level: 1 }).waitFor(SHORT);
    await tabTo(page, page.getByRole('link', { name: L('schedules.new') }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: L('schedules.new'), level: 1 }).waitFor(SHORT);
    // A required field's label ends with its asterisk: "Name *".
    await tabTo(page, page.getByLabel(L('schedules.name')));
    await page.keyboard.type('lab every minute');
    await tabTo(page, page.getByLabel(L('schedules.cron')));
    await page.keyboard.press('Control+A');
    await page.keyboard.type('* * * * *');
    const preview = page.getByTestId('schedule-preview');
    await preview.getByText(L('schedules.matches', { count: 2 })).waitFor(SHORT);
    // The read-only analysis is the default step, one machine at a time (the second waits its turn).
    expect(await page.getByRole('checkbox', { name: L('action.apt_update_analyze') }).isChecked()).toBe(true);
    await tabTo(page, page.getByRole('button', { name: L('schedules.create') }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'lab every minute' }).waitFor(SHORT);
    await recordRunStatuses(page);
    await page.evaluate('window.suMark = 42');

    // The next minute's slot: the run appears, and each machine's badge moves to Done without a reload.
    const run = page.getByTestId('schedule-run').first();
    await run.waitFor({ timeout: 90_000 });
    const done = L('runs.st.ok');
    await expect
      .poll(() => run.getByTestId('run-machine').getByTestId('run-status').allTextContents(), JOB)
      .toEqual([done, done]);
    expect(await page.evaluate('window.suMark')).toBe(42);
    const seen = Object.values(await runStatusesSeen(page));
    console.log(`[web-e2e] schedule run statuses seen live per machine: ${JSON.stringify(seen)}`);
    expect(seen).toHaveLength(2);
    // The badges moved on the page: waiting its turn or running, then done, never back. (On a loaded machine the first
    // machine's analysis may be over before the run's first refresh lands: at least one is seen running.)
    const moving = [L('runs.st.pending'), L('runs.st.running')];
    for (const s of seen) {
      expect(s.at(-1)).toBe(done);
      expect(s.slice(0, -1).every((status) => moving.includes(status))).toBe(true);
    }
    expect(seen.some((s) => s.includes(L('runs.st.running')))).toBe(true);
    await capture(page, 'lab-schedule-run');
    expect(problems).toEqual([]);
    await close();
  }, 300_000);
});

/**
 * The raw log's text once shown; until then what is shown instead (still loading, or the API's problem), so that a
 * failure says which rather than waiting on an element that never comes.
 */
async function shownLog(execution: Locator): Promise<string> {
  const log = execution.getByTestId('raw-log');
  if ((await log.count()) > 0) return (await log.textContent()) ?? '';
  const alerts = await execution.getByRole('alert').allTextContents();
  const loading = await execution.getByRole('status').count();
  return `no log shown (${loading} loading, alerts: ${alerts.join(' | ') || 'none'})`;
}
