import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { CapturingLogger, startGateway, type GatewayHarness } from './test/gateway.harness.ts';
import {
  parseForm,
  startTestProvider,
  TestBrowser,
  type TestAccount,
  type TestProvider,
} from './test/oidc-provider.harness.ts';

// The gateway as the browser sees it: behind a TLS reverse proxy (the test browser maps this origin to the gateway).
const PUBLIC = 'https://su.home.test';
const CALLBACK_PATH = '/api/v1/auth/oidc/callback';
const CLIENT_ID = 'system-update';
const CLIENT_SECRET = `cs-${randomBytes(18).toString('hex')}`;

const accounts: Record<string, TestAccount> = {
  'u-1001': { preferredUsername: 'alice', groups: ['family', 'homelab-admins'] },
  'u-1002': { preferredUsername: 'oscar', groups: ['ops'] },
  'u-1003': { preferredUsername: 'gina', groups: ['guests'] },
  'u-1004': { preferredUsername: 'admin', groups: ['ops'] },
  'u-1005': { preferredUsername: 'dora', groups: ['ops'] },
};

let db: TestDatabase;
let idp: TestProvider;
let gw: GatewayHarness;

beforeAll(async () => {
  db = await createTestDatabase();
  idp = await startTestProvider({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: `${PUBLIC}${CALLBACK_PATH}`,
    accounts,
  });
  const secretFile = join(mkdtempSync(join(tmpdir(), 'su-oidc-')), 'client-secret');
  writeFileSync(secretFile, `${CLIENT_SECRET}\n`, { mode: 0o600 });
  gw = await startGateway(db, {
    SU_OIDC_ISSUER: idp.issuer,
    SU_OIDC_CLIENT_ID: CLIENT_ID,
    SU_OIDC_CLIENT_SECRET_FILE: secretFile,
    SU_OIDC_REDIRECT_URI: `${PUBLIC}${CALLBACK_PATH}`,
    SU_OIDC_SCOPES: 'openid profile groups',
    SU_OIDC_ROLE_MAP: 'homelab-admins=admin, ops=operator',
  });
});

afterAll(async () => {
  await gw?.close();
  await idp?.close();
  await db?.drop();
});

function newBrowser(gatewayBase = gw.base): TestBrowser {
  return new TestBrowser({ [PUBLIC]: gatewayBase });
}

/**
 * Starts a sign-in at the gateway and drives the provider's login and consent pages as `login`, following every
 * redirect by hand; returns the callback URL the provider sends the browser to (not yet visited).
 */
async function signInUntilCallback(browser: TestBrowser, login: string, cancel = false): Promise<string> {
  const start = await browser.request(`${PUBLIC}/api/v1/auth/oidc/login`);
  expect(start.status).toBe(302);
  let url = start.location!;
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(`${PUBLIC}${CALLBACK_PATH}`)) return url;
    const page = await browser.request(url);
    if (page.status >= 300 && page.status < 400) {
      url = page.location!;
      continue;
    }
    expect(page.status).toBe(200);
    if (cancel) {
      url = new URL(/<a href="([^"]+)">\[ Cancel \]<\/a>/.exec(page.body)![1]!, url).toString();
      continue;
    }
    const form = parseForm(page.body, url);
    const fields =
      form.fields['prompt'] === 'login'
        ? { ...form.fields, login, password: 'whatever-the-dev-page-takes' }
        : form.fields;
    const submitted = await browser.request(form.action, { method: 'POST', form: fields });
    expect([302, 303]).toContain(submitted.status);
    url = submitted.location!;
  }
  throw new Error('the provider never redirected to the callback');
}

async function signIn(login: string) {
  const browser = newBrowser();
  const callbackUrl = await signInUntilCallback(browser, login);
  return { browser, callbackUrl, res: await browser.request(callbackUrl) };
}

function withState(url: string, state: string): string {
  const u = new URL(url);
  u.searchParams.set('state', state);
  return u.toString();
}

interface EventRow {
  actor_id: string | null;
  message: string;
  payload: Record<string, unknown> | null;
}

async function events(type: string): Promise<EventRow[]> {
  return db.query(`SELECT actor_id, message, payload FROM machine_events WHERE event_type = $1 ORDER BY created_at`, [
    type,
  ]);
}

