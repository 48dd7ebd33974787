import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { launchChromium } from './test/browser.ts';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';
import { ensureBuiltUi, expectAccessible, WAIT, webDir, WebSession } from './test/web-session.ts';

/*
 * The Discovery page in Debian's Chromium against a real gateway: the admin allows a block, a block outside it is
 * refused (the loopback listener gets nothing), a scan of the allowed one shows its progress live and its candidate,
 * and a candidate is added as a machine in one step with the credentials form of "Add machine".
 */
let db: TestDatabase;
let gw: GatewayHarness;
let browser: Browser;
let web: WebSession;
let listener: Server;
let listenerPort: number;
let connections = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  ensureBuiltUi();
  db = await createTestDatabase();
  gw = await startGateway(db, { SU_WEB_DIR: webDir });
  browser = await launchChromium();
  web = new WebSession(browser, () => gw);
  // Says it is an SSH server (identification line only) and counts who connects.
  listener = createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.end('SSH-2.0-WebDiscovery_1.0\r\n');
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  listenerPort = (listener.address() as { port: number }).port;
});

afterAll(async () => {
  await browser?.close();
  await gw?.close();
  await db?.drop();
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => (listener ? listener.close(() => r()) : r()));
});

/** An ed25519 host key as SSH shows it: the wire blob, its `SHA256:` fingerprint and its public key line. */
function hostKey() {
  const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(Buffer.from(jwk.x!, 'base64url'))]);
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return { fingerprint, publicKey: `ssh-ed25519 ${blob.toString('base64')}` };
}

describe('discovery in Chromium', () => {
  it('allows a block, refuses another, scans live, and adds a candidate with its key trusted', async () => {
    const { page } = await web.signedIn('admin');
    await page.getByRole('link', { name: 'Discovery' }).click();
    await page.getByRole('heading', { name: 'Network discovery' }).waitFor(WAIT);

    await page.getByRole('combobox', { name: 'Blocks that may be scanned' }).fill('127.0.0.1/32');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Save the allowed blocks' }).click();
    await page.getByText('Allowed blocks saved.').waitFor(WAIT);

    const ports = page.getByRole('combobox', { name: 'SSH ports' });
    await ports.click();
    await page.keyboard.press('Backspace');
    await ports.fill(String(listenerPort));
    await page.keyboard.press('Enter');

    await page.getByLabel('Network block').fill('127.0.0.2');
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    await page.getByText('This block is outside the allowed blocks: nothing was scanned.').waitFor(WAIT);
    expect(connections).toBe(0);

    await page.getByLabel('Network block').fill('127.0.0.1');
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    // Progress comes from the live event stream: the page does not poll.
    await page.getByTestId('scan-status').filter({ hasText: 'Done · 1 of 1 probed, 1 found' }).waitFor(WAIT);
    const row = page.locator('tr[data-host="127.0.0.1"]');
    await row.getByText('SSH-2.0-WebDiscovery_1.0').waitFor(WAIT);
    expect(connections).toBe(1);
    await expectAccessible(page);

    // The listener shows no host key, so the row has nothing to add; give the candidate a key as an SSH server
    // would have shown it, and the page (reloaded: it shows the latest scan) offers to add it.
    const key = hostKey();
    await db.query(
      `UPDATE discovery_candidates SET key_type = 'ssh-ed25519', host_key_fingerprint = $1, host_key_public = $2`,
      [key.fingerprint, key.publicKey],
    );
    await page.reload();
    await row.getByRole('button', { name: 'Add 127.0.0.1 as a machine' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(key.fingerprint).waitFor(WAIT);
    await dialog.getByLabel('Name').fill('found-in-browser');
    await dialog.getByLabel('SSH user').fill('admin');
    await dialog.getByLabel('SSH password').fill('web-discovery-pw');
    await dialog.getByRole('button', { name: 'Add the machine' }).click();
    await row.getByText('Already known').waitFor(WAIT);

    const machines = (await gw.api('GET', '/api/v1/machines')).body.items as { id: string; name: string; hostname: string; port: number }[];
    const m = machines.find((x) => x.name === 'found-in-browser');
    expect(m).toMatchObject({ hostname: '127.0.0.1', port: listenerPort });
    const keys = (await gw.api('GET', `/api/v1/machines/${m!.id}/host-keys`)).body;
    expect(keys[0]).toMatchObject({ fingerprintSha256: key.fingerprint, status: 'approved' });
    expect(web.problems).toEqual([]);
  });
});
