import { describe, expect, it } from 'vitest';
import { gatewayPerFile, type GatewayHarness } from './test/gateway.harness.ts';

const t = gatewayPerFile();
const api: GatewayHarness['api'] = (...args) => t.gw.api(...args);

async function newMachine(): Promise<string> {
  const res = await api('POST', '/api/v1/machines', {
    body: { name: 'cache-user', hostname: '127.0.0.1', username: 'u' },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('APT proxy per machine (PATCH /machines/:id)', () => {
  it('starts direct; runtime and persistent take a validated URL; back to direct keeps the URL for later', async () => {
    const id = await newMachine();
    expect((await api('GET', `/api/v1/machines/${id}`)).body.aptProxy).toEqual({ mode: 'direct', url: null });
    const set = await api('PATCH', `/api/v1/machines/${id}`, {
      body: { aptProxyMode: 'runtime', aptProxyUrl: 'http://10.1.2.3:3142/' },
    });
    expect(set.status).toBe(200);
    expect(set.body.aptProxy).toEqual({ mode: 'runtime', url: 'http://10.1.2.3:3142/' });
    const persistent = await api('PATCH', `/api/v1/machines/${id}`, { body: { aptProxyMode: 'persistent' } });
    expect(persistent.body.aptProxy).toEqual({ mode: 'persistent', url: 'http://10.1.2.3:3142/' });
    const off = await api('PATCH', `/api/v1/machines/${id}`, { body: { aptProxyMode: 'direct' } });
    expect(off.body.aptProxy).toEqual({ mode: 'direct', url: 'http://10.1.2.3:3142/' });
    const events = (await api('GET', `/api/v1/machines/${id}/events`)).body as { payload: unknown }[];
    expect(events.map((e) => e.payload)).toContainEqual({ fields: ['aptProxyMode'] });
  });

  it('refuses a bad URL or mode with a 400 naming the field, without echoing the value', async () => {
    const id = await newMachine();
    for (const url of ['http://user:s3cr3t-pw@cache:3142/', 'http://cache:3142/"; rm -rf /', 'https://cache/', 42]) {
      const res = await api('PATCH', `/api/v1/machines/${id}`, { body: { aptProxyMode: 'runtime', aptProxyUrl: url } });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['aptProxyUrl']);
      expect(res.text).not.toContain('s3cr3t');
      expect(res.text).not.toContain('rm -rf');
    }
    const mode = await api('PATCH', `/api/v1/machines/${id}`, { body: { aptProxyMode: 'always' } });
    expect(mode.status).toBe(400);
    expect(mode.body.errors.map((e: { field: string }) => e.field)).toEqual(['aptProxyMode']);
    // A mode that needs a URL, with none given now or stored: refused, nothing changed.
    const noUrl = await api('PATCH', `/api/v1/machines/${id}`, { body: { aptProxyMode: 'persistent' } });
    expect(noUrl.status).toBe(400);
    expect(noUrl.body.errors).toEqual([
      { field: 'aptProxyUrl', reasons: ['aptProxyUrl is required when aptProxyMode is persistent'] },
    ]);
    expect((await api('GET', `/api/v1/machines/${id}`)).body.aptProxy).toEqual({ mode: 'direct', url: null });
  });

  it('only an admin may change it', async () => {
    const id = await newMachine();
    const c = await api('POST', '/api/v1/api-clients', { body: { label: 'op', scopes: ['read', 'operate'] } });
    const res = await api('PATCH', `/api/v1/machines/${id}`, {
      token: c.body.token,
      body: { aptProxyMode: 'runtime', aptProxyUrl: 'http://cache:3142/' },
    });
    expect(res.status).toBe(403);
    expect((await api('GET', `/api/v1/machines/${id}`)).body.aptProxy).toEqual({ mode: 'direct', url: null });
  });
});
