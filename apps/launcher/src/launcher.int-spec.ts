import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childProcessEnv } from '@su/config';

/*
 * `npm start` end to end: the built launcher on a fresh data directory, with the embedded PostgreSQL. Proves the
 * first start prints a working admin login, Ctrl-C (SIGINT to the process group, as a terminal sends it) and
 * SIGTERM leave no process behind, a second start keeps the data, and the offline password reset works on the
 * stopped product's embedded database.
 */
const root = new URL('../../..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'su-launch-'));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

interface Started {
  child: ChildProcess;
  output: () => string;
  base: string;
}

const START_DEADLINE_MS = 240_000;

async function start(httpPort: number, pgPort: number): Promise<Started> {
  let out = '';
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', join(root, 'dist/apps/launcher/main.js')],
    {
      cwd: root,
      // A process group of its own, so the test can signal the whole tree like a terminal's Ctrl-C does.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childProcessEnv({
        DATABASE_URL: '',
        SU_DATA_DIR: dataDir,
        SU_HTTP_PORT: String(httpPort),
        SU_EMBEDDED_PG_PORT: String(pgPort),
      }),
    },
  );
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  // A cold start (embedded PostgreSQL, migrations, four services) takes seconds on a quiet machine and over a
  // minute on a shared one under load; this is a deadline to give up, not a measure.
  const deadline = Date.now() + START_DEADLINE_MS;
  while (!out.includes('system-update is running') && Date.now() < deadline && child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!out.includes('system-update is running')) {
    // Stop what did start (its PostgreSQL would hold the data directory for the next test).
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
    await waitExit(child);
    throw new Error(`launcher did not start:\n${out}`);
  }
  return { child, output: () => out, base: `http://127.0.0.1:${httpPort}` };
}

/** PIDs of processes whose command line mentions our data directory or our built apps. */
function ourProcesses(): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map((pid) => {
      try {
        return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`;
      } catch {
        return '';
      }
    })
    .filter((l) => l.includes(dataDir) || (l.includes('dist/apps/') && l.includes(root) && !l.includes('vitest')));
}

async function waitExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

async function waitGone(ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  let left = ourProcesses();
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    left = ourProcesses();
  }
  return left;
}

let httpPort: number;
let pgPort: number;

beforeAll(async () => {
  const build = spawnSync(process.execPath, [join(root, 'tools/build/build.mjs')], { cwd: root, encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);
  httpPort = await freePort();
  pgPort = await freePort();
}, 360_000);

afterAll(() => {
  for (const l of ourProcesses()) process.kill(Number(l.split(' ')[0]), 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function login(base: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function changePassword(base: string, token: string, current: string, next: string): Promise<number> {
  const res = await fetch(`${base}/api/v1/auth/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ currentPassword: current, newPassword: next }),
  });
  return res.status;
}

/** The offline reset command (what `npm run admin:reset-password` runs after building it) on the test's data. */
function resetPassword(pgPort: number): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [join(root, 'dist/apps/admin/main.js'), 'reset-password', '--username', 'admin'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: childProcessEnv({ DATABASE_URL: '', SU_DATA_DIR: dataDir, SU_EMBEDDED_PG_PORT: String(pgPort) }),
  });
}

describe('npm start (launcher)', () => {
  let machineId: string;
  let adminPassword: string;

  it('first start: /health 200, prints an admin login that works; Ctrl-C leaves nothing running', async () => {
    const s = await start(httpPort, pgPort);
    expect((await fetch(`${s.base}/health`)).status).toBe(200);
    const printed = /password: (\S+)/.exec(s.output())?.[1] ?? '';
    expect(printed).toMatch(/^\S{20}$/);
    const token = await login(s.base, printed);
    // The printed password must be changed first: until then only /auth/me, the change and logout answer.
    adminPassword = `${printed}-changed`;
    expect(await changePassword(s.base, token, printed, adminPassword)).toBe(200);
    const created = await fetch(`${s.base}/api/v1/machines`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'kept', hostname: 'kept.lan', username: 'admin' }),
    });
    expect(created.status).toBe(201);
    machineId = ((await created.json()) as { id: string }).id;
    // The deep check sends a job through a worker, so it needs a token (ADR 0014).
    const ready = await fetch(`${s.base}/ready?deep=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { worker: 'ok' } });
    expect(ourProcesses().length).toBeGreaterThanOrEqual(5);

    process.kill(-s.child.pid!, 'SIGINT');
    expect(await waitExit(s.child)).toBe(0);
    expect(await waitGone(10_000)).toEqual([]);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(s.output()).toContain('launcher     | stopped');
  }, 360_000);

  it('second start keeps the data and prints no new password; SIGTERM to the launcher stops everything', async () => {
    const s = await start(httpPort, pgPort);
    expect(s.output()).not.toMatch(/password: /);
    expect(readFileSync(join(dataDir, 'master.key'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    const token = await login(s.base, adminPassword);
    const res = await fetch(`${s.base}/api/v1/machines/${machineId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: machineId, name: 'kept' });
    // The offline reset refuses to touch the database of a running product.
    const refused = resetPassword(pgPort);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('in use');
    process.kill(s.child.pid!, 'SIGTERM');
    expect(await waitExit(s.child)).toBe(0);
    expect(await waitGone(10_000)).toEqual([]);
  }, 360_000);

  it('offline reset with the product stopped: prints a new password once; it logs in and must be changed', async () => {
    const reset = resetPassword(pgPort);
    expect(reset.status, reset.stderr).toBe(0);
    const password = /new password: (\S+)/.exec(reset.stdout)?.[1] ?? '';
    expect(password).toMatch(/^\S{20}$/);
    expect(await waitGone(10_000)).toEqual([]);

    const s = await start(httpPort, pgPort);
    const old = await fetch(`${s.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: adminPassword }),
    });
    expect(old.status).toBe(401);
    const token = await login(s.base, password);
    const blocked = await fetch(`${s.base}/api/v1/machines`, { headers: { authorization: `Bearer ${token}` } });
    expect(blocked.status).toBe(403);
    expect(await changePassword(s.base, token, password, `${password}-mine`)).toBe(200);
    process.kill(s.child.pid!, 'SIGTERM');
    expect(await waitExit(s.child)).toBe(0);
    expect(await waitGone(10_000)).toEqual([]);
  }, 360_000);
});
