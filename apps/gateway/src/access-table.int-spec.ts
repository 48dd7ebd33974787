import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayPerFile } from './test/gateway.harness.ts';
import {
  ACCESS_TABLE,
  CALLERS,
  OK,
  type AccessRow,
  type Call,
  type Caller,
  type Fixture,
  type Outcome,
  type Target,
} from './test/access-table.ts';

/*
 * Acceptance (issue 9, ADR 0014): every operation of the OpenAPI document the running gateway serves, called by every
 * kind of caller, answers what `test/access-table.ts` says — and a route without a row fails.
 */

const t = gatewayPerFile();
const api = (...a: Parameters<typeof t.gw.api>) => t.gw.api(...a);

async function must(method: string, path: string, body?: unknown, token?: string) {
  const res = await api(method, path, { body, ...(token === undefined ? {} : { token }) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}

async function client(label: string, extra: Record<string, unknown>): Promise<{ id: string; token: string }> {
  return must('POST', '/api/v1/api-clients', { label, scopes: ['admin'], ...extra });
}

async function machine(name: string, tags: string[]): Promise<string> {
  const body = {
    name,
    hostname: '127.0.0.1',
    port: 1,
    username: 'admin',
    tags,
    credentials: { authMethod: 'password', password: 'fixture-pw', sudoMode: 'root' },
  };
  return (await must('POST', '/api/v1/machines', body)).id;
}

const tokens = {} as Record<Caller, string | null>;
const ids = {} as Record<Caller, string>;
let fx: Fixture;

const FRESH_USER_PASSWORD = 'a fresh user passphrase';
let users = 0;
const freshUser = async (): Promise<string> =>
  (await must('POST', '/api/v1/users', { username: `fresh-${++users}`, role: 'viewer', password: FRESH_USER_PASSWORD }))
    .id;

/** Everything the table's calls name, on a machine inside the scoped clients' scope and on one outside it. */
async function buildFixture(): Promise<Fixture> {
  const tags: Record<Target, string[]> = { in: ['prod', 'web'], out: ['db', 'prod'] };
  const machines = { in: await machine('web-in', tags.in), out: await machine('db-out', tags.out) };
  // Machines to delete: in both scoped clients' scope (the id-scoped client's ids are fixed at its creation).
  const pool: string[] = [];
  for (let i = 0; i < 8; i++) pool.push(await machine(`web-spare-${i}`, tags.in));
  const each = async <T>(fn: (t: Target) => Promise<T>): Promise<Record<Target, T>> => ({
    in: await fn('in'),
    out: await fn('out'),
  });
  const freshJob = async (tg: Target) =>
    (await must('POST', `/api/v1/machines/${machines[tg]}/actions`, { action: 'apt_clean' })).id as string;
  const freshRequest = async (tg: Target) =>
    (await must('POST', '/api/v1/action-requests', { machineId: machines[tg], action: 'apt_clean' })).id as string;
  const hostKey = await each(async (tg) => {
    const [r] = await t.db.query<{ id: string }>(
      `INSERT INTO machine_host_keys (machine_id, hostname, port, key_type, fingerprint_sha256, status)
       VALUES ($1, '127.0.0.1', 1, 'ssh-ed25519', 'SHA256:fixture', 'pending') RETURNING id`,
      [machines[tg]],
    );
    return r!.id;
  });
  const report = await each(async (tg) => {
    const path = join(t.gw.dataDir, `report-${tg}.md`);
    writeFileSync(path, `# report ${tg}\n`);
    const [r] = await t.db.query<{ id: string }>(
      `INSERT INTO reports (machine_id, kind, title, path) VALUES ($1, 'apt_upgrade', 'fixture report', $2) RETURNING id`,
      [machines[tg], path],
    );
    return r!.id;
  });
  const rawLog = await each(async (tg) => {
    const path = join(t.gw.dataDir, `raw-${tg}.log`);
    writeFileSync(path, `$ apt-get -s upgrade\n`);
    const [r] = await t.db.query<{ id: string }>(
      `INSERT INTO raw_artifacts (machine_id, kind, path) VALUES ($1, 'raw_log', $2) RETURNING id`,
      [machines[tg], path],
    );
    return r!.id;
  });
  await each(async (tg) => {
    const [s] = await t.db.query<{ id: string }>(
      `INSERT INTO snapshots (machine_id, kind, status, payload) VALUES ($1, 'apt_update_analyze', 'ok', '{}') RETURNING id`,
      [machines[tg]],
    );
    // One pending change both machines need: the machines of its group are what a caller's scope filters.
    await t.db.query(
      `INSERT INTO apt_planned_packages (snapshot_id, machine_id, mode, name, operation, dedup_key)
       VALUES ($1, $2, 'upgrade', $3, 'upgrade', 'pkg-shared')`,
      [s!.id, machines[tg], `pkg-${tg}`],
    );
    // A compose service with an update on each machine, for the fleet's Docker view.
    const [st] = await t.db.query<{ id: string }>(
      `INSERT INTO docker_compose_stacks (machine_id, name, working_dir, compose_files_json, status, choice)
       VALUES ($1, 'fixture', '/srv/fixture', '[]', 'enabled', 'enabled') RETURNING id`,
      [machines[tg]],
    );
    await t.db.query(
      `INSERT INTO docker_stack_services (stack_id, service_name, image_ref, status) VALUES ($1, 'web', 'r/web:1', 'updates_available')`,
      [st!.id],
    );
  });
  const freshSchedule = async () =>
    (
      await must('POST', '/api/v1/schedules', {
        name: 'fixture',
        cron: '0 4 * * *',
        timezone: 'UTC',
        scope: { tags: ['web'] },
        actions: ['apt_update_analyze'],
      })
    ).id as string;
  const schedule = await freshSchedule();
  const [run] = await t.db.query<{ id: string }>(
    `INSERT INTO schedule_runs (schedule_id, slot_at, status, actions_json) VALUES ($1, now(), 'done', '[]') RETURNING id`,
    [schedule],
  );
  return {
    adminPassword: t.gw.adminPassword,
    machine: machines,
    tags,
    job: await each(freshJob),
    request: await each(freshRequest),
    hostKey,
    report,
    rawLog,
    schedule,
    run: run!.id,
    freshMachine: async (tg) => (tg === 'in' ? pool.pop()! : machine('db-spare', ['db'])),
    freshJob,
    freshCancelledJob: async (tg) => {
      const id = await freshJob(tg);
      await must('POST', `/api/v1/jobs/${id}/cancel`);
      return id;
    },
    freshRequest,
    freshMessage: async (tg) => {
      const [m] = await t.db.query<{ id: string }>(
        `INSERT INTO important_messages (machine_id, source, category, severity, message)
         VALUES ($1, 'apt', 'warning', 'warning', 'fixture message') RETURNING id`,
        [machines[tg]],
      );
      return m!.id;
    },
    freshApiClient: async () =>
      (await must('POST', '/api/v1/api-clients', { label: 'to revoke', scopes: ['read'] })).id,
    freshUser,
    freshUserSession: async () => {
      const userId = await freshUser();
      const username = (await must('GET', '/api/v1/users')).find((u: { id: string }) => u.id === userId).username;
      await must('POST', '/api/v1/auth/login', { username, password: FRESH_USER_PASSWORD }, '');
      const [s] = await t.db.query<{ id: string }>(`SELECT id FROM user_sessions WHERE user_id = $1`, [userId]);
      return { userId, sessionId: s!.id };
    },
    freshOwnSession: async () => {
      const { token } = await must(
        'POST',
        '/api/v1/auth/login',
        { username: 'admin', password: t.gw.adminPassword },
        '',
      );
      const own = (await must('GET', '/api/v1/auth/sessions', undefined, token)) as { id: string; current: boolean }[];
      return own.find((s) => s.current)!.id;
    },
    freshSchedule,
  };
}

beforeAll(async () => {
  // Jobs stay queued during the walk (cancel, retry and approvals act on them; nothing reaches a machine).
  await t.gw.stopWorker();
  fx = await buildFixture();
  tokens.none = null;
  const login = await must('POST', '/api/v1/auth/login', { username: 'admin', password: t.gw.adminPassword }, '');
  tokens.admin = login.token;
  ids.admin = login.user.id;
  const made: [Caller, Record<string, unknown>][] = [
    ['read', { scopes: ['read'] }],
    ['operate', { scopes: ['operate'] }],
    ['hermes', { clientKind: 'hermes' }],
    ['byTag', { machineScope: { tags: ['web'] } }],
    ['byId', { machineScope: { machineIds: [fx.machine.in, ...(await poolIds())] } }],
  ];
  for (const [caller, extra] of made) {
    const c = await client(caller, extra);
    tokens[caller] = c.token;
    ids[caller] = c.id;
  }
}, 60_000);

afterAll(async () => {
  await t.gw.restartWorker();
});

async function poolIds(): Promise<string[]> {
  const rows = await t.db.query<{ id: string }>(`SELECT id FROM machines WHERE name LIKE 'web-spare-%'`);
  return rows.map((r) => r.id);
}

interface Answer {
  status: number;
  body: unknown;
}

/** One real call; the event stream is opened, its status read, and closed. */
async function perform(op: string, call: Call, token: string | null): Promise<Answer> {
  const [method, template] = op.split(' ') as [string, string];
  let path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = call.params?.[name];
    if (!v) throw new Error(`${op}: no value for path parameter ${name}`);
    return v;
  });
  if (call.query) path += `?${call.query}`;
  if (op === 'GET /api/v1/events/stream') {
    const ctrl = new AbortController();
    const res = await fetch(`${t.gw.base}${path}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: ctrl.signal,
    });
    ctrl.abort();
    return { status: res.status, body: null };
  }
  const res = await api(method, path, { token, ...(call.body === undefined ? {} : { body: call.body }) });
  return { status: res.status, body: res.body };
}

function expected(row: AccessRow, caller: Caller, target: Target): Outcome {
  const cell = row.who[caller];
  return Array.isArray(cell) ? cell[target === 'in' ? 0 : 1] : (cell as Outcome);
}

function targetsOf(row: AccessRow): Target[] {
  return Array.isArray(row.who.byTag) || Array.isArray(row.who.byId) ? ['in', 'out'] : ['in'];
}

function allowed(row: AccessRow, status: number): boolean {
  return row.answers ? row.answers.includes(status) : status >= 200 && status < 300;
}

/** What a list shows a caller: unscoped callers see both test machines, scoped ones only the one in their scope. */
function visibilityProblem(row: AccessRow, caller: Caller, body: unknown): string | null {
  if (!row.sees) return null;
  const seen = new Set(row.sees(body));
  const scoped = caller === 'byTag' || caller === 'byId';
  if (!seen.has(fx.machine.in)) return 'does not show the machine in scope';
  if (scoped && seen.has(fx.machine.out)) return 'shows a machine outside the scope';
  if (!scoped && !seen.has(fx.machine.out)) return 'hides a machine from an unscoped caller';
  return null;
}

async function walk(ops: [string, AccessRow][]): Promise<{ calls: number; problems: string[] }> {
  const problems: string[] = [];
  let calls = 0;
  for (const [op, row] of ops) {
    for (const caller of CALLERS) {
      for (const target of targetsOf(row)) {
        const want = expected(row, caller, target);
        const got = await perform(op, row.call ? await row.call(fx, target) : {}, tokens[caller]);
        calls++;
        const where = `${op} as ${caller}${targetsOf(row).length > 1 ? ` on the ${target}-scope machine` : ''}`;
        if (want === OK ? !allowed(row, got.status) : got.status !== want)
          problems.push(
            `${where}: expected ${want === OK ? `the route's answer (${row.answers ?? '2xx'})` : want}, got ${got.status} ${JSON.stringify(got.body)?.slice(0, 200)}`,
          );
        else if (want === OK) {
          const v = visibilityProblem(row, caller, got.body);
          if (v) problems.push(`${where}: ${v}`);
        }
      }
    }
  }
  return { calls, problems };
}

describe('access table (issue 9 acceptance, ADR 0014)', () => {
  it('has exactly one row for every operation of the OpenAPI document', async () => {
    const doc = (await api('GET', '/api/docs-json', { token: null })).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const methods = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];
    const ops = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => methods.includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(ops.length).toBeGreaterThan(40);
    const missing = ops.filter((op) => !(op in ACCESS_TABLE));
    const stale = Object.keys(ACCESS_TABLE).filter((op) => !ops.includes(op));
    expect(missing, 'routes without a row in apps/gateway/src/test/access-table.ts').toEqual([]);
    expect(stale, 'rows for routes the API does not have').toEqual([]);
  });

  it('never opens the credentials of a machine outside the caller’s scope (test-connection)', async () => {
    const decrypted = async (machineId: string, actorId: string) =>
      (
        await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM machine_events WHERE event_type = 'credentials.decrypted' AND machine_id = $1 AND actor_id = $2`,
          [machineId, actorId],
        )
      )[0]!.n;
    for (const caller of ['byTag', 'byId'] as const) {
      // Logout ran last in the walk: fresh clients with the same scopes.
      const scope = caller === 'byTag' ? { tags: ['web'] } : { machineIds: [fx.machine.in] };
      const c = await client(`${caller} again`, { machineScope: scope });
      const out = await api('POST', `/api/v1/machines/${fx.machine.out}/test-connection`, { token: c.token });
      expect(out.status).toBe(403);
      expect(await decrypted(fx.machine.out, c.id)).toBe(0);
      // The same call in scope does open them (so the count above is a real observation).
      const inside = await api('POST', `/api/v1/machines/${fx.machine.in}/test-connection`, { token: c.token });
      expect(inside.status).toBe(200);
      expect(await decrypted(fx.machine.in, c.id)).toBe(1);
    }
  });

  // Last: its final rows end the callers' sessions (the harness's too).
  it('answers every operation, for every kind of caller, as the table says (in-scope and out-of-scope machines)', async () => {
    const rows = Object.entries(ACCESS_TABLE);
    const first = await walk(rows.filter(([, r]) => !r.last));
    const last = await walk(rows.filter(([, r]) => r.last));
    console.log(`access table: ${rows.length} operations, ${first.calls + last.calls} calls`);
    expect([...first.problems, ...last.problems]).toEqual([]);
  }, 240_000);
});
