import { describe, expect, it } from 'vitest';
import { gatewayPerFile } from './test/gateway.harness.ts';

/*
 * Login throttling over real HTTP, with small delays. SU_TRUST_PROXY=1 lets the test speak from several client
 * addresses through X-Forwarded-For, as a reverse proxy would pass them.
 */
const t = gatewayPerFile({
  SU_LOGIN_FREE_FAILURES: '5',
  SU_LOGIN_BASE_DELAY_SECONDS: '2',
  SU_LOGIN_MAX_DELAY_SECONDS: '4',
  SU_LOGIN_ACCOUNT_FREE_FAILURES: '12',
  SU_LOGIN_ACCOUNT_MAX_DELAY_SECONDS: '2',
  SU_LOGIN_ADDRESS_FREE_FAILURES: '100',
  SU_TRUST_PROXY: '1',
});

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { detail?: string; token?: string };
}

async function login(username: string, password: string, address: string): Promise<Answer> {
  const res = await fetch(`${t.gw.base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ username, password }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Answer['body'] };
}

/** Retries the right password, honouring Retry-After, until it is accepted (generous deadline, no timing assert). */
async function loginAfterDelays(username: string, password: string, address: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  const deadline = Date.now() + 30_000;
  for (;;) {
    const a = await login(username, password, address);
    answers.push(a);
    if (a.status !== 429 || Date.now() > deadline) return answers;
    await new Promise((r) => setTimeout(r, Number(a.retryAfter) * 1000));
  }
}

async function createUser(username: string, password: string): Promise<string> {
  const created = await t.gw.api('POST', '/api/v1/users', { body: { username, role: 'admin', password } });
  expect(created.status).toBe(201);
  return created.body.id;
}

describe('login throttling', () => {
  it('20 wrong logins in a row → 429 with Retry-After, recorded; the right password works after the delay', async () => {
    const statuses: Answer[] = [];
    for (let i = 0; i < 20; i++) statuses.push(await login('admin', `bad-guess-${i}`, '10.1.0.1'));
    expect(statuses.slice(0, 5).map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    const throttled = statuses.filter((a) => a.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    for (const a of throttled) {
      expect(a.retryAfter).toMatch(/^[1-4]$/);
      expect(a.body.detail).toContain('too many failed logins');
    }
    expect(statuses.every((a) => a.status === 401 || a.status === 429)).toBe(true);

    const failed = await t.db.query<{ message: string; payload: { address: string; reason: string } }>(
      `SELECT message, payload FROM machine_events WHERE event_type = 'auth.login_failed' AND payload->>'address' = '10.1.0.1'`,
    );
    expect(failed.length).toBe(statuses.filter((a) => a.status === 401).length);
    expect(failed[0]!.payload.reason).toBe('wrong_password');
    expect(failed[0]!.message).toContain('"admin"');
    const dump = JSON.stringify(await t.db.query(`SELECT * FROM machine_events`));
    expect(dump).not.toContain('bad-guess');
    expect(await t.db.query(`SELECT 1 FROM machine_events WHERE event_type = 'auth.login_throttled'`)).not.toHaveLength(
      0,
    );

    // During the block even the right password answers 429 (it is not checked); after the delay it works.
    const answers = await loginAfterDelays('admin', t.gw.adminPassword, '10.1.0.1');
    expect(answers.at(-1)!.status).toBe(200);
    expect(await t.db.query(`SELECT 1 FROM machine_events WHERE event_type = 'auth.login_succeeded'`)).not.toHaveLength(
      0,
    );
    // A success starts the pair over: the next mistake is a plain 401.
    expect((await login('admin', 'one more typo', '10.1.0.1')).status).toBe(401);
  }, 60_000);

  it('a logged-in session guessing the current password (change password) is throttled like a login', async () => {
    await createUser('pat', 'pat long passphrase');
    const token = (await login('pat', 'pat long passphrase', '10.4.0.1')).body.token!;
    const answers: Answer[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${t.gw.base}/api/v1/auth/password`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'x-forwarded-for': '10.4.0.1',
        },
        body: JSON.stringify({ currentPassword: `guess ${i}`, newPassword: 'pat new passphrase' }),
      });
      answers.push({
        status: res.status,
        retryAfter: res.headers.get('retry-after'),
        body: (await res.json()) as { detail?: string; token?: string },
      });
    }
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([400, 400, 400, 400, 400]);
    const throttled = answers.filter((a) => a.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    for (const a of throttled) expect(a.retryAfter).toMatch(/^[1-4]$/);
  }, 60_000);

  it('concurrent guesses are throttled like sequential ones', async () => {
    await createUser('conc', 'concurrent passphrase');
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => login('conc', `guess ${i}`, '10.2.0.1')));
    const tooMany = answers.filter((a) => a.status === 429).length;
    // 5 free failures, then 2-4 s blocks: far fewer than 40 guesses get their password checked.
    expect(tooMany).toBeGreaterThanOrEqual(25);
    expect(answers.filter((a) => a.status === 401).length + tooMany).toBe(40);
  }, 60_000);

  it('an attacker elsewhere cannot lock the account out: their address is blocked, the account only briefly', async () => {
    await createUser('ada', 'ada long passphrase');
    for (let i = 0; i < 8; i++) await login('ada', `guess ${i}`, '10.3.0.1');
    expect((await login('ada', 'ada long passphrase', '10.3.0.1')).status).toBe(429);
    expect((await login('ada', 'ada long passphrase', '10.3.9.9')).status).toBe(200);

    // Guesses from many addresses push the account over its free failures: its block stays short (capped at 2 s).
    for (let a = 2; a <= 6; a++) for (let i = 0; i < 6; i++) await login('ada', `guess ${i}`, `10.3.0.${a}`);
    const answers = await loginAfterDelays('ada', 'ada long passphrase', '10.3.9.8');
    for (const a of answers.slice(0, -1)) expect(Number(a.retryAfter)).toBeLessThanOrEqual(2);
    expect(answers.at(-1)!.status).toBe(200);
  }, 60_000);
});
