import { describe, expect, it } from 'vitest';
import { AdminBootstrapService, resetPasswordOffline } from '@su/auth';
import { Database } from '@su/db';
import { createTestDatabase } from '@su/testing';
import { CapturingLogger, gatewayPerFile } from './test/gateway.harness.ts';
import { awayFromStepEnd, currentStep, totpCode } from './test/totp-code.ts';

/*
 * Accounts over real HTTP: users with roles, first-login password change, own password change, sessions, the
 * optional TOTP factor, the offline reset (its core function; the command itself runs in the launcher test).
 */
const t = gatewayPerFile();

async function login(username: string, password: string, totp?: string) {
  return t.gw.api('POST', '/api/v1/auth/login', {
    token: null,
    body: { username, password, ...(totp ? { totpCode: totp } : {}) },
  });
}

/** Creates a user as the admin, logs in with the generated password and replaces it; returns a working token. */
async function readyUser(username: string, role: string): Promise<{ id: string; token: string; password: string }> {
  const created = await t.gw.api('POST', '/api/v1/users', { body: { username, role } });
  expect(created.status).toBe(201);
  const first = await login(username, created.body.password);
  const password = `${username}-own-password-1`;
  const changed = await t.gw.api('POST', '/api/v1/auth/password', {
    token: first.body.token,
    body: { currentPassword: created.body.password, newPassword: password },
  });
  expect(changed.status).toBe(200);
  return { id: created.body.id, token: first.body.token, password };
}

