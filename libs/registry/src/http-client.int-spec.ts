// The HTTP layer against a real loopback server: redirects (Authorization dropped across origins, never followed
// from HTTPS to HTTP), the body limit and the timeout, each surfacing as a registry failure without secrets.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpFailure, httpSend } from './http-client.ts';
import { RegistryClient } from './index.ts';

const seen: { host: string; path: string; authorization: string | null }[] = [];
let a: Server;
let b: Server;
let hostA: string;
let hostB: string;

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<[Server, string]> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve([server, `127.0.0.1:${(server.address() as AddressInfo).port}`])),
  );
}

beforeAll(async () => {
  [b, hostB] = await listen((req, res) => {
    seen.push({ host: 'b', path: req.url ?? '', authorization: req.headers.authorization ?? null });
    res.writeHead(200, { 'docker-content-digest': `sha256:${'c'.repeat(64)}` }).end();
  });
  [a, hostA] = await listen((req, res) => {
    seen.push({ host: 'a', path: req.url ?? '', authorization: req.headers.authorization ?? null });
    if (req.url?.includes('/moved/')) res.writeHead(307, { location: `http://${hostB}${req.url}` }).end();
    else if (req.url?.includes('/same/')) res.writeHead(307, { location: req.url.replace('/same/', '/here/') }).end();
    else if (req.url?.includes('/huge/')) res.writeHead(200).end(Buffer.alloc(2 * 1024 * 1024));
    else if (req.url?.includes('/slow/')) setTimeout(() => res.writeHead(200).end(), 3_000);
    else res.writeHead(200, { 'docker-content-digest': `sha256:${'d'.repeat(64)}` }).end();
  });
});
afterAll(async () => {
  a.closeAllConnections();
  b.closeAllConnections();
  await Promise.all([a, b].map((s) => new Promise((r) => s.close(r))));
});

const opts = {
  method: 'GET' as const,
  headers: { authorization: 'Bearer secret-token-value' },
  timeoutMs: 5_000,
  maxBodyBytes: 1024,
};

describe('httpSend', () => {
  it('follows a redirect on the same origin with the Authorization header, and to another origin without it', async () => {
    seen.length = 0;
    expect((await httpSend(new URL(`http://${hostA}/v2/same/x`), opts)).status).toBe(200);
    expect(seen).toEqual([
      { host: 'a', path: '/v2/same/x', authorization: 'Bearer secret-token-value' },
      { host: 'a', path: '/v2/here/x', authorization: 'Bearer secret-token-value' },
    ]);
    seen.length = 0;
    expect((await httpSend(new URL(`http://${hostA}/v2/moved/x`), opts)).status).toBe(200);
    expect(seen).toEqual([
      { host: 'a', path: '/v2/moved/x', authorization: 'Bearer secret-token-value' },
      { host: 'b', path: '/v2/moved/x', authorization: null },
    ]);
  });

  it('stops reading past the body limit and after the timeout', async () => {
    await expect(httpSend(new URL(`http://${hostA}/v2/huge/x`), opts)).rejects.toEqual(new HttpFailure('TOO_LARGE'));
    await expect(httpSend(new URL(`http://${hostA}/v2/slow/x`), { ...opts, timeoutMs: 300 })).rejects.toEqual(
      new HttpFailure('TIMEOUT'),
    );
  });
});

describe('network failures as registry failures', () => {
  it('a timeout is registry_unreachable, a closed port names its code', async () => {
    const client = new RegistryClient({ registries: [{ registry: hostA, insecure: true }], timeoutMs: 300 });
    const { results } = await client.checkDigests([`${hostA}/slow/x:1`]);
    expect(results[0]).toMatchObject({
      status: 'error',
      error: { kind: 'registry_unreachable', message: `${hostA} did not answer in time` },
    });
    const closed = new RegistryClient({ registries: [{ registry: '127.0.0.1:9', insecure: true }] });
    const r = await closed.checkDigests(['127.0.0.1:9/x:1']);
    expect(r.results[0]).toMatchObject({
      status: 'error',
      error: { kind: 'registry_unreachable', message: '127.0.0.1:9 could not be reached (ECONNREFUSED)' },
    });
  });
});
