import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayPerFile } from './test/gateway.harness.ts';

/*
 * The gateway as a browser's backend (ADR 0019): the session cookie, its CSRF rule, the user's preferences, and the
 * web UI's files with their own Content-Security-Policy — without shadowing any API path.
 */
const webDir = mkdtempSync(join(tmpdir(), 'su-web-'));
mkdirSync(join(webDir, 'assets'));
writeFileSync(
  join(webDir, 'index.html'),
  '<!doctype html><title>su</title><script type="module" src="/assets/app-1.js"></script>',
);
writeFileSync(join(webDir, 'assets', 'app-1.js'), 'console.log(1);');

const t = gatewayPerFile({ SU_WEB_DIR: webDir, SU_TRUST_PROXY: 'loopback' });

async function browserLogin(extra: Record<string, string> = {}) {
  const res = await fetch(`${t.gw.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-requested-with': 'su-web', ...extra },
    body: JSON.stringify({ username: 'admin', password: t.gw.adminPassword }),
  });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = /^su_session=[^;]+/.exec(setCookie)?.[0];
  expect(cookie).toBeDefined();
  return { setCookie, cookie: cookie! };
}

const call = (method: string, path: string, headers: Record<string, string>, body?: unknown) =>
  fetch(`${t.gw.base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('browser session cookie', () => {
  it('login sets an HttpOnly SameSite=Strict cookie, Secure only over HTTPS', async () => {
    const plain = await browserLogin();
    expect(plain.setCookie).toMatch(/HttpOnly/i);
    expect(plain.setCookie).toMatch(/SameSite=Strict/i);
    expect(plain.setCookie).toMatch(/Path=\//);
    expect(plain.setCookie).not.toMatch(/Secure/i);
    const proxied = await browserLogin({ 'x-forwarded-proto': 'https' });
    expect(proxied.setCookie).toMatch(/;\s*Secure/i);
  });

  it('authenticates reads by cookie and refuses unsafe calls without the CSRF header', async () => {
    const { cookie } = await browserLogin();
    const me = await call('GET', '/api/v1/auth/me', { cookie });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { label: string }).label).toBe('admin');

    const prefs = { theme: 'dark', density: 'compact', language: 'fr' };
    const forged = await call('PUT', '/api/v1/me/preferences', { cookie }, prefs);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('x-requested-with');
    const saved = await call('PUT', '/api/v1/me/preferences', { cookie, 'x-requested-with': 'su-web' }, prefs);
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject(prefs);
  });

  it('ignores a cookie that is not a session token', async () => {
    const res = await call('GET', '/api/v1/auth/me', {
      cookie: `su_session=${t.gw.adminToken.replace('sus_', 'sua_')}`,
    });
    expect(res.status).toBe(401);
  });

  it('logout ends the session and clears the cookie', async () => {
    const { cookie } = await browserLogin();
    const out = await call('POST', '/api/v1/auth/logout', { cookie, 'x-requested-with': 'su-web' });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^su_session=;.*Expires=Thu, 01 Jan 1970/i);
    expect((await call('GET', '/api/v1/auth/me', { cookie })).status).toBe(401);
  });
});

describe('user preferences', () => {
  it('answers the defaults until saved, then the saved values; bad values name the field', async () => {
    const created = await t.gw.api('POST', '/api/v1/users', { body: { username: 'prefs-user', role: 'viewer' } });
    const first = await t.gw.api('POST', '/api/v1/auth/login', {
      token: null,
      body: { username: 'prefs-user', password: created.body.password },
    });
    const token = first.body.token as string;
    await t.gw.api('POST', '/api/v1/auth/password', {
      token,
      body: { currentPassword: created.body.password, newPassword: 'prefs-user-own-password' },
    });
    const initial = await t.gw.api('GET', '/api/v1/me/preferences', { token });
    expect(initial.body).toEqual({ theme: 'system', density: 'comfortable', language: 'en', updatedAt: null });
    const bad = await t.gw.api('PUT', '/api/v1/me/preferences', {
      token,
      body: { theme: '<script>', density: 'compact', language: 'fr' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'theme' })]);
    expect(bad.text).not.toContain('<script>');
    await t.gw.api('PUT', '/api/v1/me/preferences', {
      token,
      body: { theme: 'light', density: 'compact', language: 'fr' },
    });
    const after = await t.gw.api('GET', '/api/v1/me/preferences', { token });
    expect(after.body).toMatchObject({ theme: 'light', density: 'compact', language: 'fr' });
    // Another user's preferences are their own.
    expect((await t.gw.api('GET', '/api/v1/me/preferences')).body.theme).not.toBe('light');
  });
});

describe('web UI files', () => {
  it('serves the UI at / with a strict CSP, and the SPA fallback for page paths', async () => {
    for (const path of ['/', '/machines/abc', '/settings']) {
      const res = await fetch(`${t.gw.base}${path}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<title>su</title>');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const asset = await fetch(`${t.gw.base}/assets/app-1.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('never shadows the API: unknown API paths keep their JSON 404, missing files are 404', async () => {
    for (const path of ['/api/v1/nope', '/api/nope', '/health/nope', '/ready/nope', '/assets/missing.js']) {
      const res = await fetch(`${t.gw.base}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('<title>su</title>');
    }
    const api = await fetch(`${t.gw.base}/api/v1/nope`);
    expect(api.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});
