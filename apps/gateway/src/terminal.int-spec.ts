import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackSshServer, type LoopbackSshServer } from '@su/testing';
import { gatewayPerFile } from './test/gateway.harness.ts';

// The web terminal (issue 20, ADR 0043) over real HTTP and a real WebSocket, to an SSH server on 127.0.0.1: who may
// open one, refusals before the handshake (disabled, no scope, foreign Origin) and after it (changed host key, blocked
// machine), a session's life and record, input lines without what is typed at a password prompt.

const SSH_USER = 'admin';
const SSH_PW = 'loopback-pw-Qe71';
const t = gatewayPerFile();
let ssh: LoopbackSshServer;
let machineId: string;

/** A raw handshake: the HTTP status and problem body of a refusal, or 101. */
function handshake(path: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const url = new URL(path, t.gw.base);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: null });
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** An open terminal: everything it received as text, the JSON messages, and its close. */
interface Term {
  ws: WebSocket;
  output: () => string;
  messages: any[];
  closed: Promise<{ code: number; reason: string }>;
  send: (msg: object) => void;
}

function openTerminal(id: string, token: string, query = 'cols=100&rows=30'): Term {
  const url = `${t.gw.base.replace('http', 'ws')}/api/v1/machines/${id}/terminal?${query}`;
  // Node's WebSocket (undici) takes headers beside the standard arguments.
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } } as any);
  ws.binaryType = 'arraybuffer';
  let out = '';
  const messages: any[] = [];
  ws.addEventListener('message', (ev: MessageEvent) => {
    if (typeof ev.data === 'string') messages.push(JSON.parse(ev.data));
    else out += Buffer.from(ev.data as ArrayBuffer).toString('utf8');
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener('close', (ev: CloseEvent) => resolve({ code: ev.code, reason: ev.reason })),
  );
  const send = (msg: object) => ws.send(JSON.stringify(msg));
  return { ws, output: () => out, messages, closed, send };
}

async function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const opened = (term: Term) => until('opened', () => term.messages.find((m) => m.type === 'opened'));

async function setSettings(body: Record<string, unknown>) {
  const res = await t.gw.api('PUT', '/api/v1/settings/terminal', {
    body: { enabled: true, idleTimeoutSeconds: 900, maxDurationSeconds: 3600, logInput: true, ...body },
  });
  expect(res.status).toBe(200);
  return res.body;
}

async function token(scopes: string[], extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.gw.api('POST', '/api/v1/api-clients', { body: { label: `t-${scopes.join('-')}`, scopes, ...extra } });
  expect(res.status).toBe(201);
  return res.body.token;
}