describe('accounts', () => {
  it('the bootstrap admin is created with a password that must be changed', async () => {
    const db = await createTestDatabase();
    const conn = Database.connect({ url: db.url });
    try {
      const admin = await new AdminBootstrapService(conn).ensureAdmin('root');
      expect(admin?.password).toMatch(/^\S{20}$/);
      const [row] = await db.query<{ must_change_password: boolean }>(
        `SELECT must_change_password FROM users WHERE username = 'root'`,
      );
      expect(row?.must_change_password).toBe(true);
    } finally {
      await conn.close();
      await db.drop();
    }
  });

  it('new user with a role: generated password shown once, must be changed first (403 with a reason), role limits it', async () => {
    const created = await t.gw.api('POST', '/api/v1/users', { body: { username: 'vera', role: 'viewer' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'vera', role: 'viewer', mustChangePassword: true, isActive: true });
    expect(created.body.password).toMatch(/^\S{20}$/);
    const listed = await t.gw.api('GET', '/api/v1/users');
    expect(listed.body.map((u: { username: string }) => u.username)).toEqual(['admin', 'vera']);
    expect(listed.text).not.toContain(created.body.password);
    expect(listed.text).not.toMatch(/passwordHash|scrypt|totpSecret/);

    const first = await login('vera', created.body.password);
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({ username: 'vera', scopes: ['read'], mustChangePassword: true });
    const token = first.body.token;
    const refused = await t.gw.api('GET', '/api/v1/machines', { token });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ reason: 'password_change_required' });
    expect(refused.body.detail).toContain('/api/v1/auth/password');
    expect((await t.gw.api('GET', '/api/v1/auth/me', { token })).body).toMatchObject({ mustChangePassword: true });

    // The policy names the field and never echoes the value.
    const weak = await t.gw.api('POST', '/api/v1/auth/password', {
      token,
      body: { currentPassword: created.body.password, newPassword: 'vera' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.errors).toEqual([
      { field: 'newPassword', reasons: ['must be at least 12 characters long', 'must not be the username'] },
    ]);
    const wrong = await t.gw.api('POST', '/api/v1/auth/password', {
      token,
      body: { currentPassword: 'not-the-password', newPassword: 'a good long passphrase' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].field).toBe('currentPassword');
    expect(wrong.text).not.toContain('not-the-password');

    const ok = await t.gw.api('POST', '/api/v1/auth/password', {
      token,
      body: { currentPassword: created.body.password, newPassword: 'a good long passphrase' },
    });
    expect(ok.status).toBe(200);
    expect((await t.gw.api('GET', '/api/v1/machines', { token })).status).toBe(200);
    // A viewer reads but does not act or administer.
    const act = await t.gw.api('POST', '/api/v1/machines', {
      token,
      body: { name: 'm', hostname: 'm.lan', username: 'u' },
    });
    expect(act.status).toBe(403);
    expect((await t.gw.api('GET', '/api/v1/users', { token })).status).toBe(403);
    expect((await login('vera', created.body.password)).status).toBe(401);
  });

  it('an admin may set the initial password instead (policy applies, not returned, still changed at first login)', async () => {
    const weak = await t.gw.api('POST', '/api/v1/users', {
      body: { username: 'ivan', role: 'operator', password: 'ivan' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.errors[0].field).toBe('password');
    const created = await t.gw.api('POST', '/api/v1/users', {
      body: { username: 'ivan', role: 'operator', password: 'set by the admin 1' },
    });
    expect(created.status).toBe(201);
    expect(created.body.password).toBeUndefined();
    const first = await login('ivan', 'set by the admin 1');
    expect(first.body.user).toMatchObject({ scopes: ['operate'], mustChangePassword: true });
  });

  it('an admin changes a role (it takes effect on the next request) and deactivates a user (sessions end)', async () => {
    const otto = await readyUser('otto', 'viewer');
    const asOtto = (method: string, path: string, body?: unknown) =>
      t.gw.api(method, path, { token: otto.token, ...(body ? { body } : {}) });
    const machine = { name: 'otto-box', hostname: 'otto.lan', username: 'u' };
    expect((await asOtto('POST', '/api/v1/machines', machine)).status).toBe(403);
    const promoted = await t.gw.api('PATCH', `/api/v1/users/${otto.id}`, { body: { role: 'operator' } });
    expect(promoted.status).toBe(200);
    expect(promoted.body.role).toBe('operator');
    expect((await asOtto('GET', '/api/v1/auth/me')).body.scopes).toEqual(['operate']);
    expect((await asOtto('POST', '/api/v1/users', { username: 'x', role: 'admin' })).status).toBe(403);
    expect((await t.gw.api('PATCH', `/api/v1/users/${otto.id}`, { body: { role: 'root' } })).status).toBe(400);

    const off = await t.gw.api('POST', `/api/v1/users/${otto.id}/deactivate`);
    expect(off.status).toBe(200);
    expect(off.body.isActive).toBe(false);
    expect((await asOtto('GET', '/api/v1/auth/me')).status).toBe(401);
    expect((await login('otto', otto.password)).status).toBe(401);
  });

  it('the last active admin can neither be demoted nor deactivate themself; usernames are unique', async () => {
    const me = (await t.gw.api('GET', '/api/v1/auth/me')).body;
    const demote = await t.gw.api('PATCH', `/api/v1/users/${me.id}`, { body: { role: 'viewer' } });
    expect(demote.status).toBe(400);
    expect(demote.body.errors[0].reasons[0]).toContain('last active admin');
    expect((await t.gw.api('POST', `/api/v1/users/${me.id}/deactivate`)).status).toBe(400);
    expect((await t.gw.api('POST', '/api/v1/users', { body: { username: 'vera', role: 'admin' } })).status).toBe(409);
    const bad = await t.gw.api('POST', '/api/v1/users', { body: { username: 'bad name\u0000', role: 'admin' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('username');
  });

  it('changing the password ends every other session of the user and keeps this one', async () => {
    const paula = await readyUser('paula', 'operator');
    const second = (await login('paula', paula.password)).body.token;
    const third = (await login('paula', paula.password)).body.token;
    const res = await t.gw.api('POST', '/api/v1/auth/password', {
      token: second,
      body: { currentPassword: paula.password, newPassword: 'paula second passphrase' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ otherSessionsEnded: 2 });
    expect((await t.gw.api('GET', '/api/v1/auth/me', { token: paula.token })).status).toBe(401);
    expect((await t.gw.api('GET', '/api/v1/auth/me', { token: third })).status).toBe(401);
    expect((await t.gw.api('GET', '/api/v1/auth/me', { token: second })).status).toBe(200);
    expect((await login('paula', paula.password)).status).toBe(401);
    expect((await login('paula', 'paula second passphrase')).status).toBe(200);
    const [ev] = await t.db.query<{ payload: unknown }>(
      `SELECT payload FROM machine_events WHERE event_type = 'user.password_changed' AND payload->>'userId' = $1`,
      [paula.id],
    );
    expect(JSON.stringify(ev)).not.toContain('passphrase');
  });

  it('sessions: list own (current flagged, no token), end one, end all others; an admin lists and ends another user’s', async () => {
    const sam = await readyUser('sam', 'viewer');
    const other = (await login('sam', sam.password)).body.token;
    const third = (await login('sam', sam.password)).body.token;
    const mine = await t.gw.api('GET', '/api/v1/auth/sessions', { token: sam.token });
    expect(mine.status).toBe(200);
    expect(mine.body).toHaveLength(3);
    expect(mine.body.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(Object.keys(mine.body[0]).sort()).toEqual(['createdAt', 'current', 'expiresAt', 'id', 'lastSeenAt']);
    for (const tok of [sam.token, other, third]) expect(mine.text).not.toContain(tok.slice(4, 20));

    const otherId = (await t.gw.api('GET', '/api/v1/auth/sessions', { token: other })).body.find(
      (s: { current: boolean }) => s.current,
    ).id;
    expect((await t.gw.api('DELETE', `/api/v1/auth/sessions/${otherId}`, { token: sam.token })).status).toBe(204);
    expect((await t.gw.api('GET', '/api/v1/auth/me', { token: other })).status).toBe(401);
    const [row] = await t.db.query<{ revoked_at: Date | null }>(`SELECT revoked_at FROM user_sessions WHERE id = $1`, [
      otherId,
    ]);
    expect(row?.revoked_at).not.toBeNull();
    // Another user's session id is not found through one's own list.
    const adminSession = (await t.gw.api('GET', '/api/v1/auth/sessions')).body[0].id;
    expect((await t.gw.api('DELETE', `/api/v1/auth/sessions/${adminSession}`, { token: sam.token })).status).toBe(404);

    const endOthers = await t.gw.api('DELETE', '/api/v1/auth/sessions', { token: sam.token });
    expect(endOthers.body).toEqual({ ended: 1 });
    expect((await t.gw.api('GET', '/api/v1/auth/me', { token: third })).status).toBe(401);

    const seen = await t.gw.api('GET', `/api/v1/users/${sam.id}/sessions`);
    expect(seen.status).toBe(200);
    expect(seen.body).toHaveLength(1);
    expect(seen.body[0].current).toBe(false);
    expect((await t.gw.api('GET', `/api/v1/users/${sam.id}/sessions`, { token: sam.token })).status).toBe(403);
    const ended = await t.gw.api('DELETE', `/api/v1/users/${sam.id}/sessions/${seen.body[0].id}`);
    expect(ended.status).toBe(204);
    expect((await t.gw.api('GET', '/api/v1/auth/me', { token: sam.token })).status).toBe(401);
  });

  it('logout with an API token answers 400 pointing to /api-clients; routes about one’s account refuse API tokens', async () => {
    const client = await t.gw.api('POST', '/api/v1/api-clients', { body: { label: 'script', scopes: ['read'] } });
    const logout = await t.gw.api('POST', '/api/v1/auth/logout', { token: client.body.token });
    expect(logout.status).toBe(400);
    expect(logout.body.detail).toContain('/api/v1/api-clients');
    expect((await t.gw.api('GET', '/api/v1/auth/me', { token: client.body.token })).status).toBe(200);
    expect((await t.gw.api('GET', '/api/v1/auth/sessions', { token: client.body.token })).status).toBe(400);
  });

  it('users are managed by people or unscoped admin tokens, never by a machine-scoped or assistant token', async () => {
    const mk = async (body: object) => (await t.gw.api('POST', '/api/v1/api-clients', { body })).body.token as string;
    const unscoped = await mk({ label: 'ops', scopes: ['admin'] });
    const scoped = await mk({ label: 'lab only', scopes: ['admin'], machineScope: { tags: ['lab'] } });
    const hermes = await mk({ label: 'assistant', scopes: ['admin'], clientKind: 'hermes' });
    const newUser = { username: 'escalate', role: 'admin' };
    expect((await t.gw.api('GET', '/api/v1/users', { token: unscoped })).status).toBe(200);
    for (const token of [scoped, hermes])
      expect((await t.gw.api('POST', '/api/v1/users', { token, body: newUser })).status).toBe(403);
    // Users are fleet-level: a machine-scoped client sees none of them; the assistant may read what its scope
    // allows, never change it (ADR 0014).
    expect((await t.gw.api('GET', '/api/v1/users', { token: scoped })).status).toBe(403);
    expect((await t.gw.api('GET', '/api/v1/users', { token: hermes })).status).toBe(200);
    expect((await t.gw.api('GET', '/api/v1/users')).body.map((u: { username: string }) => u.username)).not.toContain(
      'escalate',
    );
  });

  it('TOTP: enroll (secret shown once, stored encrypted), confirm, login needs the code, replay refused, disable', async () => {
    const tina = await readyUser('tina', 'operator');
    const asTina = (method: string, path: string, body?: unknown) =>
      t.gw.api(method, path, { token: tina.token, ...(body ? { body } : {}) });
    expect((await asTina('POST', '/api/v1/auth/totp', { password: 'wrong password' })).status).toBe(400);
    const enrolled = await asTina('POST', '/api/v1/auth/totp', { password: tina.password });
    expect(enrolled.status).toBe(201);
    const secret: string = enrolled.body.secret;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolled.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/system-update:tina\?/);
    expect(enrolled.body.otpauthUri).toContain(`secret=${secret}`);
    const [row] = await t.db.query<{ totp_secret_enc: string }>(
      `SELECT totp_secret_enc FROM users WHERE username = 'tina'`,
    );
    expect(row?.totp_secret_enc).toMatch(/^v1\./);
    expect(row?.totp_secret_enc).not.toContain(secret);
    // Not confirmed yet: login still works without a code.
    expect((await login('tina', tina.password)).status).toBe(200);

    await awayFromStepEnd(10);
    const step = currentStep();
    expect((await asTina('POST', '/api/v1/auth/totp/confirm', { code: totpCode(secret, step + 5) })).status).toBe(400);
    expect((await asTina('POST', '/api/v1/auth/totp/confirm', { code: totpCode(secret, step - 1) })).status).toBe(204);

    const missing = await login('tina', tina.password);
    expect(missing.status).toBe(401);
    expect(missing.body.reason).toBe('totp_required');
    const wrongCode = await login('tina', tina.password, totpCode(secret, step + 5));
    expect(wrongCode.status).toBe(401);
    expect(wrongCode.body.reason).toBe('totp_invalid');
    // A right code with a wrong password says nothing about the code.
    const wrongPassword = await login('tina', 'not tina password', totpCode(secret, step));
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body.reason).toBeUndefined();
    const ok = await login('tina', tina.password, totpCode(secret, step));
    expect(ok.status).toBe(200);
    const replay = await login('tina', tina.password, totpCode(secret, step));
    expect(replay.status).toBe(401);
    expect(replay.body.reason).toBe('totp_invalid');

    expect((await asTina('POST', '/api/v1/auth/totp', { password: tina.password })).status).toBe(409);
    const disabled = await asTina('POST', '/api/v1/auth/totp/disable', {
      password: tina.password,
      code: totpCode(secret, step + 1),
    });
    expect(disabled.status).toBe(204);
    expect((await login('tina', tina.password)).status).toBe(200);
    const types = await t.db.query<{ event_type: string }>(
      `SELECT event_type FROM machine_events WHERE payload->>'userId' = $1 AND event_type LIKE 'user.totp%' ORDER BY created_at`,
      [tina.id],
    );
    expect(types.map((e) => e.event_type)).toEqual(['user.totp_enabled', 'user.totp_disabled']);
    expect(CapturingLogger.lines.join('\n')).not.toContain(secret);
  }, 60_000);

  it('offline reset: new generated password (must change), sessions ended, second factor cleared, audited', async () => {
    const rita = await readyUser('rita', 'admin');
    const secret = (
      await t.gw.api('POST', '/api/v1/auth/totp', { token: rita.token, body: { password: rita.password } })
    ).body.secret as string;
    await awayFromStepEnd(5);
    const confirm = await t.gw.api('POST', '/api/v1/auth/totp/confirm', {
      token: rita.token,
      body: { code: totpCode(secret, currentStep()) },
    });
    expect(confirm.status).toBe(204);

    const conn = Database.connect({ url: t.db.url, maxConnections: 2 });
    const reset = await resetPasswordOffline(conn, { username: 'rita', clearTotp: true }).finally(() => conn.close());
    expect(reset.password).toMatch(/^\S{20}$/);
    expect(reset.sessionsEnded).toBe(1);
    expect((await t.gw.api('GET', '/api/v1/auth/me', { token: rita.token })).status).toBe(401);
    expect((await login('rita', rita.password)).status).toBe(401);
    const relogin = await login('rita', reset.password);
    expect(relogin.status).toBe(200);
    expect(relogin.body.user.mustChangePassword).toBe(true);
    expect((await t.gw.api('GET', '/api/v1/machines', { token: relogin.body.token })).status).toBe(403);
    const [ev] = await t.db.query<{ actor_id: string; message: string; payload: unknown }>(
      `SELECT actor_id, message, payload FROM machine_events WHERE event_type = 'user.password_reset'`,
    );
    expect(ev).toMatchObject({ actor_id: 'offline-reset' });
    expect(JSON.stringify(ev)).not.toContain(reset.password);

    const conn2 = Database.connect({ url: t.db.url, maxConnections: 2 });
    await expect(resetPasswordOffline(conn2, { username: 'nobody', clearTotp: false })).rejects.toThrow(
      'no user named "nobody"',
    );
    await conn2.close();
  });

  it('without SU_TRUST_PROXY a client cannot pick its address with X-Forwarded-For (throttling keys on the socket)', async () => {
    const res = await fetch(`${t.gw.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.9.9.9' },
      body: JSON.stringify({ username: 'admin', password: t.gw.adminPassword }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const addresses = await t.db.query<{ address: string }>(
      `SELECT payload->>'address' AS address FROM machine_events WHERE event_type = 'auth.login_succeeded'`,
    );
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.map((a) => a.address)).not.toContain('10.9.9.9');
  });

  it('every account route is in the OpenAPI document', async () => {
    const doc = await t.gw.api('GET', '/api/docs-json', { token: null });
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/password',
        '/api/v1/auth/sessions',
        '/api/v1/auth/sessions/{id}',
        '/api/v1/auth/totp',
        '/api/v1/auth/totp/confirm',
        '/api/v1/auth/totp/disable',
        '/api/v1/users',
        '/api/v1/users/{id}',
        '/api/v1/users/{id}/deactivate',
        '/api/v1/users/{id}/sessions',
        '/api/v1/users/{id}/sessions/{sessionId}',
      ]),
    );
  });

  it('the test TOTP helper matches the RFC 6238 test vector', () => {
    // Secret "12345678901234567890" (base32 below), T = 59 s: 94287082 in 8 digits, so 287082 in 6.
    expect(totpCode('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 1)).toBe('287082');
  });
});
