// Newer versions from a real registry's tag list, one listing per repository per run, inside the run's request
// budget; pagination (`n`, Link rel="next", `last`) through a real HTTP proxy that pages the registry's list the way
// distribution 3 and Docker Hub do (Debian's docker-registry 2.8 does not page tag lists).
import {
  pushImage,
  accessEntries,
  startRateLimitProxy,
  registryFixture,
  type RateLimitProxy,
  type RegistryFixture,
} from '@su/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from './index.ts';
import { parseImageReferenceOrThrow } from './image-reference.ts';

let fx: RegistryFixture;
let host: string;
let pager: RateLimitProxy;
const TAGS = ['1.0', '1.1', '2.0', 'latest', '1.0-alpine', '1.5-alpine', '1.2.0'];

beforeAll(async () => {
  fx = await registryFixture();
  host = fx.open.host;
  for (const tag of TAGS) await pushImage(`lab/versioned:${tag}`, { registry: host });
  pager = await startRateLimitProxy(host, { paginateTags: true });
});
afterAll(async () => {
  await pager?.close();
  await fx?.close();
});

const client = (opts: ConstructorParameters<typeof RegistryClient>[0] = {}) =>
  new RegistryClient({
    registries: [{ registry: host, insecure: true, requestBudget: opts.defaultRequestBudget }],
    ...opts,
  });
const isTagList = (e: { path: string }) => e.path.startsWith('/v2/lab/versioned/tags/list');

describe('tag listing and newer versions', () => {
  it('follows the Link rel="next" pages (n=3) to the whole list, each page one request of the budget', async () => {
    const run = new RegistryClient({
      registries: [{ registry: pager.host, insecure: true }],
      tagPageSize: 3,
    }).startRun();
    const tags = await run.listTags(parseImageReferenceOrThrow(`${pager.host}/lab/versioned:1.0`));
    expect([...tags].sort()).toEqual([...TAGS].sort());
    const sorted = [...TAGS].sort();
    expect(pager.requests.map((r) => r.path)).toEqual([
      '/v2/lab/versioned/tags/list?n=3',
      `/v2/lab/versioned/tags/list?last=${sorted[2]}&n=3`,
      `/v2/lab/versioned/tags/list?last=${sorted[5]}&n=3`,
    ]);
    expect(run.stats()[0]!.requests).toBe(3);
    const limited = new RegistryClient({
      registries: [{ registry: pager.host, insecure: true }],
      tagPageSize: 3,
      maxTagPages: 2,
    });
    expect(
      await limited.startRun().listTags(parseImageReferenceOrThrow(`${pager.host}/lab/versioned:1.0`)),
    ).toHaveLength(6);
  });

  it('1.0 with 1.1 and 2.0 reports 1.1 (same major) and 2.0 (newest); variants apart; one listing per repository', async () => {
    const before = fx.open.accessLog().filter(isTagList).length;
    const run = client().startRun();
    const refs = ['1.0', '1.0-alpine', '2.0', 'latest', '1.1'].map((t) => `${host}/lab/versioned:${t}`);
    const results = await run.checkNewerVersions(refs);
    expect(results.map((r) => (r.status === 'ok' ? [r.current, r.sameMajor, r.newest] : r.status))).toEqual([
      ['1.0', '1.1', '2.0'],
      ['1.0-alpine', '1.5-alpine', '1.5-alpine'],
      ['2.0', null, null],
      'not_versioned',
      ['1.1', null, '2.0'],
    ]);
    expect(results[0]).toMatchObject({ tagCount: TAGS.length });
    const listings = (await accessEntries(fx.open, isTagList, before + 1)).slice(before);
    expect(listings).toEqual([{ method: 'GET', path: '/v2/lab/versioned/tags/list?n=1000', status: 200 }]);
  });

  it('lists within the same budget as the digest check, and reports what it could not list', async () => {
    const run = new RegistryClient({
      registries: [{ registry: pager.host, insecure: true, requestBudget: 2 }],
      tagPageSize: 3,
      concurrency: 1,
    }).startRun();
    const digests = await run.checkDigests([`${pager.host}/lab/versioned:1.0`]);
    expect(digests[0]!.status).toBe('ok');
    const versions = await run.checkNewerVersions([`${pager.host}/lab/versioned:1.0`, `${pager.host}/lab/other:1.0`]);
    expect(versions[0]).toMatchObject({ status: 'error', error: { kind: 'registry_budget_exhausted' } });
    expect(versions[1]).toMatchObject({ status: 'error', error: { kind: 'registry_budget_exhausted' } });
    expect(run.stats()[0]).toMatchObject({ requests: 2, budget: 2 });
  });

  it('an unknown repository is manifest_not_found', async () => {
    const [result] = await client()
      .startRun()
      .checkNewerVersions([`${host}/lab/unknown:1.0`]);
    expect(result).toMatchObject({ status: 'error', error: { kind: 'manifest_not_found' } });
  });
});
