import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { gatewayPerFile } from './test/gateway.harness.ts';

/*
 * The HTTP edge (libs/http) over real HTTP: one error format (RFC 9457) from every source, 405 with Allow, bodies
 * capped in size and depth before parsing, NUL and null refused by field, no input quoted back, security headers and
 * no-store on every answer; and the small correctness items of issue 9 (ranges, job summaries, deleted machines).
 */

const t = gatewayPerFile();

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors: { field: string; reasons: string[] }[];
}

interface Raw {
  status: number;
  headers: Headers;
  text: string;
  body: Problem;
}

async function raw(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(`${t.gw.base}${path}`, {
    method,
    headers: { authorization: `Bearer ${t.gw.adminToken}`, ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : null;
  return { status: res.status, headers: res.headers, text, body: json } as Raw;
}

const json = { 'content-type': 'application/json' };

/** What the server answers to bytes no HTTP client would send. */
function rawSocket(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(t.gw.base).port), '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

function expectProblem(res: Raw, status: number) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    type: 'about:blank',
    status,
    title: expect.any(String),
    detail: expect.any(String),
  });
}

async function machine(name: string, extra: object = {}) {
  const res = await t.gw.api('POST', '/api/v1/machines', {
    body: { name, hostname: '127.0.0.1', port: 9, username: 'admin', ...extra },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

describe('one error format', () => {
  it('answers problem details from the guard, the validation pipe, ParseUUIDPipe, a handler and an unknown route', async () => {
    const noToken = await raw('GET', '/api/v1/machines', { headers: { authorization: '' } });
    expectProblem(noToken, 401);
    expect(noToken.headers.get('www-authenticate')).toBe('Bearer');
    const invalid = await raw('POST', '/api/v1/machines', { headers: json, body: JSON.stringify({ port: 'x' }) });
    expectProblem(invalid, 400);
    expect(invalid.body.errors.map((e) => e.field)).toEqual(
      expect.arrayContaining(['name', 'hostname', 'port', 'username']),
    );
    expectProblem(await raw('GET', '/api/v1/machines/not-a-uuid'), 400);
    const missing = await raw('GET', '/api/v1/machines/00000000-0000-4000-8000-000000000000');
    expectProblem(missing, 404);
    expect(missing.body.detail).toBe('machine 00000000-0000-4000-8000-000000000000 not found');
    const unknown = await raw('GET', '/api/v1/no-such-thing-QUOTEME');
    expectProblem(unknown, 404);
    expect(unknown.text).not.toContain('QUOTEME');
  });

  it('answers problem details for what Express and Node refuse before any route: bad percent-encoding, huge headers', async () => {
    const encoding = await raw('GET', '/api/v1/machines/%FFQUOTEME');
    expectProblem(encoding, 400);
    expect(encoding.text).not.toContain('QUOTEME');
    const nulInPath = await raw('GET', '/api/v1/machines/%00QUOTEME');
    expectProblem(nulInPath, 400);
    expect(nulInPath.body.errors).toEqual([{ field: 'id', reasons: ['id must not contain a NUL character'] }]);
    // A NUL byte in a header (Last-Event-ID, Authorization) cannot pass Node's parser; fetch will not even send one.
    const nulHeader = await rawSocket(
      `GET /api/v1/events/stream HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 1\0QUOTEME\r\n\r\n`,
    );
    expect(nulHeader).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(nulHeader).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/);
    expect(nulHeader).not.toContain('QUOTEME');
    const headers = await raw('GET', '/api/v1/machines', { headers: { 'x-big': 'x'.repeat(100_000) } });
    expectProblem(headers, 431);
    expect(headers.headers.get('cache-control')).toBe('no-store');
  });

  it('declares the format in the OpenAPI document, on every operation', async () => {
    const doc = (await t.gw.api('GET', '/api/docs-json', { token: null })).body;
    expect(doc.components.schemas.ProblemDetails.required).toEqual(['type', 'title', 'status', 'detail']);
    type Op = { responses: { default: { content: Record<string, { schema: { $ref: string } }> } } };
    const ops = Object.values(doc.paths as Record<string, Record<string, Op>>).flatMap((item) => Object.values(item));
    expect(ops.length).toBeGreaterThan(40);
    for (const op of ops)
      expect(op.responses.default.content['application/problem+json']?.schema.$ref).toBe(
        '#/components/schemas/ProblemDetails',
      );
  });

  it('answers 405 with Allow for a wrong method on an existing path', async () => {
    const login = await raw('GET', '/api/v1/auth/login');
    expectProblem(login, 405);
    expect(login.headers.get('allow')).toBe('POST');
    const one = await raw('POST', '/api/v1/machines/00000000-0000-4000-8000-000000000000');
    expectProblem(one, 405);
    expect(one.headers.get('allow')).toBe('DELETE, GET, HEAD, PATCH');
  });

  it('never quotes the body back: invalid JSON, a NUL byte, an odd property name, an unknown time zone', async () => {
    const password = 'Secret-Password-123';
    const broken = await raw('POST', '/api/v1/auth/login', {
      headers: json,
      body: `{"username":"admin","password":${password}}`,
    });
    expectProblem(broken, 400);
    expect(broken.body.detail).toBe('the request body is not valid JSON');
    expect(broken.text).not.toMatch(/Secret|Password-123/);
    const nul = await raw('POST', '/api/v1/auth/login', {
      headers: json,
      body: JSON.stringify({ username: 'adm\u0000in-QUOTEME', password: 'x' }),
    });
    expectProblem(nul, 400);
    expect(nul.body.errors).toEqual([{ field: 'username', reasons: ['username must not contain a NUL character'] }]);
    expect(nul.text).not.toContain('QUOTEME');
    const odd = await raw('POST', '/api/v1/auth/login', {
      headers: json,
      body: JSON.stringify({ username: 'admin', password: 'x', '<QUOTEME>': 1, admin: true }),
    });
    expectProblem(odd, 400);
    expect(odd.body.errors).toEqual([
      { field: '(unnamed property)', reasons: ['property (unnamed property) should not exist'] },
      { field: 'admin', reasons: ['property admin should not exist'] },
    ]);
    const tz = await t.gw.api('POST', '/api/v1/schedules', {
      body: { name: 's', cron: '0 3 * * *', timezone: 'Mars/QUOTEME', scope: { all: true }, actions: ['apt_clean'] },
    });
    expect(tz.status).toBe(400);
    expect(tz.text).not.toContain('QUOTEME');
    const cron = await t.gw.api('POST', '/api/v1/schedules', {
      body: { name: 's', cron: '0 QUOTEME * * *', scope: { all: true }, actions: ['apt_clean'] },
    });
    expect(cron.body.errors).toEqual([
      { field: 'cron', reasons: [expect.stringMatching(/^invalid cron: the hour field must be/)] },
    ]);
    expect(cron.text).not.toContain('QUOTEME');
  });
});

describe('request bodies', () => {
  it('refuses a body nested 10,000 deep before parsing it (400), also on the public login', async () => {
    const deep = `{"username":${'['.repeat(10_000)}${']'.repeat(10_000)},"password":"x"}`;
    const res = await raw('POST', '/api/v1/auth/login', { headers: json, body: deep });
    expectProblem(res, 400);
    expect(res.body.detail).toBe('the request body nests objects and arrays too deeply');
    // Brackets inside strings are text, not nesting.
    const text = await raw('POST', '/api/v1/auth/login', {
      headers: json,
      body: JSON.stringify({ username: '['.repeat(100), password: 'x' }),
    });
    expect(text.status).toBe(400);
    expect(text.body.errors.map((e) => e.field)).toEqual(['username']);
  });

  it('refuses a body over 1 MB (413) and a body that is not JSON (415)', async () => {
    const big = await raw('POST', '/api/v1/auth/login', {
      headers: json,
      body: JSON.stringify({ username: 'admin', password: 'x'.repeat(1_100_000) }),
    });
    expectProblem(big, 413);
    const form = await raw('POST', '/api/v1/auth/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=admin&password=x',
    });
    expectProblem(form, 415);
    const latin1 = await raw('POST', '/api/v1/auth/login', {
      headers: { 'content-type': 'application/json; charset=latin1' },
      body: '{}',
    });
    expectProblem(latin1, 415);
  });

  it('refuses null in a body with 400 naming the field (enabled: null no longer means enabled)', async () => {
    const id = await machine('nulls');
    const patch = await t.gw.api('PATCH', `/api/v1/machines/${id}`, { body: { name: null } });
    expect(patch.status).toBe(400);
    expect(patch.body.errors).toEqual([
      { field: 'name', reasons: ['name must not be null (leave it out for its default or current value)'] },
    ]);
    const schedule = await t.gw.api('POST', '/api/v1/schedules', {
      body: { name: 's', cron: '0 3 * * *', scope: { all: true }, actions: ['apt_clean'], enabled: null },
    });
    expect(schedule.status).toBe(400);
    expect(schedule.body.errors.map((e: { field: string }) => e.field)).toEqual(['enabled']);
    expect((await t.db.query('SELECT count(*)::int AS n FROM schedules'))[0].n).toBe(0);
  });

  it('caps package names and list lengths', async () => {
    const id = await machine('caps');
    const long = await t.gw.api('POST', `/api/v1/machines/${id}/actions`, {
      body: { action: 'apt_upgrade', packages: ['a'.repeat(200)] },
    });
    expect(long.status).toBe(400);
    expect(long.body.errors.map((e: { field: string }) => e.field)).toEqual(['packages']);
    const many = await t.gw.api('POST', `/api/v1/machines/${id}/actions`, {
      body: { action: 'apt_upgrade', packages: Array.from({ length: 501 }, (_, i) => `p${i}`) },
    });
    expect(many.status).toBe(400);
  });
});

describe('ranges', () => {
  it('refuses offsets beyond any list (offset=1e308, 2^63) with 400 naming offset', async () => {
    for (const path of ['/api/v1/jobs', '/api/v1/machines', '/api/v1/action-requests'])
      for (const offset of ['1e308', '9223372036854775808']) {
        const res = await raw('GET', `${path}?offset=${offset}`);
        expectProblem(res, 400);
        expect(res.body.errors.map((e) => e.field)).toEqual(['offset']);
      }
    expect((await raw('GET', '/api/v1/jobs?offset=1000000000')).status).toBe(200);
  });

  it('refuses a Last-Event-ID beyond a bigint with 400, before the stream opens', async () => {
    const over = await raw('GET', '/api/v1/events/stream', { headers: { 'last-event-id': '9223372036854775808' } });
    expectProblem(over, 400);
    expect(over.body.errors).toEqual([{ field: 'Last-Event-ID', reasons: [expect.any(String)] }]);
    const ctrl = new AbortController();
    const max = await fetch(`${t.gw.base}/api/v1/events/stream`, {
      headers: { authorization: `Bearer ${t.gw.adminToken}`, 'last-event-id': '9223372036854775807' },
      signal: ctrl.signal,
    });
    expect(max.status).toBe(200);
    expect(max.headers.get('content-type')).toMatch(/^text\/event-stream/);
    ctrl.abort();
  });
});

describe('headers', () => {
  it('sends security headers and no-store on every answer: a login, an error, a body-parser error', async () => {
    const login = await raw('POST', '/api/v1/auth/login', {
      headers: json,
      body: JSON.stringify({ username: 'admin', password: t.gw.adminPassword }),
    });
    expect(login.status).toBe(200);
    const answers = [
      login,
      await raw('GET', '/api/v1/nothing'),
      await raw('POST', '/api/v1/auth/login', { headers: json, body: '{' }),
    ];
    for (const res of answers) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
    // The OpenAPI page loads Swagger UI from its own origin.
    const docs = await raw('GET', '/api/docs');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(docs.headers.get('content-security-policy')).not.toMatch(/upgrade-insecure-requests/);
  });
});

describe('jobs and deleted machines', () => {
  it('lists jobs as summaries; the payload and result are on the job itself', async () => {
    const job = await t.gw.api('POST', '/api/v1/system/selftest', { body: { echo: 'summary' } });
    expect(job.status).toBe(201);
    await t.gw.waitJob(job.body.id);
    const list = await t.gw.api('GET', '/api/v1/jobs?limit=50');
    const item = list.body.find((j: { id: string }) => j.id === job.body.id);
    expect(item).toMatchObject({ id: job.body.id, kind: 'system.selftest', status: 'ok' });
    expect(item).not.toHaveProperty('payload');
    expect(item).not.toHaveProperty('result');
    const one = await t.gw.api('GET', `/api/v1/jobs/${job.body.id}`);
    expect(one.body.payload).toEqual({ echo: 'summary' });
    expect(one.body.result).not.toBeNull();
  });

  it("drops a deleted machine's credentials and refuses to retry its jobs (409)", async () => {
    const id = await machine('doomed', {
      credentials: { authMethod: 'password', password: 'pw', sudoMode: 'same_as_ssh' },
    });
    const credentials = () =>
      t.db.query('SELECT count(*)::int AS n FROM machine_credentials WHERE machine_id = $1', [id]);
    expect((await credentials())[0].n).toBe(1);
    // The probe queued with the credentials fails at once (nothing listens on port 9).
    const probe = (await t.gw.api('GET', `/api/v1/jobs?machineId=${id}`)).body[0];
    expect((await t.gw.waitJob(probe.id)).status).toBe('error');
    expect((await t.gw.api('DELETE', `/api/v1/machines/${id}`)).status).toBe(204);
    expect((await credentials())[0].n).toBe(0);
    const retry = await t.gw.api('POST', `/api/v1/jobs/${probe.id}/retry`);
    expect(retry.status).toBe(409);
    expect(retry.body.detail).toMatch(/machine that has since been deleted/);
  });
});
