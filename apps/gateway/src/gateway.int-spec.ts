import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CapturingLogger, gatewayPerFile, type GatewayHarness } from './test/gateway.harness.ts';

const SSH_PASSWORD = `ssh-${randomBytes(9).toString('hex')}`;
const SUDO_PASSWORD = `sudo-${randomBytes(9).toString('hex')}`;
const PRIVATE_KEY_BODY = randomBytes(48).toString('base64');
const PRIVATE_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${PRIVATE_KEY_BODY}\n-----END OPENSSH PRIVATE KEY-----\n`;
const PASSPHRASE = `pp-${randomBytes(9).toString('hex')}`;

const t = gatewayPerFile();
const api: GatewayHarness['api'] = (...args) => t.gw.api(...args);

async function createToken(scopes: string[]) {
  const res = await api('POST', '/api/v1/api-clients', { body: { label: `t-${scopes.join('-')}`, scopes } });
  expect(res.status).toBe(201);
  return res.body as { id: string; token: string };
}

describe('gateway', () => {
  it('answers /health and /ready, and serves OpenAPI', async () => {
    expect((await api('GET', '/health', { token: null })).status).toBe(200);
    const ready = await api('GET', '/ready', { token: null });
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: 'ok', queue: 'ok' });
    const doc = await api('GET', '/api/docs-json', { token: null });
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toContain('/api/v1/machines');
  });

  it('logs in with the bootstrap admin and refuses a wrong password without saying which part was wrong', async () => {
    const me = await api('GET', '/api/v1/auth/me');
    expect(me.body).toMatchObject({ type: 'user', label: 'admin', scopes: ['admin'] });
    const bad = await api('POST', '/api/v1/auth/login', { token: null, body: { username: 'admin', password: 'nope' } });
    expect(bad.status).toBe(401);
    const nobody = await api('POST', '/api/v1/auth/login', {
      token: null,
      body: { username: 'ghost', password: 'nope' },
    });
    expect(nobody.status).toBe(401);
    expect(nobody.body.detail).toBe(bad.body.detail);
  });

  it('rejects a bad machine with 400 naming each bad field and why', async () => {
    const res = await api('POST', '/api/v1/machines', { body: { name: '', hostname: 'bad host!', port: 70000 } });
    expect(res.status).toBe(400);
    const fields = (res.body.errors as { field: string; reasons: string[] }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'hostname', 'port']));
    for (const e of res.body.errors) expect(e.reasons.length).toBeGreaterThan(0);
    const unknown = await api('POST', '/api/v1/machines', {
      body: { name: 'x', hostname: 'x', username: 'u', admin: true },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'admin', reasons: ['property admin should not exist'] }]);
    const credsMissing = await api('POST', '/api/v1/machines', {
      body: { name: 'x', hostname: 'x', username: 'u', credentials: { authMethod: 'password', sudoMode: 'separate' } },
    });
    expect(credsMissing.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'credentials.password',
      'credentials.sudoPassword',
    ]);
  });

  it('creates a machine (201); no response, log, event or column holds a secret; credentials are ciphertext', async () => {
    const res = await api('POST', '/api/v1/machines', {
      body: {
        name: 'nas',
        // Loopback with a closed port: the probe queued for a machine with credentials fails fast and sends no
        // traffic off this host.
        hostname: '127.0.0.1',
        port: 9,
        username: 'admin',
        tags: ['lab', 'debian'],
        credentials: {
          authMethod: 'password',
          password: SSH_PASSWORD,
          sudoMode: 'separate',
          sudoPassword: SUDO_PASSWORD,
        },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'nas',
      port: 9,
      tags: ['debian', 'lab'],
      credentials: { hasPassword: true, hasSudoPassword: true },
    });
    const keyed = await api('POST', '/api/v1/machines', {
      body: {
        name: 'pi',
        hostname: '127.0.0.2',
        port: 9,
        username: 'pi',
        credentials: { authMethod: 'ssh_key', privateKey: PRIVATE_KEY, keyPassphrase: PASSPHRASE, sudoMode: 'none' },
      },
    });
    expect(keyed.status).toBe(201);
    const id = res.body.id as string;
    await api('PATCH', `/api/v1/machines/${id}`, { body: { notes: 'rack 2' } });
    await api('PUT', `/api/v1/machines/${id}/credentials`, {
      body: { authMethod: 'password', password: SSH_PASSWORD, sudoMode: 'same_as_ssh' },
    });

    const responses = [
      res.text,
      keyed.text,
      (await api('GET', `/api/v1/machines/${id}`)).text,
      (await api('GET', '/api/v1/machines')).text,
      (await api('GET', `/api/v1/machines/${id}/events`)).text,
    ];
    const secrets = [SSH_PASSWORD, SUDO_PASSWORD, PRIVATE_KEY_BODY.slice(0, 24), PASSPHRASE];
    for (const text of [...responses, CapturingLogger.lines.join('\n')]) {
      for (const s of secrets) expect(text).not.toContain(s);
    }
    // Every table, every column (JSON included), as text.
    const tables = await t.db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    for (const { table_name } of tables) {
      const dump = JSON.stringify(await t.db.query(`SELECT * FROM "${table_name}"`));
      for (const s of secrets) expect(dump, table_name).not.toContain(s);
    }
    const [cred] = await t.db.query<{ enc_password: string; enc_sudo_password: string | null; key_id: string }>(
      'SELECT enc_password, enc_sudo_password, key_id FROM machine_credentials WHERE machine_id = $1',
      [id],
    );
    expect(cred!.enc_password).toMatch(new RegExp(`^v1\\.${cred!.key_id}\\.[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    // sudo mode same_as_ssh: the separate sudo password was dropped, not kept around.
    expect(cred!.enc_sudo_password).toBeNull();
    const events = await t.db.query<{ event_type: string; actor_type: string; actor_id: string }>(
      'SELECT event_type, actor_type, actor_id FROM machine_events WHERE machine_id = $1 ORDER BY created_at',
      [id],
    );
    expect(events.map((e) => e.event_type).filter((t) => t.startsWith('machine.'))).toEqual([
      'machine.created',
      'machine.updated',
      'machine.credentials_changed',
    ]);
    // Adding credentials queued a probe; the worker opened the credentials (audited, without values) and the closed
    // port gave a classified error, recorded on the job.
    const deadline = Date.now() + 10_000;
    let probes: { status: string; error_kind: string | null }[] = [];
    while (Date.now() < deadline) {
      probes = await t.db.query(
        `SELECT status, error_kind FROM jobs WHERE machine_id = $1 AND kind = 'machine.probe'`,
        [id],
      );
      if (probes.length === 2 && probes.every((p) => p.status !== 'queued' && p.status !== 'running')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(probes).toEqual([
      { status: 'error', error_kind: 'connection_refused' },
      { status: 'error', error_kind: 'connection_refused' },
    ]);
    expect(events.map((e) => e.event_type)).toContain('credentials.decrypted');
    expect(new Set(events.filter((e) => e.event_type.startsWith('machine.')).map((e) => e.actor_type))).toEqual(
      new Set(['user']),
    );
  });

  it('enforces scopes: read token 403 on create, no token 401, revoked token 401', async () => {
    const read = await createToken(['read']);
    const body = { name: 'x', hostname: 'x.lan', username: 'u' };
    expect((await api('GET', '/api/v1/machines', { token: read.token })).status).toBe(200);
    const forbidden = await api('POST', '/api/v1/machines', { token: read.token, body });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.detail).toMatch(/needs the "admin" scope/);
    expect((await api('POST', '/api/v1/machines', { token: null, body })).status).toBe(401);
    expect((await api('GET', '/api/v1/machines', { token: 'sua_made-up' })).status).toBe(401);
    const operate = await createToken(['operate']);
    expect((await api('POST', '/api/v1/system/selftest', { token: operate.token, body: {} })).status).toBe(201);
    expect((await api('DELETE', `/api/v1/api-clients/${read.id}`)).status).toBe(204);
    expect((await api('GET', '/api/v1/machines', { token: read.token })).status).toBe(401);
    const [row] = await t.db.query<{ token_hash: string; status: string }>(
      'SELECT token_hash, status FROM api_clients WHERE id = $1',
      [read.id],
    );
    expect(row).toMatchObject({ status: 'revoked' });
    expect(row!.token_hash).not.toContain(read.token.slice(4, 20));
    const list = await api('GET', '/api/v1/api-clients');
    expect(list.text).not.toContain(read.token);
  });

  it('soft-deletes a machine: gone from lists, history kept', async () => {
    const m = await api('POST', '/api/v1/machines', { body: { name: 'old', hostname: 'old.lan', username: 'u' } });
    expect((await api('DELETE', `/api/v1/machines/${m.body.id}`)).status).toBe(204);
    expect((await api('GET', `/api/v1/machines/${m.body.id}`)).status).toBe(404);
    const [row] = await t.db.query<{ deleted_at: Date | null }>('SELECT deleted_at FROM machines WHERE id = $1', [
      m.body.id,
    ]);
    expect(row!.deleted_at).not.toBeNull();
  });

  it('round trip: API → queue → worker → jobs row finished', async () => {
    const job = await api('POST', '/api/v1/system/selftest', { body: { echo: 'ping' } });
    expect(job.status).toBe(201);
    expect(job.body).toMatchObject({ kind: 'system.selftest', status: 'queued' });
    let view = job.body;
    const deadline = Date.now() + 10_000;
    while (view.status !== 'ok' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      view = (await api('GET', `/api/v1/jobs/${job.body.id}`)).body;
    }
    expect(view).toMatchObject({
      status: 'ok',
      attempt: 1,
      result: { echo: 'ping', service: 'apt-worker' },
      requestedBy: { type: 'user' },
    });
    // The jobs row closes first; the worker then tells pg-boss, a moment later on a loaded machine.
    const bossState = async () =>
      (await t.db.query<{ state: string }>(`SELECT state FROM pgboss.job WHERE id = $1`, [job.body.id]))[0]?.state;
    let state = await bossState();
    while (state !== 'completed' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      state = await bossState();
    }
    expect(state).toBe('completed');
    // The deep check writes a job, so it needs a token (ADR 0014); the shallow one stays public.
    expect((await api('GET', '/ready?deep=1', { token: null })).status).toBe(401);
    const deep = await api('GET', '/ready?deep=1');
    expect(deep.body.checks.worker).toBe('ok');
  });

  it('keeps the master key in a 0600 file in the data directory', () => {
    const key = readFileSync(join(t.gw.dataDir, 'master.key'), 'utf8').trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('cancels a queued job (it never runs), refuses to cancel a finished one, retries as a new linked job, filters the list', async () => {
    await t.gw.stopWorker();
    const since = new Date(Date.now() - 1000).toISOString();
    const queued = (await api('POST', '/api/v1/system/selftest', { body: { echo: 'never' } })).body;
    const cancelled = await api('POST', `/api/v1/jobs/${queued.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', errorKind: 'cancelled' });
    await t.gw.restartWorker();
    await new Promise((r) => setTimeout(r, 500));
    expect((await api('GET', `/api/v1/jobs/${queued.id}`)).body).toMatchObject({
      status: 'cancelled',
      startedAt: null,
    });
    const again = await api('POST', `/api/v1/jobs/${queued.id}/cancel`);
    expect(again.status).toBe(409);
    const retry = await api('POST', `/api/v1/jobs/${queued.id}/retry`);
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ retryOfJobId: queued.id, kind: 'system.selftest', payload: { echo: 'never' } });
    expect(await t.gw.waitJob(retry.body.id)).toMatchObject({ status: 'ok', result: { echo: 'never' } });
    expect((await api('POST', `/api/v1/jobs/${retry.body.id}/retry`)).status).toBe(409);
    const listed = (
      await api('GET', `/api/v1/jobs?kind=system.selftest&status=cancelled&from=${encodeURIComponent(since)}`)
    ).body as { id: string }[];
    expect(listed.map((j) => j.id)).toEqual([queued.id]);
    expect((await api('GET', '/api/v1/jobs?from=yesterday')).status).toBe(400);
  });
});
