import { describe, expect, it } from 'vitest';
import { gatewayPerFile } from './test/gateway.harness.ts';

/* `/ready` (issue 9, ADR 0014): public and read-only; the deep check needs a token and coalesces its callers. */

const t = gatewayPerFile();
const selftests = async () =>
  (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE kind = 'system.selftest'`))[0]!.n;

describe('/ready', () => {
  it('answers without a token and writes nothing', async () => {
    const before = await selftests();
    for (const path of ['/ready', '/api/v1/ready']) {
      const res = await t.gw.api('GET', path, { token: null });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ready', checks: { database: 'ok', queue: 'ok' } });
    }
    expect(await selftests()).toBe(before);
  });

  it('refuses the deep check without a valid token (401, no job)', async () => {
    const before = await selftests();
    expect((await t.gw.api('GET', '/ready?deep=1', { token: null })).status).toBe(401);
    expect((await t.gw.api('GET', '/ready?deep=true', { token: 'sua_not-a-token' })).status).toBe(401);
    expect(await selftests()).toBe(before);
  });

  it('serves 30 concurrent deep checks with one selftest job', async () => {
    const before = await selftests();
    const answers = await Promise.all(Array.from({ length: 30 }, () => t.gw.api('GET', '/api/v1/ready?deep=1')));
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
    expect(answers.every((a) => a.body.checks.worker === 'ok')).toBe(true);
    expect((await selftests()) - before).toBe(1);
    // A later check is a new round trip (an answer is shared for 2 s only).
    await new Promise((r) => setTimeout(r, 2100));
    expect((await t.gw.api('GET', '/ready?deep=1')).status).toBe(200);
    expect((await selftests()) - before).toBe(2);
  });
});
