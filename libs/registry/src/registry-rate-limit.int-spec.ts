// 429 with Retry-After from a real HTTP proxy in front of a real registry: the client waits as told (every request
// to that registry, not only the one told), never sends more than the run's budget, and reports each image it could
// not check with the reason. Times are compared only as lower bounds ("waited at least as told"); no upper bound.
import {
  pushImage,
  startRateLimitProxy,
  registryFixture,
  type PushedImage,
  type RateLimitProxy,
  type RegistryFixture,
} from '@su/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, type DigestCheck } from './index.ts';

let fx: RegistryFixture;
let proxy: RateLimitProxy;
const images: PushedImage[] = [];

beforeAll(async () => {
  fx = await registryFixture();
  proxy = await startRateLimitProxy(fx.open.host);
  for (let i = 0; i < 5; i++) images.push(await pushImage(`limited/app${i}:1.0`, { registry: fx.open.host }));
});
afterAll(async () => {
  await proxy?.close();
  await fx?.close();
});
afterEach(() => {
  proxy.requests.length = 0;
  proxy.limitNext(0, null);
});

const refs = (n: number) => images.slice(0, n).map((i) => `${proxy.host}/${i.repository}:${i.tag}`);
const client = (opts: ConstructorParameters<typeof RegistryClient>[0] = {}) =>
  new RegistryClient({
    registries: [{ registry: proxy.host, insecure: true, requestBudget: opts.defaultRequestBudget }],
    ...opts,
  });
const failures = (results: DigestCheck[]) =>
  results.filter((r): r is Extract<DigestCheck, { status: 'error' }> => r.status === 'error');

describe('429 and Retry-After', () => {
  it('waits the seconds Retry-After says, then checks', async () => {
    proxy.limitNext(2, '1');
    const { results, stats } = await client({ concurrency: 1 }).checkDigests(refs(1));
    expect(results[0]).toMatchObject({ status: 'ok', digest: images[0]!.digest });
    expect(proxy.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    const [a, b, c] = proxy.requests;
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(1000);
    expect(c!.at - b!.at).toBeGreaterThanOrEqual(1000);
    expect(stats[0]).toMatchObject({ requests: 3, rateLimited: 2 });
    expect(stats[0]!.waitedMs).toBeGreaterThanOrEqual(2000);
  });

  it('honours an HTTP-date Retry-After; the next images wait for it too', async () => {
    proxy.limitNext(1, new Date(Date.now() + 2000).toUTCString());
    const { results } = await client({ concurrency: 1 }).checkDigests(refs(2));
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    const [limited, ...rest] = proxy.requests;
    expect(limited!.status).toBe(429);
    // An HTTP date has whole seconds: at least one second of the two is certain.
    for (const r of rest) expect(r.at - limited!.at).toBeGreaterThanOrEqual(1000);
  });

  it('never exceeds the budget and reports the images it could not check', async () => {
    proxy.limitNext(1, '1');
    const { results, stats } = await client({ concurrency: 1, defaultRequestBudget: 3 }).checkDigests(refs(5));
    expect(proxy.requests).toHaveLength(3);
    expect(stats[0]).toMatchObject({ requests: 3, budget: 3, rateLimited: 1 });
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(2);
    const notChecked = failures(results);
    expect(notChecked).toHaveLength(3);
    for (const f of notChecked) {
      expect(f.error.kind).toBe('registry_budget_exhausted');
      expect(f.error.message).toContain('budget of 3');
      expect(f.error.remediation).toMatch(/next run/);
    }
  });

  it('stops asking a registry that wants a longer wait than the run accepts, and says how long', async () => {
    proxy.limitNext(100, '3600');
    const { results, stats } = await client({ concurrency: 1 }).checkDigests(refs(4));
    expect(proxy.requests).toHaveLength(1);
    expect(stats[0]).toMatchObject({ requests: 1, rateLimited: 1 });
    const notChecked = failures(results);
    expect(notChecked).toHaveLength(4);
    for (const f of notChecked) {
      expect(f.error.kind).toBe('registry_rate_limited');
      expect(f.error.retryAfterSeconds).toBeGreaterThan(3500);
    }
  });

  it('backs off exponentially when a 429 has no Retry-After, within the retry limit', async () => {
    proxy.limitNext(5, null);
    const { results, stats } = await client({
      concurrency: 1,
      baseBackoffMs: 100,
      maxRateLimitRetries: 2,
    }).checkDigests(refs(1));
    expect(failures(results)[0]?.error.kind).toBe('registry_rate_limited');
    expect(proxy.requests).toHaveLength(3);
    expect(stats[0]).toMatchObject({ requests: 3, rateLimited: 3 });
    const [a, b, c] = proxy.requests;
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(100);
    expect(c!.at - b!.at).toBeGreaterThanOrEqual(200);
  });
});
