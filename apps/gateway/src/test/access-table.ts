/**
 * WHO MAY DO WHAT — the one written table of access, checked by `access-table.int-spec.ts` against every operation of
 * the OpenAPI document the running gateway serves (ADR 0014). A route without a row fails that test, and so does a
 * row without a route.
 *
 * Columns (the kinds of caller the test makes):
 *   none     no token
 *   read     API client, scopes [read]
 *   operate  API client, scopes [operate]
 *   admin    a user with the admin role (login session)
 *   hermes   API client of kind `hermes` (the assistant) with scopes [admin]: whatever its scopes, it may only read
 *            and propose (`POST /action-requests`)
 *   byTag    API client, scopes [admin], limited to the machines tagged `web`
 *   byId     API client, scopes [admin], limited to named machines
 * The scoped clients hold `admin` so their column shows the machine-scope rule alone, not the scope levels.
 *
 * Cells: OK (the route lets the caller through and answers one of the row's `answers`), or the status that refuses
 * it (401 no token, 403 refused, 404 hidden, 400 a route for login sessions only — password, sessions, second factor
 * — called with an API token, which has none of those). For a route bound to one machine (a machine, job or request id in the
 * path, or a machine id in the body), the scoped columns hold a pair: [on a machine in its scope, on one outside].
 * Reads outside the scope answer 404 (as if it did not exist), acts 403. Fleet-level routes (no single machine:
 * schedules, settings, API clients, selftest) refuse scoped clients with 403; lists are filtered instead, and `sees`
 * checks that unscoped callers see both test machines and scoped ones only theirs.
 *
 * HOW TO ADD A ROW (a new route):
 *   1. Key: `METHOD /path` exactly as the OpenAPI document spells it (path parameters in braces: `/api/v1/x/{id}`).
 *   2. `who`: one cell per column, as above. A machine-bound route uses pairs for byTag and byId.
 *   3. `answers`: what the route itself answers a caller it lets through (default: any 2xx).
 *   4. `call`: path parameters and body for a real call, built from the fixture (`fx`) for the target machine; use
 *      the fixture's `fresh*` helpers when the call uses its object up (delete, approve, cancel).
 *   5. A list over machine data: `sees` returns the machine ids in its answer.
 *   6. A call that ends the caller's own token: `last: true` (it runs after every other row).
 */

export const OK = 'ok' as const;
export type Outcome = typeof OK | 400 | 401 | 403 | 404;
/** On a machine-bound route: [outcome on a machine in the scope, outcome on a machine outside it]. */
export type Pair = readonly [Outcome, Outcome];
export type Caller = 'none' | 'read' | 'operate' | 'admin' | 'hermes' | 'byTag' | 'byId';
export const CALLERS: readonly Caller[] = ['none', 'read', 'operate', 'admin', 'hermes', 'byTag', 'byId'];

export type Target = 'in' | 'out';

/** Objects the test creates before the walk: one of each on a machine in the scoped clients' scope, one outside. */
export interface Fixture {
  adminPassword: string;
  machine: Record<Target, string>;
  tags: Record<Target, string[]>;
  job: Record<Target, string>;
  request: Record<Target, string>;
  hostKey: Record<Target, string>;
  report: Record<Target, string>;
  rawLog: Record<Target, string>;
  schedule: string;
  run: string;
  /** A machine nobody else uses (to delete); `in` ones are in both scoped clients' scopes. */
  freshMachine(t: Target): Promise<string>;
  /** A queued job on the machine (the worker is stopped during the walk). */
  freshJob(t: Target): Promise<string>;
  /** A cancelled job on the machine (to retry). */
  freshCancelledJob(t: Target): Promise<string>;
  /** A pending action request on the machine, made by the admin. */
  freshRequest(t: Target): Promise<string>;
  /** An unacknowledged important message on the machine. */
  freshMessage(t: Target): Promise<string>;
  freshApiClient(): Promise<string>;
  /** A viewer made by the admin. */
  freshUser(): Promise<string>;
  /** A viewer made by the admin, logged in once: its id and that session's id. */
  freshUserSession(): Promise<{ userId: string; sessionId: string }>;
  /** Another session of the walk's admin user (the session a caller ends is never its own). */
  freshOwnSession(): Promise<string>;
  freshSchedule(): Promise<string>;
}

