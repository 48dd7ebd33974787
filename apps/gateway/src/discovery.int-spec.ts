import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sseFrames } from '@su/testing';
import { gatewayPerFile } from './test/gateway.harness.ts';

// Network discovery (issue 20) without the lab: validation, who may scan, and the allow-list, against a loopback
// listener that counts every connection it gets — a refused scan must not reach it at all.

const t = gatewayPerFile();

/** A TCP listener on 127.0.0.1 that says it is an SSH server (identification line only) and counts connections. */
interface CountingListener {
  port: number;
  connections: number;
  close: () => Promise<void>;
}

async function countingListener(): Promise<CountingListener> {
  const sockets = new Set<Socket>();
  const l = { port: 0, connections: 0 } as CountingListener;
  const server: Server = createServer((s) => {
    l.connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.write('SSH-2.0-CountingListener_1.0\r\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  l.port = (server.address() as { port: number }).port;
  l.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return l;
}

const SETTINGS = {
  allowedCidrs: [] as string[],
  maxAddresses: 1024,
  concurrency: 8,
  connectsPerSecond: 50,
  connectTimeoutMs: 1000,
  reverseDns: true,
};

async function setAllowList(allowedCidrs: string[], extra: Partial<typeof SETTINGS> = {}) {
  const r = await t.gw.api('PUT', '/api/v1/discovery/settings', { body: { ...SETTINGS, ...extra, allowedCidrs } });
  expect(r.status).toBe(200);
}

async function waitScan(id: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = (await t.gw.api('GET', `/api/v1/discovery/scans/${id}`)).body;
    if (s.status !== 'running' || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface SeenEvent {
  type: string;
  jobId: string | null;
  payload: { status: string; probed: number; total: number; scanId: string };
}

/** Collects the live events a token's SSE stream delivers. */
function watchEvents(token: string) {
  const seen: SeenEvent[] = [];
  const ctrl = new AbortController();
  void fetch(`${t.gw.base}/api/v1/events/stream`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: ctrl.signal,
  })
    .then(async (res) => {
      for await (const frame of sseFrames(res.body!)) if (frame.data) seen.push(JSON.parse(frame.data) as SeenEvent);
    })
    .catch(() => undefined);
  const progress = () => seen.filter((e) => e.type === 'discovery.progress').map((e) => e.payload);
  return { seen, progress, close: () => ctrl.abort() };
}

describe('network discovery', () => {
  let listener: CountingListener;
  let operateToken: string;
  let readToken: string;

  beforeAll(async () => {
    listener = await countingListener();
    const c = await t.gw.api('POST', '/api/v1/api-clients', { body: { label: 'ops', scopes: ['operate'] } });
    operateToken = c.body.token;
    const r = await t.gw.api('POST', '/api/v1/api-clients', { body: { label: 'viewer', scopes: ['read'] } });
    readToken = r.body.token;
  });
  afterAll(() => listener?.close());

  it('is off until an admin allows a block: a scan is refused with 403 and nothing is sent', async () => {
    expect((await t.gw.api('GET', '/api/v1/discovery/settings')).body.allowedCidrs).toEqual([]);
    const r = await t.gw.api('POST', '/api/v1/discovery/scans', {
      body: { cidr: '127.0.0.1/32', ports: [listener.port] },
    });
    expect(r.status).toBe(403);
    expect(r.body.detail ?? r.body.message).toMatch(/allow-list/);
    expect((await t.gw.api('GET', '/api/v1/discovery/scans')).body).toEqual([]);
    await new Promise((res) => setTimeout(res, 300));
    expect(listener.connections).toBe(0);
  });

  it('only an admin sets the allow-list or scans', async () => {
    const body = { ...SETTINGS, allowedCidrs: ['127.0.0.1/32'] };
    for (const token of [operateToken, null]) {
      const want = token ? 403 : 401;
      expect((await t.gw.api('PUT', '/api/v1/discovery/settings', { token, body })).status).toBe(want);
      expect((await t.gw.api('GET', '/api/v1/discovery/settings', { token })).status).toBe(want);
      expect(
        (await t.gw.api('POST', '/api/v1/discovery/scans', { token, body: { cidr: '127.0.0.1/32' } })).status,
      ).toBe(want);
      expect((await t.gw.api('GET', '/api/v1/discovery/scans', { token })).status).toBe(want);
    }
    expect((await t.gw.api('GET', '/api/v1/discovery/settings')).body.allowedCidrs).toEqual([]);
    expect(listener.connections).toBe(0);
  });

  it('names the bad field and never repeats its value', async () => {
    const hostile = '10.0.0.0/8<script>';
    const cases: [string, string, unknown, string][] = [
      ['PUT', '/api/v1/discovery/settings', { ...SETTINGS, allowedCidrs: [hostile] }, 'allowedCidrs'],
      ['PUT', '/api/v1/discovery/settings', { ...SETTINGS, concurrency: 0 }, 'concurrency'],
      ['PUT', '/api/v1/discovery/settings', { ...SETTINGS, maxAddresses: 1_000_000 }, 'maxAddresses'],
      ['POST', '/api/v1/discovery/scans', { cidr: hostile }, 'cidr'],
      ['POST', '/api/v1/discovery/scans', { cidr: '::1/128' }, 'cidr'],
      ['POST', '/api/v1/discovery/scans', { cidr: '127.0.0.1/32', ports: [0] }, 'ports'],
      ['POST', '/api/v1/discovery/scans', { cidr: '127.0.0.1/32', ports: [22, 22] }, 'ports'],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await t.gw.api(method, path, { body });
      expect(r.status, `${field}`).toBe(400);
      expect(JSON.stringify(r.body.errors.map((e: { field: string }) => e.field))).toContain(field);
      expect(r.text).not.toContain('<script>');
    }
    expect(listener.connections).toBe(0);
  });

  it('refuses a block only partly inside the allow-list, and one larger than the size cap', async () => {
    await setAllowList(['127.0.0.1/32', '10.255.0.0/16'], { maxAddresses: 1024 });
    const partly = await t.gw.api('POST', '/api/v1/discovery/scans', {
      body: { cidr: '127.0.0.0/30', ports: [listener.port] },
    });
    expect(partly.status).toBe(403);
    const big = await t.gw.api('POST', '/api/v1/discovery/scans', { body: { cidr: '10.255.0.0/21' } });
    expect(big.status).toBe(400);
    expect(big.body.errors[0].field).toBe('cidr');
    expect(big.body.errors[0].reasons[0]).toMatch(/2046 addresses; the largest scan allowed is 1024/);
    expect((await t.gw.api('GET', '/api/v1/discovery/scans')).body).toEqual([]);
    expect(listener.connections).toBe(0);
  });

  it('scans an allowed block: the open port is a candidate with its banner and name, progress comes live to admins only', async () => {
    await setAllowList(['127.0.0.1/32']);
    const events = watchEvents(t.gw.adminToken);
    const reader = watchEvents(readToken);
    await new Promise((r) => setTimeout(r, 200));
    const r = await t.gw.api('POST', '/api/v1/discovery/scans', {
      body: { cidr: '127.0.0.1', ports: [listener.port] },
    });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ cidr: '127.0.0.1/32', ports: [listener.port], status: 'running', total: 1 });
    const done = await waitScan(r.body.id);
    expect(done).toMatchObject({ status: 'done', probed: 1, found: 1 });
    expect(listener.connections).toBe(1);

    const cands = (await t.gw.api('GET', `/api/v1/discovery/scans/${r.body.id}/candidates`)).body;
    expect(cands).toHaveLength(1);
    expect(cands[0]).toMatchObject({
      host: '127.0.0.1',
      port: listener.port,
      service: 'ssh',
      banner: 'SSH-2.0-CountingListener_1.0',
      hostKeyFingerprint: null,
      reverseDns: 'localhost',
      alreadyKnown: false,
    });
    const deadline = Date.now() + 10_000;
    while (!events.progress().some((e) => e.scanId === r.body.id && e.status === 'done') && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 20));
    events.close();
    expect(events.progress().find((e) => e.scanId === r.body.id && e.status === 'done')).toMatchObject({
      probed: 1,
      total: 1,
    });
    // A read-only client's stream passes over them: once it has an event sent after the scan ended (a stream
    // delivers in order), it has gone past every progress event of the scan without showing one.
    const selftest = (await t.gw.api('POST', '/api/v1/system/selftest', { body: {} })).body.id as string;
    await t.gw.waitJob(selftest);
    const readerDeadline = Date.now() + 10_000;
    while (!reader.seen.some((e) => e.jobId === selftest) && Date.now() < readerDeadline)
      await new Promise((res) => setTimeout(res, 20));
    reader.close();
    expect(reader.seen.some((e) => e.jobId === selftest)).toBe(true);
    expect(reader.progress()).toEqual([]);

    // A candidate that showed no host key cannot be added in one step (nothing to pre-trust).
    const add = await t.gw.api('POST', `/api/v1/discovery/scans/${r.body.id}/candidates/${cands[0].id}/machine`, {
      body: { name: 'no-key', username: 'admin' },
    });
    expect(add.status).toBe(409);
    expect((await t.gw.api('GET', '/api/v1/machines')).body.items).toEqual([]);
  });

  it('answers 404 for scans and candidates that do not exist', async () => {
    const none = '00000000-0000-4000-8000-00000000d15c';
    expect((await t.gw.api('GET', `/api/v1/discovery/scans/${none}`)).status).toBe(404);
    expect((await t.gw.api('GET', `/api/v1/discovery/scans/${none}/candidates`)).status).toBe(404);
    const add = await t.gw.api('POST', `/api/v1/discovery/scans/${none}/candidates/${none}/machine`, {
      body: { name: 'x', username: 'admin' },
    });
    expect(add.status).toBe(404);
  });
});
