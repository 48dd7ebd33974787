import { describe, expect, it } from 'vitest';
import { CapturingLogger, gatewayPerFile } from './test/gateway.harness.ts';
import { casesOf, operationsOf, type HostileCase, type Ids, type OpenApiDoc } from './test/hostile-cases.ts';

/*
 * Acceptance (issue 9): every operation of the OpenAPI document, fetched from the running gateway (so routes added
 * later are walked without a change here), gets hostile input in each parameter, body field and header it reads —
 * NUL bytes, 10,000-deep JSON, nulls, 1e308 and 2^63, 100 KB strings, wrong types, unknown fields — as the admin, and
 * unauthenticated where the route is public. No answer may be a 5xx, and no answer or log line may quote the input.
 */

const t = gatewayPerFile();

interface Answer {
  status: number;
  text: string;
}

async function firstOfStream(body: ReadableStream<Uint8Array>, ms: number): Promise<string> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const timeUp = new Promise<null>((r) => setTimeout(() => r(null), ms));
  let text = '';
  for (;;) {
    const chunk = await Promise.race([reader.read(), timeUp]);
    if (!chunk || chunk.done) return text;
    text += chunk.value;
  }
}

async function send(c: HostileCase, token: string | null): Promise<Answer> {
  const headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...c.headers };
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), 20_000);
  try {
    const res = await fetch(`${t.gw.base}${c.url}`, {
      method: c.method,
      headers,
      ...(c.body === undefined ? {} : { body: c.body }),
      signal: ctrl.signal,
    });
    // An event stream that opened stays open: what it sends in its first half second is the answer.
    if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      const text = await firstOfStream(res.body!, 500);
      ctrl.abort();
      return { status: res.status, text };
    }
    return { status: res.status, text: await res.text() };
  } finally {
    clearTimeout(timer);
  }
}

async function fixtures(): Promise<Ids> {
  const { api } = t.gw;
  const created = async (path: string, body: unknown) => {
    const res = await api('POST', path, { body });
    expect(res.status, `${path}: ${res.text}`).toBe(201);
    return res.body.id as string;
  };
  const machine = await created('/api/v1/machines', {
    name: 'hostile-fixture',
    hostname: '127.0.0.1',
    port: 9,
    username: 'admin',
    tags: ['fixture'],
  });
  return {
    machine,
    job: await created('/api/v1/system/selftest', {}),
    schedule: await created('/api/v1/schedules', {
      name: 'fixture',
      cron: '0 3 * * *',
      scope: { all: true },
      actions: ['apt_update_analyze'],
      enabled: false,
    }),
    apiClient: await created('/api/v1/api-clients', { label: 'fixture', scopes: ['read'] }),
    actionRequest: await created('/api/v1/action-requests', { machineId: machine, action: 'apt_clean' }),
    other: '00000000-0000-4000-8000-000000000000',
  };
}

describe('hostile input over every operation of the OpenAPI document', () => {
  it('answers no 5xx and quotes no input back, in a response or in the log', async () => {
    const doc = (await t.gw.api('GET', '/api/docs-json', { token: null })).body as OpenApiDoc;
    const ids = await fixtures();
    let token = t.gw.adminToken;
    // A case may end the admin's session (logout, and whatever ends sessions later): log in again when it did.
    const adminToken = async () => {
      if ((await t.gw.api('GET', '/api/v1/auth/me', { token })).status === 200) return token;
      const login = await t.gw.api('POST', '/api/v1/auth/login', {
        token: null,
        body: { username: 'admin', password: t.gw.adminPassword },
      });
      expect(login.status, login.text).toBe(200);
      token = login.body.token as string;
      return token;
    };
    const failures: string[] = [];
    const logStart = CapturingLogger.lines.length;
    const ops = operationsOf(doc);
    let sent = 0;
    for (const o of ops) {
      const cases = casesOf(doc, o, ids);
      expect(cases.length, `${o.method} ${o.path} got no hostile case`).toBeGreaterThan(0);
      const principals: (string | null)[] = [await adminToken()];
      if (!o.op.security?.length) principals.push(null);
      for (const principal of principals) {
        for (const c of cases) {
          const res = await send(c, principal === null ? null : await adminToken());
          sent++;
          const who = principal === null ? 'unauthenticated' : 'admin';
          if (res.status >= 500) failures.push(`${c.operation} — ${c.what} (${who}): ${res.status}`);
          // An event stream's own way to say 500.
          if (/^event: error$/m.test(res.text)) failures.push(`${c.operation} — ${c.what} (${who}): event: error`);
          if (c.marker && res.text.includes(c.marker))
            failures.push(`${c.operation} — ${c.what} (${who}): the answer (${res.status}) quotes the input`);
        }
      }
    }
    const log = CapturingLogger.lines.slice(logStart);
    for (const line of log) {
      if (/ZZHOSTILE\d{5}ZZ/.test(line)) failures.push(`a log line quotes the input: ${line.slice(0, 200)}`);
      if (/^error \[(HttpErrors|ExceptionsHandler)\]/.test(line))
        failures.push(`a request failed: ${line.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    // The walk really walked: every operation of the document, and a good many requests.
    expect(ops.length).toBeGreaterThan(40);
    expect(sent).toBeGreaterThan(1000);
  }, 600_000);
});