export interface Call {
  params?: Record<string, string>;
  body?: unknown;
  query?: string;
}

export interface AccessRow {
  who: {
    none: Outcome;
    read: Outcome;
    operate: Outcome;
    admin: Outcome;
    hermes: Outcome;
    byTag: Outcome | Pair;
    byId: Outcome | Pair;
  };
  answers?: readonly number[];
  call?: (fx: Fixture, t: Target) => Call | Promise<Call>;
  sees?: (body: unknown) => string[];
  last?: boolean;
}

const SCHEDULE = {
  name: 'walked',
  cron: '30 3 * * *',
  timezone: 'UTC',
  scope: { tags: ['web'] },
  actions: ['apt_update_analyze'],
};

let walkedUsers = 0;

/** An id no object has: the walk reaches the route, which answers 404. */
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000015';

const onMachine = (fx: Fixture, t: Target): Call => ({ params: { id: fx.machine[t] } });

/** An id nothing has: routes on objects the fixture does not make answer their own 404 to a caller let through. */
const WALKED_ID = '00000000-0000-4000-8000-00000000d0c1';
/** A read of one machine's data; a change only an admin makes; an action an operator may take. */
const MACHINE_READ = {
  none: 401,
  read: OK,
  operate: OK,
  admin: OK,
  hermes: OK,
  byTag: [OK, 404],
  byId: [OK, 404],
} as const;
const MACHINE_ADMIN = {
  none: 401,
  read: 403,
  operate: 403,
  admin: OK,
  hermes: 403,
  byTag: [OK, 403],
  byId: [OK, 403],
} as const;
const MACHINE_OPERATE = {
  none: 401,
  read: 403,
  operate: OK,
  admin: OK,
  hermes: 403,
  byTag: [OK, 403],
  byId: [OK, 403],
} as const;
/** A fleet-level change only an unscoped admin makes. */
const FLEET_ADMIN = { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 } as const;

/** The machines of a list of jobs or requests. */
const machineIdsOf = (b: unknown): string[] =>
  (b as { machineId: string | null }[]).flatMap((x) => (x.machineId ? [x.machineId] : []));

