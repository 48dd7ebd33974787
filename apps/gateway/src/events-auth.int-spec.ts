import { describe, expect, it } from 'vitest';
import { createTestDatabase, sseFrames } from '@su/testing';
import { gatewayPerFile, startGateway } from './test/gateway.harness.ts';

/*
 * The live-event stream and the end of its token (issue 9, ADR 0014): it ends when the token or session ends — by any
 * path, since the database drives it — it shows a scoped client only its machines, and a comment keeps it alive.
 */

// A short keepalive so the test sees several without waiting 25 s (the default).
const t = gatewayPerFile({ SU_SSE_KEEPALIVE_SECONDS: '0.2' });
const api = (...a: Parameters<typeof t.gw.api>) => t.gw.api(...a);

interface Stream {
  events: { type: string; machineId: string | null; jobId: string | null }[];
  comments: number;
  /** Date.now() when the server ended the response (null while open). */
  endedAt: number | null;
  status: number;
  close: () => void;
}

/** Opens the stream and reads it until the server ends it or the test closes it. */
async function open(token: string): Promise<Stream> {
  const ctrl = new AbortController();
  const res = await fetch(`${t.gw.base}/api/v1/events/stream`, {
    headers: { authorization: `Bearer ${token}` },
    signal: ctrl.signal,
  });
  const s: Stream = { events: [], comments: 0, endedAt: null, status: res.status, close: () => ctrl.abort() };
  if (res.status !== 200) return s;
  void (async () => {
    try {
      for await (const f of sseFrames(res.body!)) {
        // A comment line (the keepalive) frames no field.
        if (f.id === undefined && f.event === undefined && f.data === undefined) s.comments++;
        if (f.data) s.events.push(JSON.parse(f.data));
      }
      s.endedAt = Date.now();
    } catch {
      // aborted by the test
    }
  })();
  return s;
}

async function until(cond: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return cond();
}

async function apiClient(label: string, extra: Record<string, unknown> = {}) {
  const res = await api('POST', '/api/v1/api-clients', { body: { label, scopes: ['read'], ...extra } });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string; token: string };
}

async function login(): Promise<{ token: string; sessionId: string }> {
  const res = await api('POST', '/api/v1/auth/login', {
    token: null,
    body: { username: 'admin', password: t.gw.adminPassword },
  });
  const [s] = await t.db.query<{ id: string }>(`SELECT id FROM user_sessions ORDER BY created_at DESC LIMIT 1`);
  return { token: res.body.token, sessionId: s!.id };
}

/** Ends the stream's token with `end`, and returns how long the stream took to close (asserted within 5 s). */
async function closesAfter(s: Stream, end: () => Promise<unknown>, what: string): Promise<number> {
  expect(s.status).toBe(200);
  await new Promise((r) => setTimeout(r, 100));
  expect(s.endedAt, `${what}: the stream is open before`).toBeNull();
  const t0 = Date.now();
  await end();
  const closed = await until(() => s.endedAt !== null, 5000);
  s.close();
  expect(closed, `${what}: the stream closed`).toBe(true);
  const ms = s.endedAt! - t0;
  console.log(`SSE closed ${ms} ms after: ${what}`);
  return ms;
}

