import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FIRST_SCREEN, firstPageFits, PAGE } from '../dashboard/use-machines.ts';
import { earlyOr, type Answer } from './early-answers.ts';

const bootJs = readFileSync(new URL('../../public/boot.js', import.meta.url), 'utf8');
const asked = (path: string) => ({ response: new Response(null, { status: 599 }), data: `asked ${path}` });
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const g = globalThis as unknown as { window?: Window };

describe('boot.js and the early answers', () => {
  afterEach(() => delete g.window);

  it('boot.js asks exactly what the UI takes (the session check, the first page, the whole fleet)', () => {
    const paths = new Set([...bootJs.matchAll(/'(\/api\/[^']+)'/g)].map((m) => m[1]));
    expect(paths).toEqual(
      new Set([
        '/api/v1/auth/me',
        `/api/v1/machines?limit=${FIRST_SCREEN}&offset=0&sort=status`,
        `/api/v1/machines?limit=${FIRST_SCREEN}&offset=0&sort=name`,
        `/api/v1/machines?limit=${PAGE}&offset=0`,
      ]),
    );
  });

  it('the first page is the first screen unfiltered, in the default order (worst first) or by name', () => {
    const fits = (q: string) => firstPageFits(new URLSearchParams(q));
    expect(fits('')).toBe('status');
    expect(fits('sort=status')).toBe('status');
    expect(fits('sort=name')).toBe('name');
    expect(fits('sort=security')).toBeNull();
    for (const filter of ['q=web', 'tag=prod', 'only=security']) {
      expect(fits(filter)).toBeNull();
      expect(fits(`sort=name&${filter}`)).toBeNull();
    }
    // boot.js decides the same way before the UI's code runs.
    expect(bootJs).toContain("var sort = search.get('sort') || 'status';");
    expect(bootJs).toContain("var unfiltered = !search.get('q') && !search.get('tag') && !search.get('only');");
  });

  it('takes an early answer once, then asks the server', async () => {
    g.window = { suEarly: { '/x': Promise.resolve(json(200, { n: 1 })) } } as unknown as Window;
    const first: Answer = await earlyOr('/x', async () => asked('/x'));
    expect(first.data).toEqual({ n: 1 });
    expect((await earlyOr('/x', async () => asked('/x'))).data).toBe('asked /x');
  });

  it("gives a refused early answer as the API's error, and asks again after a network failure", async () => {
    g.window = {
      suEarly: { '/me': Promise.resolve(json(401, { detail: 'no session' })), '/net': Promise.resolve(null) },
    } as unknown as Window;
    const refused = await earlyOr('/me', async () => asked('/me'));
    expect(refused.response.status).toBe(401);
    expect(refused.error).toEqual({ detail: 'no session' });
    expect(refused.data).toBeUndefined();
    expect((await earlyOr('/net', async () => asked('/net'))).data).toBe('asked /net');
  });
});