describe('OpenID Connect sign-in against a real provider', () => {
  let adminToken = '';
  let machineId = '';

  it('redirects to the provider with PKCE, state and nonce, binding the sign-in to the browser by an HttpOnly cookie', async () => {
    const res = await newBrowser().request(`${PUBLIC}/api/v1/auth/oidc/login`);
    expect(res.status).toBe(302);
    const to = new URL(res.location!);
    expect(to.origin).toBe(idp.issuer);
    expect(to.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(to.searchParams.get('response_type')).toBe('code');
    expect(to.searchParams.get('redirect_uri')).toBe(`${PUBLIC}${CALLBACK_PATH}`);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(to.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(to.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(to.searchParams.has('client_secret')).toBe(false);
    expect(res.setCookies).toHaveLength(1);
    const cookie = res.setCookies[0]!;
    expect(cookie).toMatch(/^su_oidc=[\w-]{43};/);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toContain(`; Path=${CALLBACK_PATH}`);
    // The pending state is kept server-side, by hash only.
    const [row] = await db.query(`SELECT state_hash, expires_at FROM oidc_login_states`);
    expect(row.state_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.state_hash).not.toBe(to.searchParams.get('state'));
  });

  it('gives an admins-group account an admin session that works on an admin route', async () => {
    const { res } = await signIn('u-1001');
    expect(res.status).toBe(200);
    expect(res.cacheControl).toBe('no-store');
    expect(res.json).toEqual({
      token: expect.stringMatching(/^sus_/),
      tokenType: 'Bearer',
      expiresAt: expect.any(String),
      user: { id: expect.any(String), username: 'alice', scopes: ['admin'], mustChangePassword: false },
    });
    // The cookie of the finished sign-in is cleared.
    expect(res.setCookies.some((c) => /^su_oidc=;/.test(c))).toBe(true);
    adminToken = res.json.token;
    const hours = (Date.parse(res.json.expiresAt) - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(11);
    expect(hours).toBeLessThanOrEqual(12);
    const me = await gw.api('GET', '/api/v1/auth/me', { token: adminToken });
    expect(me.body).toMatchObject({ type: 'user', label: 'alice', scopes: ['admin'] });
    const machine = await gw.api('POST', '/api/v1/machines', {
      token: adminToken,
      body: { name: 'oidc-made', hostname: '127.0.0.1', port: 1, username: 'root' },
    });
    expect(machine.status).toBe(201);
    machineId = machine.body.id;
    const clients = await gw.api('GET', '/api/v1/api-clients', { token: adminToken });
    expect(clients.status).toBe(200);
  });

  it('a browser navigating to the callback gets the session cookie and a 303 to the web UI, never the token', async () => {
    const browser = newBrowser();
    const callbackUrl = await signInUntilCallback(browser, 'u-1001');
    const res = await browser.request(callbackUrl, { accept: 'text/html,application/xhtml+xml' });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${PUBLIC}/`);
    expect(res.body).not.toMatch(/sus_/);
    const cookie = res.setCookies.find((c) => c.startsWith('su_session='));
    expect(cookie).toMatch(/^su_session=sus_[^;]+;.*HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const me = await browser.request(`${PUBLIC}/api/v1/auth/me`);
    expect(me.status).toBe(200);
    expect(me.json.label).toBe('alice');
  });

  it('refuses a replayed callback (same state and code)', async () => {
    const { browser, callbackUrl, res } = await signIn('u-1001');
    expect(res.status).toBe(200);
    const replay = await browser.request(callbackUrl);
    expect(replay.status).toBe(400);
    expect(replay.json.errors).toEqual([
      { field: 'state', reasons: [expect.stringMatching(/unknown or already used/)] },
    ]);
    expect(replay.body).not.toContain('sus_');
  });

  it('refuses a wrong, missing or malformed state without spending the real one', async () => {
    const browser = newBrowser();
    const callbackUrl = await signInUntilCallback(browser, 'u-1001');
    const realState = new URL(callbackUrl).searchParams.get('state')!;
    for (const url of [
      withState(callbackUrl, randomBytes(32).toString('base64url')),
      withState(callbackUrl, 'x'.repeat(600)),
      `${callbackUrl}&state=${realState}`,
      `${PUBLIC}${CALLBACK_PATH}?code=abc`,
    ]) {
      const res = await browser.request(url);
      expect(res.status).toBe(400);
      expect(res.json.errors).toEqual([{ field: 'state', reasons: [expect.any(String)] }]);
      expect(res.cacheControl).toBe('no-store');
      expect(res.body).not.toContain(realState);
    }
    const realHash = createHash('sha256').update(realState).digest('hex');
    expect(await db.query(`SELECT 1 FROM oidc_login_states WHERE state_hash = $1`, [realHash])).toHaveLength(1);
  });

  it('refuses a callback opened in another browser than the one that started the sign-in', async () => {
    const callbackUrl = await signInUntilCallback(newBrowser(), 'u-1001');
    const other = await newBrowser().request(callbackUrl);
    expect(other.status).toBe(400);
    expect(other.json.errors[0].reasons[0]).toMatch(/another browser/);
    const refusals = await events('auth.oidc_refused');
    expect(refusals.map((e) => e.payload?.['reason'])).toContain('other_browser');
  });

  it('refuses a sign-in the person cancelled at the provider', async () => {
    const browser = newBrowser();
    const res = await browser.request(await signInUntilCallback(browser, 'u-1001', true));
    expect(res.status).toBe(401);
    expect(res.json.detail).toMatch(/did not complete the sign-in/);
    const refusals = await events('auth.oidc_refused');
    expect(refusals.map((e) => e.payload?.['reason'])).toContain('provider_refused');
  });

  it('gives an ops account an operator session: it may operate, and is refused admin', async () => {
    const { res } = await signIn('u-1002');
    expect(res.status).toBe(200);
    expect(res.json.user).toMatchObject({ username: 'oscar', scopes: ['operate'] });
    const token = res.json.token as string;
    const probe = await gw.api('POST', `/api/v1/machines/${machineId}/probe`, { token });
    expect(probe.status).toBe(201);
    const admin = await gw.api('POST', '/api/v1/machines', {
      token,
      body: { name: 'nope', hostname: '127.0.0.1', username: 'root' },
    });
    expect(admin.status).toBe(403);
    expect((await gw.api('GET', '/api/v1/api-clients', { token })).status).toBe(403);
  });

  it('refuses an account whose groups map to no role, creating no user', async () => {
    const { res } = await signIn('u-1003');
    expect(res.status).toBe(403);
    expect(res.json.detail).toMatch(/no role/);
    expect(res.body).not.toContain('sus_');
    expect(await db.query(`SELECT 1 FROM users WHERE username = 'gina'`)).toHaveLength(0);
    const refusal = (await events('auth.oidc_refused')).find((e) => e.payload?.['reason'] === 'no_role');
    expect(refusal?.payload).toMatchObject({ subject: 'u-1003', groups: ['guests'], issuer: idp.issuer });
  });

  it('never links a provider account to a local user by name, and such users cannot log in by password', async () => {
    const { res } = await signIn('u-1004');
    expect(res.status).toBe(200);
    expect(res.json.user).toMatchObject({ username: 'admin-2', scopes: ['operate'] });
    const [user] = await db.query(`SELECT password_hash FROM users WHERE username = 'admin-2'`);
    expect(user.password_hash).toMatch(/^scrypt\$/);
    for (const password of ['', 'admin', CLIENT_SECRET]) {
      const login = await gw.api('POST', '/api/v1/auth/login', {
        token: null,
        body: { username: 'admin-2', password },
      });
      expect([400, 401]).toContain(login.status);
    }
  });

  it('keeps one user per provider identity and refreshes its role from the groups at each sign-in', async () => {
    const first = await signIn('u-1005');
    expect(first.res.json.user).toMatchObject({ username: 'dora', scopes: ['operate'] });
    accounts['u-1005']!.groups = ['homelab-admins'];
    const second = await signIn('u-1005');
    expect(second.res.json.user).toMatchObject({ id: first.res.json.user.id, username: 'dora', scopes: ['admin'] });
    // Sessions follow the user's role: the first session is admin now too.
    const me = await gw.api('GET', '/api/v1/auth/me', { token: first.res.json.token });
    expect(me.body.scopes).toEqual(['admin']);
    const changes = await events('user.role_changed');
    expect(changes.at(-1)?.payload).toMatchObject({ from: 'operator', to: 'admin' });
    const identities = await db.query(`SELECT issuer, subject FROM oidc_identities WHERE subject = 'u-1005'`);
    expect(identities).toEqual([{ issuer: idp.issuer, subject: 'u-1005' }]);
  });

  it('refuses a deactivated user', async () => {
    await db.query(`UPDATE users SET is_active = false WHERE username = 'dora'`);
    const { res } = await signIn('u-1005');
    expect(res.status).toBe(403);
    expect(res.json.detail).toMatch(/deactivated/);
    const refusal = (await events('auth.oidc_refused')).find((e) => e.payload?.['reason'] === 'deactivated');
    expect(refusal?.payload?.['subject']).toBe('u-1005');
  });

  it('records sign-ins as events and lets no token or secret reach events or logs', async () => {
    const logins = await events('auth.oidc_login');
    expect(logins.map((e) => e.payload?.['role'])).toEqual(expect.arrayContaining(['admin', 'operator']));
    const created = await events('user.created');
    expect(created.map((e) => e.payload?.['subject'])).toEqual(expect.arrayContaining(['u-1001', 'u-1002', 'u-1004']));
    const stored = JSON.stringify(await db.query(`SELECT * FROM machine_events`));
    const logged = CapturingLogger.lines.join('\n');
    for (const text of [stored, logged]) {
      expect(text).not.toContain(CLIENT_SECRET);
      expect(text).not.toContain(adminToken);
      expect(text).not.toMatch(/sus_[\w-]{20}/);
    }
  });
});

describe('OpenID Connect sign-in with a forged ID token', () => {
  it('refuses a token whose signature does not verify against the keys the provider publishes', async () => {
    const forgerDb = await createTestDatabase();
    const forger = await startTestProvider({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: `${PUBLIC}${CALLBACK_PATH}`,
      accounts,
      publishWrongKey: true,
    });
    const gateway = await startGateway(forgerDb, {
      SU_OIDC_ISSUER: forger.issuer,
      SU_OIDC_CLIENT_ID: CLIENT_ID,
      SU_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      SU_OIDC_REDIRECT_URI: `${PUBLIC}${CALLBACK_PATH}`,
      SU_OIDC_SCOPES: 'openid profile groups',
      SU_OIDC_ROLE_MAP: 'homelab-admins=admin',
    });
    const logged = CapturingLogger.lines.length;
    try {
      const browser = newBrowser(gateway.base);
      const res = await browser.request(await signInUntilCallback(browser, 'u-1001'));
      expect(res.status).toBe(401);
      expect(res.body).not.toContain('sus_');
      const refusals = await forgerDb.query(
        `SELECT payload FROM machine_events WHERE event_type = 'auth.oidc_refused'`,
      );
      expect(refusals).toEqual([{ payload: { reason: 'provider_refused' } }]);
      const refusedLines = CapturingLogger.lines.slice(logged).filter((l) => l.includes('OIDC sign-in refused'));
      expect(refusedLines).toEqual([expect.stringMatching(/JWT signature verification failed/)]);
      expect(await forgerDb.query(`SELECT 1 FROM users WHERE username = 'alice'`)).toHaveLength(0);
    } finally {
      await gateway.close();
      await forger.close();
      await forgerDb.drop();
    }
  });
});

describe('OpenID Connect provider unreachable', () => {
  it('answers 503 on login and stores nothing', async () => {
    const downDb = await createTestDatabase();
    const later = await startTestProvider({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: `${PUBLIC}${CALLBACK_PATH}`,
      accounts,
    });
    await later.close();
    const gateway = await startGateway(downDb, {
      SU_OIDC_ISSUER: later.issuer,
      SU_OIDC_CLIENT_ID: CLIENT_ID,
      SU_OIDC_REDIRECT_URI: `${PUBLIC}${CALLBACK_PATH}`,
      SU_OIDC_DEFAULT_ROLE: 'viewer',
    });
    try {
      const res = await newBrowser(gateway.base).request(`${PUBLIC}/api/v1/auth/oidc/login`);
      expect(res.status).toBe(503);
      expect(res.json.detail).toMatch(/cannot be reached/);
      expect(res.setCookies).toEqual([]);
      expect(await downDb.query(`SELECT 1 FROM oidc_login_states`)).toHaveLength(0);
    } finally {
      await gateway.close();
      await downDb.drop();
    }
  });
});

describe('OpenID Connect sign-in not configured', () => {
  it('answers 404 on its routes', async () => {
    const plainDb = await createTestDatabase();
    const plain = await startGateway(plainDb);
    try {
      for (const path of ['/api/v1/auth/oidc/login', `${CALLBACK_PATH}?state=abc&code=def`]) {
        const res = await plain.api('GET', path, { token: null });
        expect(res.status).toBe(404);
        expect(res.body.detail).toBe('OIDC sign-in is not configured');
      }
    } finally {
      await plain.close();
      await plainDb.drop();
    }
  });
});
