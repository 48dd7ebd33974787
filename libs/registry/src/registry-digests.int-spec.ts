// Digest checks against a real registry (Debian's docker-registry on 127.0.0.1): the digest is the pushed one, a new
// push moves it, only manifest requests reach the registry, one request per unique reference, the TTL cache, the
// GET fallback when HEAD has no digest header, a multi-arch index, plain HTTP only when configured.
import { createHash } from 'node:crypto';
import {
  pushImage,
  accessEntries,
  startRateLimitProxy,
  registryFixture,
  type AccessEntry,
  type RateLimitProxy,
  type RegistryFixture,
} from '@su/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from './index.ts';

let fx: RegistryFixture;
let host: string;
const isManifestRequest = (e: AccessEntry) =>
  /^\/v2\/.+\/manifests\/[^/]+$/.test(e.path) && ['HEAD', 'GET'].includes(e.method);

beforeAll(async () => {
  fx = await registryFixture();
  host = fx.open.host;
});
afterAll(async () => fx?.close());

function client(opts: ConstructorParameters<typeof RegistryClient>[0] = {}) {
  return new RegistryClient({ registries: [{ registry: host, insecure: true }], ...opts });
}

/** Access-log entries after the first `skip`, waiting until `count` of them are there. */
async function newEntries(skip: number, count: number): Promise<AccessEntry[]> {
  await accessEntries(fx.open, () => true, skip + count);
  return fx.open.accessLog().slice(skip);
}