export const ACCESS_TABLE: Record<string, AccessRow> = {
  // ── health (public) ──
  'GET /health': { who: { none: OK, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK } },
  'GET /api/v1/health': { who: { none: OK, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK } },
  'GET /ready': { who: { none: OK, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK } },
  'GET /api/v1/ready': { who: { none: OK, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK } },

  // ── auth ──
  'POST /api/v1/auth/login': {
    who: { none: OK, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK },
    call: (fx) => ({ body: { username: 'admin', password: fx.adminPassword } }),
  },
  // Public: the browser flow of an OpenID Connect sign-in. The walk's gateway has no provider configured, so both
  // answer 404 "not configured" to every caller; oidc.int-spec.ts covers them with a provider.
  'GET /api/v1/auth/oidc/login': {
    who: { none: OK, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK },
    answers: [404],
  },
  'GET /api/v1/auth/oidc/callback': {
    who: { none: OK, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK },
    answers: [404],
    call: () => ({ query: 'state=walked&code=walked' }),
  },
  'GET /api/v1/auth/me': { who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK } },
  'POST /api/v1/auth/password': {
    // The walk must not end the harness's session, so the current password is wrong: the route's own 400 shows the
    // guard let the caller through (accounts.int-spec.ts changes passwords for real).
    who: { none: 401, read: 400, operate: 400, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    answers: [400],
    call: () => ({ body: { currentPassword: 'not the password', newPassword: 'a walked new passphrase' } }),
  },
  'GET /api/v1/auth/sessions': {
    who: { none: 401, read: 400, operate: 400, admin: OK, hermes: 400, byTag: 403, byId: 403 },
  },
  'DELETE /api/v1/auth/sessions/{id}': {
    who: { none: 401, read: 400, operate: 400, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: async (fx) => ({ params: { id: await fx.freshOwnSession() } }),
  },
  // The caller's own web UI preferences: users only (an API token has no user: 400).
  'GET /api/v1/me/preferences': {
    who: { none: 401, read: 400, operate: 400, admin: OK, hermes: 400, byTag: 403, byId: 403 },
  },
  'PUT /api/v1/me/preferences': {
    who: { none: 401, read: 400, operate: 400, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: () => ({ body: { theme: 'dark', density: 'compact', language: 'fr' } }),
  },
  'POST /api/v1/auth/totp': {
    // Enrolment only stores a pending secret: login asks for a code once one is confirmed.
    who: { none: 401, read: 400, operate: 400, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: (fx) => ({ body: { password: fx.adminPassword } }),
  },
  'POST /api/v1/auth/totp/confirm': {
    // A wrong code: the route's own 400 (accounts.int-spec.ts confirms a real one).
    who: { none: 401, read: 400, operate: 400, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    answers: [400],
    call: () => ({ body: { code: '000000' } }),
  },
  'POST /api/v1/auth/totp/disable': {
    // Nothing confirmed, nothing to disable: the route's own 409.
    who: { none: 401, read: 400, operate: 400, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    answers: [409],
    call: (fx) => ({ body: { password: fx.adminPassword, code: '000000' } }),
  },
  // Ends every other session of the caller's user, the harness's included: last, before the logout.
  'DELETE /api/v1/auth/sessions': {
    who: { none: 401, read: 400, operate: 400, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    last: true,
  },
  'POST /api/v1/auth/logout': {
    // A user's session ends (204); an API token has no session (400: it is revoked through /api-clients).
    who: { none: 401, read: 400, operate: 400, admin: OK, hermes: 400, byTag: 400, byId: 400 },
    last: true,
  },

  // ── users (fleet-level, admin) ──
  'GET /api/v1/users': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 },
  },
  'POST /api/v1/users': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: () => ({ body: { username: `walked-${++walkedUsers}`, role: 'viewer' } }),
  },
  'PATCH /api/v1/users/{id}': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: async (fx) => ({ params: { id: await fx.freshUser() }, body: { role: 'operator' } }),
  },
  'POST /api/v1/users/{id}/deactivate': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: async (fx) => ({ params: { id: await fx.freshUser() } }),
  },
  'GET /api/v1/users/{id}/sessions': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 },
    call: async (fx) => ({ params: { id: (await fx.freshUserSession()).userId } }),
  },
  'DELETE /api/v1/users/{id}/sessions': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: async (fx) => ({ params: { id: (await fx.freshUserSession()).userId } }),
  },
  'DELETE /api/v1/users/{id}/sessions/{sessionId}': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: async (fx) => {
      const { userId, sessionId } = await fx.freshUserSession();
      return { params: { id: userId, sessionId } };
    },
  },

  // ── API clients (fleet-level, admin) ──
  'GET /api/v1/api-clients': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 },
  },
  'POST /api/v1/api-clients': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: () => ({ body: { label: 'walked', scopes: ['read'] } }),
  },
  'DELETE /api/v1/api-clients/{id}': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: async (fx) => ({ params: { id: await fx.freshApiClient() } }),
  },

  // ── machines ──
  'GET /api/v1/machines': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK },
    call: () => ({ query: 'limit=500' }),
    sees: (b) => (b as { items: { id: string }[] }).items.map((m) => m.id),
  },
  'POST /api/v1/machines': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: () => ({ body: { name: 'walked', hostname: '127.0.0.1', port: 1, username: 'admin' } }),
  },
  'GET /api/v1/machines/{id}': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: onMachine,
  },
  'PATCH /api/v1/machines/{id}': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: [OK, 403], byId: [OK, 403] },
    call: (fx, t) => ({ ...onMachine(fx, t), body: { notes: 'walked' } }),
  },
  'PUT /api/v1/machines/{id}/credentials': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: [OK, 403], byId: [OK, 403] },
    call: (fx, t) => ({
      ...onMachine(fx, t),
      body: { authMethod: 'password', password: 'walked-pw', sudoMode: 'root' },
    }),
  },
  // Tags decide scopes: only an unscoped admin changes them, even on a machine in the client's scope.
  'PUT /api/v1/machines/{id}/tags': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: [403, 403], byId: [403, 403] },
    call: (fx, t) => ({ ...onMachine(fx, t), body: { tags: fx.tags[t] } }),
  },
  'DELETE /api/v1/machines/{id}': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: [OK, 403], byId: [OK, 403] },
    call: async (fx, t) => ({ params: { id: await fx.freshMachine(t) } }),
  },
  'GET /api/v1/machines/{id}/events': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: onMachine,
  },

  // ── machine access ──
  'POST /api/v1/machines/{id}/test-connection': {
    who: { none: 401, read: 403, operate: OK, admin: OK, hermes: 403, byTag: [OK, 403], byId: [OK, 403] },
    call: onMachine,
  },
  'POST /api/v1/machines/{id}/probe': {
    who: { none: 401, read: 403, operate: OK, admin: OK, hermes: 403, byTag: [OK, 403], byId: [OK, 403] },
    call: onMachine,
  },
  'GET /api/v1/machines/{id}/host-keys': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: onMachine,
  },
  'POST /api/v1/machines/{id}/host-keys/{keyId}/approve': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: [OK, 403], byId: [OK, 403] },
    call: (fx, t) => ({ params: { id: fx.machine[t], keyId: fx.hostKey[t] } }),
  },
  'GET /api/v1/settings/host-key-policy': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 },
  },
  'PUT /api/v1/settings/host-key-policy': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: () => ({ body: { policy: 'trust_first_use' } }),
  },

  // ── machine actions and history ──
  'POST /api/v1/machines/{id}/actions': {
    who: { none: 401, read: 403, operate: OK, admin: OK, hermes: 403, byTag: [OK, 403], byId: [OK, 403] },
    call: (fx, t) => ({ ...onMachine(fx, t), body: { action: 'apt_update_analyze' } }),
  },
  'GET /api/v1/machines/{id}/snapshots/latest': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: onMachine,
  },
  'GET /api/v1/machines/{id}/snapshots': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: onMachine,
  },
  'GET /api/v1/machines/{id}/executions': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: onMachine,
  },
  'GET /api/v1/machines/{id}/important-messages': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: onMachine,
  },
  'POST /api/v1/machines/{id}/important-messages/{messageId}/acknowledge': {
    who: { none: 401, read: 403, operate: OK, admin: OK, hermes: 403, byTag: [OK, 403], byId: [OK, 403] },
    call: async (fx, t) => ({ params: { id: fx.machine[t], messageId: await fx.freshMessage(t) } }),
  },
  'GET /api/v1/machines/{id}/reports': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: onMachine,
  },
  'GET /api/v1/machines/{id}/reports/{reportId}/download': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: (fx, t) => ({ params: { id: fx.machine[t], reportId: fx.report[t] } }),
  },
  'GET /api/v1/machines/{id}/raw-logs/{artifactId}': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: (fx, t) => ({ params: { id: fx.machine[t], artifactId: fx.rawLog[t] } }),
  },
  // Counts per group, no machine ids; what each caller's scope lets it count: machine-tiles.int-spec.ts.
  'GET /api/v1/updates/pending': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK },
  },
  'GET /api/v1/updates/pending/machines': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK },
    call: () => ({ query: 'dedupKey=pkg-shared' }),
    sees: (b) => (b as { items: { id: string }[] }).items.map((m) => m.id),
  },
  'GET /api/v1/repositories': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK },
    sees: (b) => (b as { machines: { machineId: string }[] }).machines.map((m) => m.machineId),
  },

  // ── docker (issue 13). Objects the fixture does not make (stacks, roots, alerts, registries) are random ids: the
  // route's own 404 shows the guard let the caller through; docker.lab-spec.ts uses them for real. ──
  'GET /api/v1/machines/{id}/docker/roots': { who: MACHINE_READ, call: onMachine },
  'POST /api/v1/machines/{id}/docker/roots': {
    who: MACHINE_ADMIN,
    answers: [201, 409],
    call: (fx, t) => ({ ...onMachine(fx, t), body: { path: '/srv/walked', scanDepth: 2 } }),
  },
  'PATCH /api/v1/machines/{id}/docker/roots/{rootId}': {
    who: MACHINE_ADMIN,
    answers: [404],
    call: (fx, t) => ({ params: { id: fx.machine[t], rootId: WALKED_ID }, body: { enabled: false } }),
  },
  'DELETE /api/v1/machines/{id}/docker/roots/{rootId}': {
    who: MACHINE_ADMIN,
    answers: [404],
    call: (fx, t) => ({ params: { id: fx.machine[t], rootId: WALKED_ID } }),
  },
  'GET /api/v1/machines/{id}/docker/settings': { who: MACHINE_READ, call: onMachine },
  'PATCH /api/v1/machines/{id}/docker/settings': {
    who: MACHINE_ADMIN,
    call: (fx, t) => ({ ...onMachine(fx, t), body: { scanDepth: 3 } }),
  },
  'GET /api/v1/machines/{id}/docker/stacks': { who: MACHINE_READ, call: onMachine },
  'GET /api/v1/machines/{id}/docker/stacks/{stackId}': {
    who: MACHINE_READ,
    answers: [404],
    call: (fx, t) => ({ params: { id: fx.machine[t], stackId: WALKED_ID } }),
  },
  'PUT /api/v1/machines/{id}/docker/stacks/{stackId}/status': {
    who: MACHINE_OPERATE,
    answers: [404],
    call: (fx, t) => ({ params: { id: fx.machine[t], stackId: WALKED_ID }, body: { status: 'ignored' } }),
  },
  'GET /api/v1/machines/{id}/docker/stacks/{stackId}/services/{service}/logs': {
    who: MACHINE_READ,
    answers: [404],
    call: (fx, t) => ({ params: { id: fx.machine[t], stackId: WALKED_ID, service: 'web' } }),
  },
  'GET /api/v1/machines/{id}/docker/stacks/{stackId}/services/{service}/logs/stream': {
    who: MACHINE_READ,
    answers: [404],
    call: (fx, t) => ({ params: { id: fx.machine[t], stackId: WALKED_ID, service: 'web' } }),
  },
  'GET /api/v1/machines/{id}/docker/alerts': { who: MACHINE_READ, call: onMachine },
  'POST /api/v1/machines/{id}/docker/alerts/{alertId}/acknowledge': {
    who: MACHINE_OPERATE,
    answers: [404],
    call: (fx, t) => ({ params: { id: fx.machine[t], alertId: WALKED_ID } }),
  },
  'GET /api/v1/machines/{id}/docker/image-events': { who: MACHINE_READ, call: onMachine },
  'GET /api/v1/docker/updates': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK },
    sees: (b) => (b as { uses: { machineId: string }[] }[]).flatMap((g) => g.uses.map((u) => u.machineId)),
  },
  'POST /api/v1/docker/check': {
    who: { none: 401, read: 403, operate: OK, admin: OK, hermes: 403, byTag: 403, byId: 403 },
  },
  'GET /api/v1/docker/registries': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 },
  },
  'PUT /api/v1/docker/registries': {
    who: FLEET_ADMIN,
    call: () => ({ body: { host: 'registry.walked.example:5000', insecure: false } }),
  },
  'PUT /api/v1/docker/registries/{registryId}/credentials': {
    who: FLEET_ADMIN,
    answers: [404],
    call: () => ({ params: { registryId: WALKED_ID }, body: { username: 'walked', password: 'walked-registry-pw' } }),
  },
  'DELETE /api/v1/docker/registries/{registryId}/credentials': {
    who: FLEET_ADMIN,
    answers: [404],
    call: () => ({ params: { registryId: WALKED_ID } }),
  },
  'DELETE /api/v1/docker/registries/{registryId}': {
    who: FLEET_ADMIN,
    answers: [404],
    call: () => ({ params: { registryId: WALKED_ID } }),
  },

  // ── jobs ──
  'GET /api/v1/jobs': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK },
    call: () => ({ query: 'limit=500' }),
    sees: (b) => machineIdsOf(b),
  },
  'GET /api/v1/jobs/{id}': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: (fx, t) => ({ params: { id: fx.job[t] } }),
  },
  // The fixture's jobs are no maintenance runs: the route lets the caller through and answers 404.
  'GET /api/v1/jobs/{id}/maintenance': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    answers: [404],
    call: (fx, t) => ({ params: { id: fx.job[t] } }),
  },
  'POST /api/v1/jobs/{id}/cancel': {
    who: { none: 401, read: 403, operate: OK, admin: OK, hermes: 403, byTag: [OK, 403], byId: [OK, 403] },
    call: async (fx, t) => ({ params: { id: await fx.freshJob(t) } }),
  },
  'POST /api/v1/jobs/{id}/retry': {
    who: { none: 401, read: 403, operate: OK, admin: OK, hermes: 403, byTag: [OK, 403], byId: [OK, 403] },
    call: async (fx, t) => ({ params: { id: await fx.freshCancelledJob(t) } }),
  },
  'POST /api/v1/system/selftest': {
    who: { none: 401, read: 403, operate: OK, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: () => ({ body: {} }),
  },

  // ── chart aggregates ──
  'GET /api/v1/stats/fleet': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 },
    call: () => ({ query: 'days=7' }),
  },
  'GET /api/v1/machines/{id}/stats': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: onMachine,
  },
  // ── host metrics (issue 20, ADR 0044) ──
  'GET /api/v1/machines/{id}/metrics': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: onMachine,
  },
  'GET /api/v1/settings/host-metrics': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 },
  },
  'PUT /api/v1/settings/host-metrics': {
    who: FLEET_ADMIN,
    call: () => ({ body: { sampleIntervalSeconds: 300, diskThresholdPercent: 90 } }),
  },

  // ── Prometheus scrape target: `metrics:read` or admin (ADR 0034); the assistant holds admin; fleet-level ──
  'GET /metrics': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 },
  },

  // ── live events (the test opens the stream, reads the status, and closes it) ──
  'GET /api/v1/events/stream': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK },
  },

  // ── schedules and runs (span machines: fleet-level) ──
  'GET /api/v1/schedules': { who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 } },
  'POST /api/v1/schedules': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: () => ({ body: SCHEDULE }),
  },
  // A preview saves nothing: the assistant may call it, like a read.
  'POST /api/v1/schedules/preview': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 },
    answers: [200],
    call: () => ({ body: { cron: SCHEDULE.cron, timezone: 'Europe/Paris', scope: { all: true } } }),
  },
  'GET /api/v1/schedules/{id}': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 },
    call: (fx) => ({ params: { id: fx.schedule } }),
  },
  'GET /api/v1/schedules/{id}/preview': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 },
    call: (fx) => ({ params: { id: fx.schedule } }),
  },
  'GET /api/v1/schedules/{id}/runs': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 },
    call: (fx) => ({ params: { id: fx.schedule } }),
  },
  'GET /api/v1/schedules/runs/{runId}': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 },
    call: (fx) => ({ params: { runId: fx.run } }),
  },
  'PUT /api/v1/schedules/{id}': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: (fx) => ({ params: { id: fx.schedule }, body: SCHEDULE }),
  },
  'DELETE /api/v1/schedules/{id}': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: async (fx) => ({ params: { id: await fx.freshSchedule() } }),
  },

  // ── action requests (the assistant may propose; a person decides) ──
  'POST /api/v1/action-requests': {
    who: { none: 401, read: 403, operate: OK, admin: OK, hermes: OK, byTag: [OK, 403], byId: [OK, 403] },
    call: (fx, t) => ({ body: { machineId: fx.machine[t], action: 'apt_clean' } }),
  },
  'POST /mcp': {
    // The assistant's MCP endpoint: API tokens of kind mcp/hermes only (any scope); every tool filters by the machine
    // scope itself. A plain call without MCP's Accept header is let through and refused by the transport (406).
    who: { none: 401, read: 403, operate: 403, admin: 403, hermes: OK, byTag: 403, byId: 403 },
    answers: [406],
    call: () => ({ body: { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} } }),
  },
  'GET /api/v1/assistant/usage': {
    // The assistant's token usage per day and client: fleet-level accounting for admins (the hermes fixture is admin).
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 },
    call: () => ({ query: 'days=7' }),
  },
  'GET /api/v1/action-requests': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: OK, byId: OK },
    call: () => ({ query: 'limit=500' }),
    sees: (b) => machineIdsOf(b),
  },
  'GET /api/v1/action-requests/{id}': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: (fx, t) => ({ params: { id: fx.request[t] } }),
  },
  'POST /api/v1/action-requests/{id}/approve': {
    who: { none: 401, read: 403, operate: OK, admin: OK, hermes: 403, byTag: [OK, 403], byId: [OK, 403] },
    call: async (fx, t) => ({ params: { id: await fx.freshRequest(t) }, body: {} }),
  },
  'POST /api/v1/action-requests/{id}/reject': {
    who: { none: 401, read: 403, operate: OK, admin: OK, hermes: 403, byTag: [OK, 403], byId: [OK, 403] },
    call: async (fx, t) => ({ params: { id: await fx.freshRequest(t) }, body: {} }),
  },

  // ── settings (fleet-level) ──
  'GET /api/v1/settings/approvals': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 },
  },
  'PUT /api/v1/settings/approvals': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: () => ({ body: { requireDistinctApprover: false } }),
  },
  // ── notifications (issue 16, ADR 0035): admins only; the walk's calls on one channel use an id that does not
  // exist (notifications.int-spec.ts covers their success).
  'GET /api/v1/notifications/channels': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 },
  },
  'POST /api/v1/notifications/channels': {
    who: FLEET_ADMIN,
    call: () => ({ body: { name: 'walked', kind: 'ntfy', config: { url: 'http://127.0.0.1:9', topic: 'walk' } } }),
  },
  'GET /api/v1/notifications/channels/{id}': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 },
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID } }),
  },
  'PATCH /api/v1/notifications/channels/{id}': {
    who: FLEET_ADMIN,
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID }, body: { enabled: false } }),
  },
  'DELETE /api/v1/notifications/channels/{id}': {
    who: FLEET_ADMIN,
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID } }),
  },
  'PUT /api/v1/notifications/channels/{id}/rules': {
    who: FLEET_ADMIN,
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID }, body: { rules: [{ event: 'host_key_changed' }] } }),
  },
  'POST /api/v1/notifications/channels/{id}/test': {
    who: FLEET_ADMIN,
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID }, body: {} }),
  },
  'GET /api/v1/notifications/deliveries': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 },
  },
  // ── retention, clean-up and system metrics (issue 16): fleet-level.
  'GET /api/v1/maintenance/retention': { who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 } },
  'PUT /api/v1/maintenance/retention': {
    who: FLEET_ADMIN,
    call: () => ({
      body: {
        history: { keepLastPerMachine: 20, keepDays: 90 },
        rawArtifactsDays: 30,
        reportsDays: 90,
        machineEventsDays: 180,
        auditDays: 365,
        liveEventsHours: 168,
      },
    }),
  },
  'POST /api/v1/maintenance/cleanup': { who: FLEET_ADMIN, call: () => ({ body: { mode: 'dry_run' } }) },
  'GET /api/v1/maintenance/cleanup/runs': { who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 } },
  'GET /api/v1/maintenance/system-metrics': { who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 } },
  // ── network discovery (issue 20): fleet-level, admin only. The walk's allow-list stays empty and its scan asks for
  // a block larger than the size cap: the route answers 400 and nothing is ever sent.
  'GET /api/v1/discovery/settings': { who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 } },
  'PUT /api/v1/discovery/settings': {
    who: FLEET_ADMIN,
    call: () => ({
      body: {
        allowedCidrs: [],
        maxAddresses: 1024,
        concurrency: 32,
        connectsPerSecond: 100,
        connectTimeoutMs: 2000,
        reverseDns: false,
      },
    }),
  },
  'POST /api/v1/discovery/scans': { who: FLEET_ADMIN, answers: [400], call: () => ({ body: { cidr: '10.0.0.0/8' } }) },
  'GET /api/v1/discovery/scans': { who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 } },
  'GET /api/v1/discovery/scans/{id}': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 },
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID } }),
  },
  'GET /api/v1/discovery/scans/{id}/candidates': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 },
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID } }),
  },
  'POST /api/v1/discovery/scans/{id}/candidates/{candidateId}/machine': {
    who: FLEET_ADMIN,
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID, candidateId: NO_SUCH_ID }, body: { name: 'walked', username: 'admin' } }),
  },
  // ── post-install (issue 15). The walk has no profile fixture: routes on one profile or recipe are called with an id
  // that does not exist and answer 404 to those let through (post-install.int-spec.ts covers their success).
  'GET /api/v1/install-profiles': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 },
  },
  'POST /api/v1/install-profiles': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: () => ({ body: { label: 'walked', category: 'walk' } }),
  },
  'GET /api/v1/install-profiles/{id}': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 },
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID } }),
  },
  'POST /api/v1/install-profiles/{id}/recipes': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID }, body: { label: 'walked', template: 'true', manifest: {} } }),
  },
  'GET /api/v1/install-recipes/{id}/versions': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 },
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID } }),
  },
  'POST /api/v1/install-recipes/{id}/versions': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID }, body: { template: 'true', manifest: {} } }),
  },
  // A preview changes nothing, but it is a POST: the assistant rule refuses it like any other (ADR 0014).
  'POST /api/v1/install-recipes/{id}/render': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID }, body: {} }),
  },
  'POST /api/v1/machines/{id}/install-recipes/{recipeId}/render': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: 403, byTag: [OK, 403], byId: [OK, 403] },
    answers: [404],
    call: (fx, t) => ({ params: { id: fx.machine[t], recipeId: NO_SUCH_ID }, body: {} }),
  },
  'GET /api/v1/machines/{id}/profile-state': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: onMachine,
  },
  'GET /api/v1/machines/{id}/bootstrap-state': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: [OK, 404], byId: [OK, 404] },
    call: onMachine,
  },
  'GET /api/v1/variable-presets': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 },
  },
  'POST /api/v1/variable-presets': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: 403, byTag: 403, byId: 403 },
    call: () => ({ body: { scope: 'global', name: 'walked', variables: {} } }),
  },
  // ── web terminal (issue 20, ADR 0043): settings readable like the other settings, sessions for admins. The
  // terminal itself is a WebSocket upgrade (no OpenAPI operation); terminal.int-spec.ts covers who may open one.
  'GET /api/v1/settings/terminal': {
    who: { none: 401, read: OK, operate: OK, admin: OK, hermes: OK, byTag: 403, byId: 403 },
  },
  'PUT /api/v1/settings/terminal': {
    who: FLEET_ADMIN,
    call: () => ({ body: { enabled: false, idleTimeoutSeconds: 900, maxDurationSeconds: 14400, logInput: false } }),
  },
  'GET /api/v1/terminal/sessions': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 },
  },
  'GET /api/v1/terminal/sessions/{id}': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 },
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID } }),
  },
  'GET /api/v1/terminal/sessions/{id}/commands': {
    who: { none: 401, read: 403, operate: 403, admin: OK, hermes: OK, byTag: 403, byId: 403 },
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID } }),
  },
  'POST /api/v1/terminal/sessions/{id}/close': {
    who: FLEET_ADMIN,
    answers: [404],
    call: () => ({ params: { id: NO_SUCH_ID }, body: {} }),
  },
};
