// Registry auth against real registries on one storage: docker-registry with htpasswd (Basic) and with token auth
// (a real token server on loopback signing JWTs with a certificate made by openssl — not a proxy imitating it).
// Good credentials are used, wrong ones give registry_auth_failed, and no credential appears in any result.
import { join } from 'node:path';
import {
  pushImage,
  writeHtpasswd,
  accessEntries,
  registryFixture,
  startTokenServer,
  type PushedImage,
  type LocalRegistry,
  type RegistryFixture,
  type TokenServer,
} from '@su/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, type DigestCheck } from './index.ts';

const USER = 'su-puller';
const PASSWORD = 'Tr0ub4dor-registry-secret';
const WRONG = 'wrong-password-secret-123';

let fx: RegistryFixture;
let basic: LocalRegistry;
let bearer: LocalRegistry;
let tokens: TokenServer;
const pushed: Record<string, PushedImage> = {};

beforeAll(async () => {
  fx = await registryFixture();
  writeHtpasswd(join(fx.dir, 'htpasswd'), USER, PASSWORD);
  basic = await fx.guarded('basic', { htpasswd: { path: join(fx.dir, 'htpasswd') } });
  tokens = await startTokenServer(fx.dir, { username: USER, password: PASSWORD });
  bearer = await fx.guarded('bearer', { token: tokens });
  for (const tag of ['private/app:1.0', 'private/app:2.0', 'private/other:1.0', 'public/app:1.0']) {
    pushed[tag] = await pushImage(tag, { registry: fx.open.host });
  }
});
afterAll(async () => {
  await tokens?.close();
  await fx?.close();
});

const at = (r: LocalRegistry, tag: string) => `${r.host}/${tag}`;

function expectNoSecret(results: DigestCheck[]): void {
  const text = JSON.stringify(results);
  for (const secret of [
    PASSWORD,
    WRONG,
    Buffer.from(`${USER}:${PASSWORD}`).toString('base64'),
    Buffer.from(`${USER}:${WRONG}`).toString('base64'),
  ]) {
    expect(text).not.toContain(secret);
  }
}

describe('basic auth (htpasswd)', () => {
  const clientFor = (password: string | null) =>
    new RegistryClient({
      registries: [
        { registry: basic.host, insecure: true, credentials: password === null ? null : { username: USER, password } },
      ],
    });

  it('checks with the configured credentials; the challenge is remembered so later requests carry them at once', async () => {
    const before = basic.accessLog().length;
    const { results, stats } = await clientFor(PASSWORD).checkDigests([at(basic, 'private/app:1.0')]);
    expect(results[0]).toMatchObject({ status: 'ok', digest: pushed['private/app:1.0']!.digest });
    expect(stats[0]).toMatchObject({ requests: 2, tokenRequests: 0 });
    const c = clientFor(PASSWORD);
    await c.checkDigests([at(basic, 'private/app:2.0')]);
    const second = await c.checkDigests([at(basic, 'private/other:1.0')]);
    expect(second.results[0]).toMatchObject({ status: 'ok', digest: pushed['private/other:1.0']!.digest });
    expect(second.stats[0]!.requests).toBe(1);
    const log = (await accessEntries(basic, () => true, before + 5)).slice(before);
    expect(log.map((e) => e.status)).toEqual([401, 200, 401, 200, 200]);
    expect(log.every((e) => e.method === 'HEAD' && e.path.includes('/manifests/'))).toBe(true);
  });

  it('wrong credentials or none give registry_auth_failed with a remediation, never the secret', async () => {
    const wrong = await clientFor(WRONG).checkDigests([at(basic, 'private/app:1.0')]);
    expect(wrong.results[0]).toMatchObject({ status: 'error', error: { kind: 'registry_auth_failed' } });
    const error = (wrong.results[0] as Extract<DigestCheck, { status: 'error' }>).error;
    expect(error.message).toContain('refused the configured credentials');
    expect(error.remediation).toMatch(/credentials/);
    expectNoSecret(wrong.results);
    const none = await clientFor(null).checkDigests([at(basic, 'private/app:1.0')]);
    expect(none.results[0]).toMatchObject({ status: 'error', error: { kind: 'registry_auth_failed' } });
    expect((none.results[0] as Extract<DigestCheck, { status: 'error' }>).error.message).toContain(
      'none are configured',
    );
  });
});

describe('Bearer token challenge (docker-registry auth: token, real token server)', () => {
  const clientFor = (password: string | null) =>
    new RegistryClient({
      registries: [
        { registry: bearer.host, insecure: true, credentials: password === null ? null : { username: USER, password } },
      ],
    });

  it('fetches a token per repository scope with the credentials, caches it until expiry and checks the digests', async () => {
    const c = clientFor(PASSWORD);
    const tokensBefore = tokens.requests.length;
    const refs = ['private/app:1.0', 'private/app:2.0', 'private/other:1.0'].map((t) => at(bearer, t));
    const first = await c.checkDigests(refs);
    expect(first.results.map((r) => (r.status === 'ok' ? r.digest : r))).toEqual(
      ['private/app:1.0', 'private/app:2.0', 'private/other:1.0'].map((t) => pushed[t]!.digest),
    );
    const issued = tokens.requests.slice(tokensBefore);
    expect(issued.map((r) => r.scope).sort()).toEqual(['repository:private/app:pull', 'repository:private/other:pull']);
    expect(issued.every((r) => r.user === USER && r.granted)).toBe(true);
    expect(first.stats[0]!.tokenRequests).toBe(2);

    const again = await c.checkDigests(refs, { bypassCache: true });
    expect(again.results.every((r) => r.status === 'ok')).toBe(true);
    expect(again.stats[0]).toMatchObject({ requests: 3, tokenRequests: 0 });
    expectNoSecret([...first.results, ...again.results]);
  });

  it('anonymous tokens open public repositories only; a private one is registry_auth_failed', async () => {
    const { results } = await clientFor(null).checkDigests([
      at(bearer, 'public/app:1.0'),
      at(bearer, 'private/app:1.0'),
    ]);
    expect(results[0]).toMatchObject({ status: 'ok', digest: pushed['public/app:1.0']!.digest });
    expect(results[1]).toMatchObject({ status: 'error', error: { kind: 'registry_auth_failed' } });
    expect((results[1] as Extract<DigestCheck, { status: 'error' }>).error.message).toContain('anonymous access');
  });

  it('wrong credentials are refused by the token endpoint: registry_auth_failed, and the secret appears nowhere', async () => {
    const { results } = await clientFor(WRONG).checkDigests([at(bearer, 'private/app:1.0')]);
    expect(results[0]).toMatchObject({ status: 'error', error: { kind: 'registry_auth_failed' } });
    expect(tokens.requests.at(-1)).toMatchObject({ user: USER, granted: false });
    expectNoSecret(results);
  });

  it('does not speak plain HTTP, credentials included, to a registry that is not configured insecure', async () => {
    const before = bearer.accessLog().length;
    const { results } = await new RegistryClient({
      registries: [{ registry: bearer.host, credentials: { username: USER, password: PASSWORD } }],
      timeoutMs: 5_000,
    }).checkDigests([at(bearer, 'private/app:1.0')]);
    expect(results[0]).toMatchObject({ status: 'error', error: { kind: 'registry_unreachable' } });
    expect(bearer.accessLog().slice(before)).toEqual([]);
  });
});