describe('digest check without pulling', () => {
  it('answers the pushed digest; a new push moves it; only manifest requests reach the registry', async () => {
    const first = await pushImage('app/one:1.0', { registry: host });
    const c = client();
    const before = fx.open.accessLog().length;
    const r1 = await c.checkDigests([first.reference]);
    expect(r1.results).toEqual([
      expect.objectContaining({ reference: first.reference, status: 'ok', digest: first.digest, source: 'registry' }),
    ]);
    expect(r1.results[0]).toHaveProperty('mediaType', 'application/vnd.docker.distribution.manifest.v2+json');
    expect(r1.stats).toEqual([expect.objectContaining({ registry: host, requests: 1, tokenRequests: 0 })]);

    const second = await pushImage('app/one:1.0', { registry: host });
    expect(second.digest).not.toBe(first.digest);
    const afterPush = fx.open.accessLog().length;
    const r2 = await c.checkDigests([first.reference], { bypassCache: true });
    expect(r2.results[0]).toMatchObject({ status: 'ok', digest: second.digest, source: 'registry' });

    const checks = [...(await newEntries(before, 1)).slice(0, 1), ...(await newEntries(afterPush, 1))];
    expect(checks).toEqual([
      { method: 'HEAD', path: '/v2/app/one/manifests/1.0', status: 200 },
      { method: 'HEAD', path: '/v2/app/one/manifests/1.0', status: 200 },
    ]);
    expect(checks.some((e) => e.path.includes('/blobs/'))).toBe(false);
  });

  it('three references to one image (as three machines would give) cause one registry request', async () => {
    const img = await pushImage('app/dedup:2.1', { registry: host });
    const before = fx.open.accessLog().length;
    const refs = [img.reference, `${host}/app/dedup:2.1`, `${host}/app/dedup:2.1@sha256:${'0'.repeat(64)}`];
    const { results, stats } = await client().checkDigests(refs);
    expect(results.map((r) => r.reference)).toEqual(refs);
    expect(results.every((r) => r.status === 'ok' && r.digest === img.digest)).toBe(true);
    expect(stats[0]!.requests).toBe(1);
    const log = (await newEntries(before, 1)).filter(isManifestRequest);
    expect(log).toEqual([{ method: 'HEAD', path: '/v2/app/dedup/manifests/2.1', status: 200 }]);
  });

  it('reuses a cached digest within the TTL without a request, and asks again when told to bypass it', async () => {
    const img = await pushImage('app/cached:1', { registry: host });
    const c = client({ cacheTtlMs: 60 * 60_000 });
    await c.checkDigests([img.reference]);
    const again = await c.checkDigests([img.reference]);
    expect(again.results[0]).toMatchObject({ status: 'ok', digest: img.digest, source: 'cache' });
    expect(again.stats).toEqual([]);
    const bypass = await c.checkDigests([img.reference], { bypassCache: true });
    expect(bypass.results[0]).toMatchObject({ source: 'registry' });
    expect(bypass.stats[0]!.requests).toBe(1);
  });

  it('reports an unknown tag as manifest_not_found, a bad reference as invalid_reference and a digest pin as pinned', async () => {
    const pinned = `${host}/app/one@sha256:${'b'.repeat(64)}`;
    const { results, stats } = await client().checkDigests([`${host}/app/none:1.0`, `${host}/App:1`, pinned]);
    expect(results[0]).toMatchObject({ status: 'error', error: { kind: 'manifest_not_found' } });
    expect((results[0] as { error: { remediation: string } }).error.remediation).toMatch(/image name and tag/);
    expect(results[1]).toMatchObject({ status: 'error', image: null, error: { kind: 'invalid_reference' } });
    expect(results[2]).toMatchObject({ status: 'pinned', digest: `sha256:${'b'.repeat(64)}` });
    expect(stats[0]!.requests).toBe(1);
  });

  it('answers the index digest of a multi-arch image (what docker records as its RepoDigest)', async () => {
    const amd = await pushImage('app/multi:amd64', { registry: host });
    const arm = await pushImage('app/multi:arm64', { registry: host });
    const manifest = (digest: string, architecture: string) => ({
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      digest,
      size: 0,
      platform: { architecture, os: 'linux' },
    });
    const sizes = await Promise.all(
      [amd, arm].map(async (p) => (await fetch(`http://${host}/v2/app/multi/manifests/${p.digest}`)).arrayBuffer()),
    );
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { ...manifest(amd.digest, 'amd64'), size: sizes[0]!.byteLength },
        { ...manifest(arm.digest, 'arm64'), size: sizes[1]!.byteLength },
      ],
    });
    const put = await fetch(`http://${host}/v2/app/multi/manifests/1.0`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
      body: index,
    });
    expect(put.status).toBe(201);
    const indexDigest = `sha256:${createHash('sha256').update(index).digest('hex')}`;
    const { results } = await client().checkDigests([`${host}/app/multi:1.0`]);
    expect(results[0]).toMatchObject({
      status: 'ok',
      digest: indexDigest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
    });
  });

  it('never speaks plain HTTP to a registry that is not configured insecure', async () => {
    const before = fx.open.accessLog().length;
    const { results } = await new RegistryClient({ timeoutMs: 5_000 }).checkDigests([`${host}/app/one:1.0`]);
    expect(results[0]).toMatchObject({ status: 'error', error: { kind: 'registry_unreachable' } });
    await new Promise((r) => setTimeout(r, 200));
    expect(fx.open.accessLog().slice(before)).toEqual([]);
  });
});

describe('a registry whose HEAD answers lack Docker-Content-Digest', () => {
  let proxy: RateLimitProxy;
  beforeAll(async () => {
    proxy = await startRateLimitProxy(host, { stripDigest: true });
  });
  afterAll(async () => proxy?.close());

  it('falls back to GET of the manifest (still no blob) and hashes its bytes', async () => {
    const img = await pushImage('app/nohead:3.0', { registry: host });
    const c = new RegistryClient({ registries: [{ registry: proxy.host, insecure: true }] });
    const { results, stats } = await c.checkDigests([`${proxy.host}/app/nohead:3.0`]);
    expect(results[0]).toMatchObject({ status: 'ok', digest: img.digest });
    expect(stats[0]!.requests).toBe(2);
    expect(proxy.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'HEAD /v2/app/nohead/manifests/3.0',
      'GET /v2/app/nohead/manifests/3.0',
    ]);
  });
});