describe('live-event stream and the end of its token', () => {
  it('closes the open stream of a revoked API token', async () => {
    const c = await apiClient('watcher');
    const s = await open(c.token);
    await closesAfter(s, () => api('DELETE', `/api/v1/api-clients/${c.id}`), 'API token revoked');
    expect((await open(c.token)).status).toBe(401);
  });

  it('closes the stream of a logged-out session, and of a session ended in the database by any path', async () => {
    const a = await login();
    const sa = await open(a.token);
    await closesAfter(sa, () => api('POST', '/api/v1/auth/logout', { token: a.token }), 'session logged out');

    // An admin ending a session, a password change: whatever the route, it sets revoked_at.
    const b = await login();
    const sb = await open(b.token);
    await closesAfter(
      sb,
      () => t.db.query(`UPDATE user_sessions SET revoked_at = now() WHERE id = $1`, [b.sessionId]),
      'session revoked in the database',
    );
  });

  it('closes the stream when its token expires', async () => {
    const c = await apiClient('expiring', { expiresInDays: 1 });
    const s = await open(c.token);
    await closesAfter(
      s,
      () => t.db.query(`UPDATE api_clients SET expires_at = now() + interval '300 milliseconds' WHERE id = $1`, [c.id]),
      'API token expired (300 ms after the change)',
    );
    const session = await login();
    await t.db.query(`UPDATE user_sessions SET expires_at = now() + interval '2 seconds' WHERE id = $1`, [
      session.sessionId,
    ]);
    // Opened after the change: the stream arms its timer from the expiry it authenticated with.
    const ss = await open(session.token);
    await closesAfter(ss, async () => undefined, 'session expired (timer armed at open, 2 s)');
  });

  it('ends open streams when the gateway stops, so they do not hold its shutdown', async () => {
    const db = await createTestDatabase();
    const second = await startGateway(db, { SU_SSE_KEEPALIVE_SECONDS: '0.2' });
    const ctrl = new AbortController();
    const res = await fetch(`${second.base}/api/v1/events/stream`, {
      headers: { authorization: `Bearer ${second.adminToken}` },
      signal: ctrl.signal,
    });
    expect(res.status).toBe(200);
    const reading = (async () => {
      const reader = res.body!.getReader();
      while (!(await reader.read()).done);
      return 'ended';
    })();
    const t0 = Date.now();
    await second.close();
    console.log(`gateway with an open stream stopped in ${Date.now() - t0} ms`);
    expect(await Promise.race([reading, new Promise((r) => setTimeout(() => r('still open'), 5000))])).toBe('ended');
    ctrl.abort();
    await db.drop();
  });

  it('stays open for other tokens, sends a keepalive comment, and shows a scoped client only its machines', async () => {
    const inside = await api('POST', '/api/v1/machines', {
      body: { name: 'sse-web', hostname: '127.0.0.1', port: 1, username: 'admin', tags: ['web'] },
    });
    const outside = await api('POST', '/api/v1/machines', {
      body: { name: 'sse-db', hostname: '127.0.0.1', port: 1, username: 'admin', tags: ['db'] },
    });
    const scoped = await apiClient('web only', { machineScope: { tags: ['web'] } });
    const other = await apiClient('bystander');
    const s = await open(scoped.token);
    const all = await open(t.gw.adminToken);
    const bystander = await open(other.token);
    try {
      await t.gw.stopWorker();
      const act = async (m: string) => {
        const j = await api('POST', `/api/v1/machines/${m}/actions`, { body: { action: 'apt_clean' } });
        expect(j.status, j.text).toBe(201);
        return j.body.id as string;
      };
      // Out of scope first, the in-scope one last: a stream delivers in order, so once the scoped stream has the
      // last event, it has already passed over the others.
      const out = await act(outside.body.id);
      const selftest = (await api('POST', '/api/v1/system/selftest', { body: {} })).body.id as string;
      const inJob = await act(inside.body.id);
      const saw = (st: Stream, id: string) => st.events.some((e) => e.jobId === id);
      expect(await until(() => saw(all, out) && saw(all, selftest) && saw(all, inJob))).toBe(true);
      expect(await until(() => saw(s, inJob))).toBe(true);
      expect(saw(s, out)).toBe(false);
      expect(saw(s, selftest)).toBe(false);
      expect(s.events.every((e) => e.machineId === inside.body.id)).toBe(true);

      expect(await until(() => s.comments >= 2)).toBe(true);
      // Revoking one client leaves the others' streams open.
      await api('DELETE', `/api/v1/api-clients/${scoped.id}`);
      expect(await until(() => s.endedAt !== null)).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      expect(all.endedAt).toBeNull();
      expect(bystander.endedAt).toBeNull();
    } finally {
      s.close();
      all.close();
      bystander.close();
      await t.gw.restartWorker();
    }
  });
});