describe('web terminal', () => {
  beforeAll(async () => {
    ssh = await startLoopbackSshServer({ username: SSH_USER, password: SSH_PW });
    const res = await t.gw.api('POST', '/api/v1/machines', {
      body: {
        name: 'shell-box',
        hostname: '127.0.0.1',
        port: ssh.port,
        username: SSH_USER,
        credentials: { authMethod: 'password', password: SSH_PW, sudoMode: 'same_as_ssh' },
      },
    });
    expect(res.status).toBe(201);
    machineId = res.body.id;
  });
  afterAll(async () => {
    await ssh?.close();
  });

  it('is off by default: the handshake is refused 403 terminal_disabled, nothing reaches the machine', async () => {
    expect((await t.gw.api('GET', '/api/v1/settings/terminal')).body).toMatchObject({ enabled: false, logInput: false });
    const res = await handshake(`/api/v1/machines/${machineId}/terminal`, { authorization: `Bearer ${t.gw.adminToken}` });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ status: 403, reason: 'terminal_disabled' });
    expect(ssh.sizes).toEqual([]);
    const list = await t.gw.api('GET', '/api/v1/terminal/sessions');
    expect(list.body).toEqual([]);
  });

  it('refuses before the handshake: no token, operate without the scope, the assistant, a foreign Origin, bad settings', async () => {
    await setSettings({});
    const path = `/api/v1/machines/${machineId}/terminal`;
    expect((await handshake(path, {})).status).toBe(401);
    const operate = await handshake(path, { authorization: `Bearer ${await token(['operate'])}` });
    expect(operate.status).toBe(403);
    expect(operate.body.detail).toContain('"terminal" scope');
    const hermes = await token(['admin'], { clientKind: 'hermes' });
    expect((await handshake(path, { authorization: `Bearer ${hermes}` })).status).toBe(403);
    // A page on another site opening the socket with the admin's cookie; and the cookie without any Origin.
    const cookie = `su_session=${t.gw.adminToken}`;
    expect((await handshake(path, { cookie, origin: 'https://evil.example' })).status).toBe(403);
    expect((await handshake(path, { cookie })).status).toBe(401);
    expect((await handshake(`/api/v1/machines/00000000-0000-4000-8000-000000000000/terminal`, { authorization: `Bearer ${t.gw.adminToken}` })).status).toBe(404);
    expect((await handshake('/api/v1/nowhere', { authorization: `Bearer ${t.gw.adminToken}` })).status).toBe(404);
    const bad = await t.gw.api('PUT', '/api/v1/settings/terminal', {
      body: { enabled: true, idleTimeoutSeconds: 1, maxDurationSeconds: 3600, logInput: 'yes' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(['idleTimeoutSeconds', 'logInput']);
    expect(ssh.sizes).toEqual([]);
  });

  it('a terminal-scoped token and the browser cookie with its own Origin are let through', async () => {
    const path = `/api/v1/machines/${machineId}/terminal`;
    const scoped = await handshake(path, { authorization: `Bearer ${await token(['terminal'])}` });
    expect(scoped.status).toBe(101);
    const host = new URL(t.gw.base).host;
    const cookie = await handshake(path, { cookie: `su_session=${t.gw.adminToken}`, origin: `http://${host}` });
    expect(cookie.status).toBe(101);
    // Both sockets went at once: their sessions, opened behind them, end by themselves.
    const sessions = await until('both sessions ended', async () => {
      const all = (await t.gw.api('GET', '/api/v1/terminal/sessions')).body;
      return all.length === 2 && all.every((s: any) => s.status === 'closed') && ssh.openShells === 0 ? all : null;
    });
    expect(sessions.map((s: any) => `${s.openedBy.type}:${s.endReason}`).sort()).toEqual([
      'api_client:user_closed',
      'user:user_closed',
    ]);    // A terminal-only token reads nothing else.
    const onlyTerminal = await token(['terminal']);
    expect((await t.gw.api('GET', '/api/v1/machines', { token: onlyTerminal })).status).toBe(403);
  });

  it('runs a shell: output, resize, input lines logged without the password, closed and recorded', async () => {
    await setSettings({ logInput: true });
    const term = openTerminal(machineId, t.gw.adminToken);
    const hello = await opened(term);
    expect(hello).toMatchObject({ inputLogging: true, idleTimeoutSeconds: 900, maxDurationSeconds: 3600 });
    expect(ssh.sizes.at(-1)).toEqual({ cols: 100, rows: 30 });
    term.send({ type: 'input', data: 'echo hello-$((6*7))\r' });
    await until('the command output', () => term.output().includes('hello-42'));
    term.send({ type: 'resize', cols: 132, rows: 43 });
    await until('the resize at the server', () => ssh.sizes.some((s) => s.cols === 132 && s.rows === 43));
    term.send({ type: 'input', data: "printf '[sudo] password for admin: '; read -r pw; echo got-it\r" });
    await until('the prompt', () => term.output().includes('password for admin:'));
    term.send({ type: 'input', data: 'Top' });
    term.send({ type: 'input', data: 'Secret-9\r' });
    await until('the answer', () => term.output().includes('got-it'));
    term.send({ type: 'input', data: 'whoami\r' });
    await until('whoami', () => /got-it[\s\S]*\n/.test(term.output()));
    term.ws.close(1000, 'done');
    await term.closed;
    const session = await until('the closed row', async () => {
      const s = (await t.gw.api('GET', `/api/v1/terminal/sessions/${hello.sessionId}`)).body;
      return s.status === 'closed' ? s : null;
    });
    expect(session).toMatchObject({
      machineId,
      machineName: 'shell-box',
      openedBy: { type: 'user', label: 'admin' },
      sshUsername: SSH_USER,
      endReason: 'user_closed',
      inputLogging: true,
      hostKeyFingerprint: ssh.hostKeyFingerprint,
    });
    expect(Date.parse(session.closedAt)).toBeGreaterThanOrEqual(Date.parse(session.openedAt));
    expect(session.durationMs).toBeGreaterThanOrEqual(0);
    const commands = (await t.gw.api('GET', `/api/v1/terminal/sessions/${hello.sessionId}/commands`)).body;
    expect(commands.map((c: any) => (c.hidden ? '<hidden>' : c.line))).toEqual([
      'echo hello-$((6*7))',
      "printf '[sudo] password for admin: '; read -r pw; echo got-it",
      '<hidden>',
      'whoami',
    ]);
    const rows = await t.db.query<{ line: string | null }>('SELECT line FROM ssh_terminal_commands');
    expect(JSON.stringify(rows)).not.toContain('Secret-9');
    await until('the shell ended at the server', () => ssh.openShells === 0);
  });

  it('with logging off no line is stored; an admin closes an open session; the list filters', async () => {
    await setSettings({ logInput: false });
    const term = openTerminal(machineId, t.gw.adminToken);
    const hello = await opened(term);
    term.send({ type: 'input', data: 'echo not-logged\r' });
    await until('output', () => term.output().includes('not-logged'));
    const open = (await t.gw.api('GET', `/api/v1/terminal/sessions?status=open&machineId=${machineId}`)).body;
    expect(open.map((s: any) => s.id)).toEqual([hello.sessionId]);
    const closed = await t.gw.api('POST', `/api/v1/terminal/sessions/${hello.sessionId}/close`);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', endReason: 'closed_by_admin', closedBy: 'admin' });
    expect((await term.closed).code).toBe(4000);
    expect(term.messages.at(-1)).toEqual({ type: 'closed', reason: 'closed_by_admin' });
    expect((await t.gw.api('GET', `/api/v1/terminal/sessions/${hello.sessionId}/commands`)).body).toEqual([]);
    expect((await t.gw.api('POST', `/api/v1/terminal/sessions/${hello.sessionId}/close`)).body.endReason).toBe(
      'closed_by_admin',
    );
  });

  it('a session its gateway left open (SIGKILL) is closed gateway_lost; the sessions of live gateways keep beating', async () => {
    await setSettings({ logInput: false });
    const term = openTerminal(machineId, t.gw.adminToken);
    const hello = await opened(term);
    const heartbeatOf = async (id: string) =>
      (await t.db.query(`SELECT heartbeat_at FROM ssh_terminal_sessions WHERE id = $1::uuid`, [id]))[0].heartbeat_at as Date;
    const beat = await heartbeatOf(hello.sessionId);
    // What a killed gateway leaves behind: an open row whose heartbeat stopped ten minutes ago; beside it, a session
    // another gateway holds and still renews.
    const stoppedAt = new Date(Date.now() - 10 * 60_000);
    const row = async (gatewayId: string, openedAt: Date, heartbeatAt: Date) =>
      (
        await t.db.query(
          `INSERT INTO ssh_terminal_sessions (machine_id, opened_by_type, opened_by_id, opened_by_label, ssh_username,
             input_logging, gateway_id, opened_at, heartbeat_at)
           VALUES ($1::uuid, 'user', 'u', 'admin', 'admin', false, $2, $3, $4) RETURNING id::text`,
          [machineId, gatewayId, openedAt, heartbeatAt],
        )
      )[0].id as string;
    const lost = await row('gateway:elsewhere:4242:dead0000', new Date(stoppedAt.getTime() - 60_000), stoppedAt);
    const elsewhere = await row('gateway:elsewhere:4343:beat0000', new Date(), new Date());
    const closed = await until('the lost session closed', async () => {
      const s = (await t.gw.api('GET', `/api/v1/terminal/sessions/${lost}`)).body;
      return s.status === 'closed' ? s : null;
    });
    // Recorded closed at its gateway's last heartbeat, with why, and told on the machine's timeline.
    expect(closed).toMatchObject({ endReason: 'gateway_lost', closedAt: stoppedAt.toISOString(), durationMs: 60_000 });
    const events = await t.db.query(
      `SELECT message FROM machine_events WHERE event_type = 'terminal.closed' AND payload->>'terminalSessionId' = $1`,
      [lost],
    );
    expect(events).toEqual([{ message: 'web terminal closed (gateway_lost)' }]);
    // The session this gateway holds beats on and stays open, as does the other gateway's.
    await until('a heartbeat of the live session', async () => (await heartbeatOf(hello.sessionId)) > beat);
    for (const id of [hello.sessionId, elsewhere])
      expect((await t.gw.api('GET', `/api/v1/terminal/sessions/${id}`)).body.status, id).toBe('open');
    term.send({ type: 'input', data: 'echo still-here\r' });
    await until('output', () => term.output().includes('still-here'));
    term.ws.close(1000, 'done');
    await term.closed;
    await t.db.query(`UPDATE ssh_terminal_sessions SET status = 'closed' WHERE id = $1::uuid`, [elsewhere]);
  });

  it('a changed host key is refused and blocks the machine; the next attempt is refused before any connection', async () => {
    await setSettings({});
    const port = ssh.port;
    await ssh.close();
    ssh = await startLoopbackSshServer({ username: SSH_USER, password: SSH_PW, port });
    const first = openTerminal(machineId, t.gw.adminToken);
    const closed = await first.closed;
    expect(closed.code).toBe(4001);
    expect(first.messages[0]).toMatchObject({ type: 'error', errorKind: 'host_key_changed' });
    expect(first.output()).toBe('');
    const second = openTerminal(machineId, t.gw.adminToken);
    await second.closed;
    expect(second.messages[0]).toMatchObject({ type: 'error', errorKind: 'host_key_changed' });
    expect(ssh.sizes).toEqual([]);
    const machine = (await t.gw.api('GET', `/api/v1/machines/${machineId}`)).body;
    expect(machine.state.blocked).toBe(true);
    const sessions = (await t.gw.api('GET', `/api/v1/terminal/sessions?machineId=${machineId}`)).body;
    expect(sessions.every((s: any) => s.status === 'closed')).toBe(true);
  });
});
