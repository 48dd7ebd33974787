// Action requests over real HTTP on a real database: creation bound to the plan of the latest analysis, approval
// that creates the job with the approved plan, rejection, expiry, and who may decide (scope, the assistant, an API
// client's machine scope).
import { describe, expect, it } from 'vitest';
import { ActionRequestsService } from '@su/approvals';
import { planHash, type PlannedChange } from '@su/contracts';
import { CapturingLogger, gatewayPerFile } from './test/gateway.harness.ts';

const t = gatewayPerFile();
const api = (...a: Parameters<typeof t.gw.api>) => t.gw.api(...a);

const pkg = (name: string, from: string | null, to: string | null, operation: string, keptBack = false) => ({
  name,
  arch: 'amd64',
  currentVersion: from,
  targetVersion: to,
  origin: 'Debian:12.10/stable',
  originName: 'Debian',
  suite: 'stable',
  operation,
  security: name === 'openssl',
  keptBack,
  held: false,
  phased: false,
  dedupKey: `debian|${name}|${from ?? ''}|${to ?? ''}|Debian:12.10/stable`,
});

/** An analysis as the apt-worker records it: openssl and libssl3 upgradable, homelab-demo needs a new dependency. */
const ANALYSIS = {
  packages: [
    pkg('openssl', '3.0.1', '3.0.2', 'upgrade'),
    pkg('libssl3', '3.0.1', '3.0.2', 'upgrade'),
    pkg('homelab-demo', '1.0', '1.2', 'upgrade', true),
  ],
  installed: [pkg('homelab-dep', null, '1.0', 'install')],
  removed: [],
};
const change = (name: string, to: string | null, operation = 'upgrade'): PlannedChange => ({
  name,
  arch: 'amd64',
  targetVersion: to,
  operation,
});

async function machine(name: string, tags: string[]): Promise<string> {
  const res = await api('POST', '/api/v1/machines', {
    body: { name, hostname: `${name}.invalid`, username: 'admin', tags },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

async function analyse(machineId: string, apt = ANALYSIS, status = 'updates_available'): Promise<string> {
  const payload = {
    schemaVersion: 1,
    kind: 'apt_update_analyze',
    machineId,
    hostname: 'x.invalid',
    os: { family: 'debian', version: '12' },
    checkedAt: new Date().toISOString(),
    status,
    apt: { enabled: true, count: apt.packages.length, rebootRequired: false, status, ...apt },
    errors: [],
  };
  const [row] = await t.db.query<{ id: string }>(
    `INSERT INTO snapshots (machine_id, kind, status, payload) VALUES ($1, 'apt_update_analyze', $2, $3) RETURNING id`,
    [machineId, status, JSON.stringify(payload)],
  );
  return row!.id;
}

const issued: string[] = [];
async function client(
  label: string,
  body: Record<string, unknown>,
): Promise<{ id: string; token: string; body: Record<string, unknown> }> {
  const res = await api('POST', '/api/v1/api-clients', { body: { label, ...body } });
  expect(res.status, res.text).toBe(201);
  issued.push(res.body.token);
  return { id: res.body.id, token: res.body.token, body: res.body };
}

const request = (body: Record<string, unknown>, token?: string) =>
  api('POST', '/api/v1/action-requests', { body, ...(token === undefined ? {} : { token }) });
const row = async (id: string) => (await t.db.query(`SELECT * FROM action_requests WHERE id = $1`, [id]))[0];
const jobsOf = (requestId: string) => t.db.query(`SELECT * FROM jobs WHERE request_id = $1`, [requestId]);
const events = (type: string, requestId: string) =>
  t.db.query(`SELECT * FROM machine_events WHERE event_type = $1 AND payload->>'requestId' = $2`, [type, requestId]);

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await what();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    v = await what();
  }
  return v;
}

describe('action requests API', () => {
  it('binds an apt_upgrade request to the plan of the latest analysis (409 before one); approval creates the job with that plan; the request ends executed', async () => {
    const web = await machine('web1', ['web']);
    const early = await request({ machineId: web, action: 'apt_upgrade' });
    expect(early.status).toBe(409);
    expect(early.body.detail).toMatch(/web1 has no APT analysis yet: analyse first/);
    expect(await t.db.query(`SELECT id FROM action_requests`)).toEqual([]);

    const snapshotId = await analyse(web);
    const t0 = Date.now();
    const created = await request({ machineId: web, action: 'apt_upgrade' });
    expect(created.status, created.text).toBe(201);
    const approvedChanges = [change('openssl', '3.0.2'), change('libssl3', '3.0.2')];
    expect(created.body).toMatchObject({
      machineId: web,
      machineName: 'web1',
      action: 'apt_upgrade',
      risk: 'medium',
      status: 'pending',
      requestedBy: { type: 'user', label: 'admin' },
      planHash: planHash(approvedChanges),
      snapshotId,
      allowPlanSuperset: false,
      jobId: null,
      summary: 'apt_upgrade on web1: 2 packages (openssl 3.0.1 → 3.0.2, libssl3 3.0.1 → 3.0.2)',
    });
    // Upgrade keeps homelab-demo back (it needs a new package): not part of what is approved.
    expect(created.body.payload.plan).toEqual(approvedChanges);
    expect(created.body.payload.packages.map((p: { name: string }) => p.name)).toEqual(['openssl', 'libssl3']);
    const ttl = Date.parse(created.body.expiresAt) - t0;
    expect(ttl).toBeGreaterThan(1439 * 60_000);
    expect(ttl).toBeLessThanOrEqual(1440 * 60_000 + 5_000);
    const id = created.body.id as string;
    expect(await events('action_request.created', id)).toHaveLength(1);

    const pending = await api('GET', `/api/v1/action-requests?status=pending&machineId=${web}`);
    expect(pending.body.map((r: { id: string }) => r.id)).toEqual([id]);
    expect((await api('GET', '/api/v1/action-requests?status=approved')).body).toEqual([]);
    expect((await api('GET', '/api/v1/action-requests?requestedByType=hermes')).body).toEqual([]);
    expect((await api('GET', `/api/v1/action-requests/${id}`)).body.id).toBe(id);
    expect((await api('GET', `/api/v1/action-requests/00000000-0000-4000-8000-000000000000`)).status).toBe(404);

    const approved = await api('POST', `/api/v1/action-requests/${id}/approve`, {
      body: { note: 'maintenance window' },
    });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'approved',
      approvedBy: 'admin',
      decisionNote: 'maintenance window',
    });
    expect(approved.body.approvedAt).toBeTruthy();
    const [job] = await jobsOf(id);
    expect(job).toMatchObject({ id: approved.body.jobId, kind: 'apt.upgrade', machine_id: web, request_id: id });
    expect(job.payload).toEqual({
      approvedPlan: { requestId: id, hash: planHash(approvedChanges), changes: approvedChanges, allowSuperset: false },
    });
    expect(await events('action_request.approved', id)).toHaveLength(1);

    // The job runs (and fails here: the machine has no credentials); however it ends, the request is executed.
    const done = await t.gw.waitJob(job.id);
    expect(done.status).toBe('error');
    const executed = await until(
      () => row(id),
      (r) => r.status === 'executed',
    );
    expect(executed).toMatchObject({ status: 'executed', job_id: job.id });
    expect(executed.executed_at).toBeTruthy();

    const again = await api('POST', `/api/v1/action-requests/${id}/approve`, { body: {} });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/is executed; only a pending request can be approved/);
    expect(await jobsOf(id)).toHaveLength(1);
  });

  it('binds a dist-upgrade to the whole plan (kept-back and new packages), with superset allowed when asked; refuses a package upgrade does not plan', async () => {
    const web = await machine('web2', ['web']);
    await analyse(web);
    const named = await request({ machineId: web, action: 'apt_upgrade', options: { packages: ['homelab-demo'] } });
    expect(named.status).toBe(409);
    expect(named.body.detail).toMatch(/not in the apt_upgrade plan .*: homelab-demo .*kept back/);

    const only = await request({ machineId: web, action: 'apt_upgrade', options: { packages: ['openssl'] } });
    expect(only.status, only.text).toBe(201);
    expect(only.body.payload).toMatchObject({ options: { packages: ['openssl'] }, plan: [change('openssl', '3.0.2')] });

    const dist = await request({ machineId: web, action: 'apt_dist_upgrade', allowPlanSuperset: true });
    expect(dist.status, dist.text).toBe(201);
    const changes = [
      change('openssl', '3.0.2'),
      change('libssl3', '3.0.2'),
      change('homelab-demo', '1.2'),
      change('homelab-dep', '1.0', 'install'),
    ];
    expect(dist.body).toMatchObject({ risk: 'high', allowPlanSuperset: true, planHash: planHash(changes) });
    expect(dist.body.summary).toBe(
      'apt_dist_upgrade on web2: 4 packages (openssl 3.0.1 → 3.0.2, libssl3 3.0.1 → 3.0.2, homelab-demo 1.0 → 1.2, … 1 more)',
    );
    await t.gw.stopWorker();
    try {
      const approved = await api('POST', `/api/v1/action-requests/${only.body.id}/approve`, { body: {} });
      expect(approved.status).toBe(200);
      const [job] = await jobsOf(only.body.id);
      expect(job.payload).toMatchObject({
        packages: ['openssl'],
        approvedPlan: { changes: [change('openssl', '3.0.2')] },
      });
      const distOk = await api('POST', `/api/v1/action-requests/${dist.body.id}/approve`, { body: {} });
      const [distJob] = await jobsOf(dist.body.id);
      expect(distJob).toMatchObject({ id: distOk.body.jobId, kind: 'apt.dist_upgrade' });
      expect(distJob.payload.approvedPlan).toMatchObject({ hash: planHash(changes), allowSuperset: true });
      expect(distJob.payload.approvedPlan.changes).toHaveLength(4);
    } finally {
      await t.gw.restartWorker();
    }

    // An analysis that failed has no plan to approve; one with nothing to do neither.
    await analyse(web, { packages: [], installed: [], removed: [] }, 'error');
    expect((await request({ machineId: web, action: 'apt_upgrade' })).body.detail).toMatch(/ended in error/);
    await analyse(web, { packages: [], installed: [], removed: [] }, 'ok');
    expect((await request({ machineId: web, action: 'apt_upgrade' })).body.detail).toMatch(/nothing to approve/);
  });

  it('binds an apt_autoremove request to the autoremove simulation of the latest analysis; none recorded: nothing to approve', async () => {
    const box = await machine('box1', ['web']);
    await analyse(box, { ...ANALYSIS, autoremove: [] } as typeof ANALYSIS);
    const none = await request({ machineId: box, action: 'apt_autoremove' });
    expect(none.status).toBe(409);
    expect(none.body.detail).toMatch(/nothing to approve/);
    const autoremove = [pkg('libold1', '1.0', null, 'remove'), pkg('homelab-dep', '1.0', null, 'remove')];
    await analyse(box, { ...ANALYSIS, autoremove } as typeof ANALYSIS);
    const req = await request({ machineId: box, action: 'apt_autoremove' });
    expect(req.status, req.text).toBe(201);
    const changes = [change('libold1', null, 'remove'), change('homelab-dep', null, 'remove')];
    expect(req.body).toMatchObject({ planHash: planHash(changes), payload: { plan: changes } });
    await t.gw.stopWorker();
    try {
      const approved = await api('POST', `/api/v1/action-requests/${req.body.id}/approve`, { body: {} });
      expect(approved.status, approved.text).toBe(200);
      const [job] = await jobsOf(req.body.id);
      expect(job).toMatchObject({ kind: 'apt.autoremove' });
      expect(job.payload.approvedPlan).toMatchObject({ hash: planHash(changes), changes });
    } finally {
      await t.gw.restartWorker();
    }
  });

  it('rejects: nothing runs, who and why are kept; a rejected request cannot be approved', async () => {
    const web = await machine('web3', ['web']);
    const created = await request({ machineId: web, action: 'reboot_verified', options: { maxWaitSeconds: 120 } });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      risk: 'high',
      planHash: null,
      payload: { options: { maxWaitSeconds: 120 } },
      summary: 'reboot_verified on web3 (down at most 120 s)',
    });
    const id = created.body.id;
    const rejected = await api('POST', `/api/v1/action-requests/${id}/reject`, { body: { note: 'not tonight' } });
    expect(rejected.status, rejected.text).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'rejected',
      rejectedBy: 'admin',
      decisionNote: 'not tonight',
      jobId: null,
    });
    expect(await jobsOf(id)).toEqual([]);
    expect(await events('action_request.rejected', id)).toHaveLength(1);
    const late = await api('POST', `/api/v1/action-requests/${id}/approve`, { body: {} });
    expect(late.status).toBe(409);
    expect(await jobsOf(id)).toEqual([]);
  });

  it('answers 400 naming the field for an unknown action, a misplaced option or an unknown property, and creates nothing', async () => {
    const web = await machine('web4', ['web']);
    const before = await t.db.query(`SELECT count(*)::int AS n FROM action_requests`);
    const unknown = await request({ machineId: web, action: 'format_disk' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400 });
    expect(unknown.body.errors).toEqual([
      { field: 'action', reasons: [expect.stringMatching(/^action must be one of: apt_update_analyze, /)] },
    ]);
    const misplaced = await request({ machineId: web, action: 'apt_clean', options: { packages: ['openssl'] } });
    expect(misplaced.status).toBe(400);
    expect(misplaced.body.errors).toEqual([
      { field: 'options.packages', reasons: ['packages is only allowed with the apt_upgrade action'] },
    ]);
    const superset = await request({ machineId: web, action: 'reboot_verified', allowPlanSuperset: true });
    expect(superset.body.errors.map((e: { field: string }) => e.field)).toEqual(['allowPlanSuperset']);
    const extra = await request({ machineId: web, action: 'apt_clean', approve: true });
    expect(extra.body.errors).toEqual([{ field: 'approve', reasons: ['property approve should not exist'] }]);
    const ttl = await request({ machineId: web, action: 'apt_clean', expiresInMinutes: 10081 });
    expect(ttl.body.errors.map((e: { field: string }) => e.field)).toEqual(['expiresInMinutes']);
    expect(await t.db.query(`SELECT count(*)::int AS n FROM action_requests`)).toEqual(before);
  });

  it('needs operate to approve: a read token gets 403 and nothing changes', async () => {
    const web = await machine('web5', ['web']);
    const id = (await request({ machineId: web, action: 'apt_clean' })).body.id;
    const reader = await client('dashboard', { scopes: ['read'] });
    expect((await api('GET', `/api/v1/action-requests/${id}`, { token: reader.token })).status).toBe(200);
    for (const verb of ['approve', 'reject']) {
      const res = await api('POST', `/api/v1/action-requests/${id}/${verb}`, { token: reader.token, body: {} });
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/needs the "operate" scope/);
    }
    expect(await request({ machineId: web, action: 'apt_clean' }, reader.token)).toMatchObject({ status: 403 });
    expect(await row(id)).toMatchObject({ status: 'pending', approved_by: null, rejected_by: null, job_id: null });
    expect(await jobsOf(id)).toEqual([]);
  });

  it('lets the assistant (hermes) propose but never decide; a person then approves', async () => {
    const web = await machine('web6', ['web']);
    const hermes = await client('hermes', { scopes: ['operate'], clientKind: 'hermes' });
    const created = await request(
      { machineId: web, action: 'apt_clean', summary: 'free some disk space' },
      hermes.token,
    );
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({
      requestedBy: { type: 'hermes', id: hermes.id, label: 'hermes' },
      summary: 'free some disk space',
      risk: 'low',
    });
    const id = created.body.id;
    expect(
      (await api('GET', '/api/v1/action-requests?requestedByType=hermes')).body.map((r: { id: string }) => r.id),
    ).toEqual([id]);
    for (const verb of ['approve', 'reject']) {
      const res = await api('POST', `/api/v1/action-requests/${id}/${verb}`, { token: hermes.token, body: {} });
      expect(res.status).toBe(403);
      // Refused by the guard's assistant rule (every executing route), before the service's own check.
      expect(res.body.detail).toMatch(/may read and propose actions .* but not execute or change anything/);
    }
    expect(await row(id)).toMatchObject({ status: 'pending', job_id: null });
    await t.gw.stopWorker();
    try {
      const ok = await api('POST', `/api/v1/action-requests/${id}/approve`, { body: {} });
      expect(ok.body).toMatchObject({ status: 'approved', approvedBy: 'admin' });
      const [job] = await jobsOf(id);
      expect(job).toMatchObject({ kind: 'apt.clean', requested_by_type: 'hermes', requested_by_id: hermes.id });
    } finally {
      await t.gw.restartWorker();
    }
  });

  it('refuses a scoped API client a machine outside its scope (request, machine action, approval): 403 and nothing changes', async () => {
    const inside = await machine('web7', ['web', 'prod']);
    const outside = await machine('db7', ['db', 'prod']);
    const empty = await api('POST', '/api/v1/api-clients', {
      body: { label: 'nothing', scopes: ['operate'], machineScope: {} },
    });
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([
      { field: 'machineScope', reasons: ['machineScope must name at least one tag or machine id'] },
    ]);
    const badTag = await api('POST', '/api/v1/api-clients', {
      body: { label: 'bad', scopes: ['operate'], machineScope: { tags: ['Not A Tag'] } },
    });
    expect(badTag.body.errors.map((e: { field: string }) => e.field)).toEqual(['machineScope.tags']);

    const scoped = await client('web deployer', { scopes: ['operate'], machineScope: { tags: ['web'] } });
    expect(scoped.body.machineScope).toEqual({ tags: ['web'] });
    expect(
      (await api('GET', '/api/v1/api-clients')).body.find((c: { id: string }) => c.id === scoped.id).machineScope,
    ).toEqual({ tags: ['web'] });
    const byId = await client('one machine', { scopes: ['operate'], machineScope: { machineIds: [outside] } });

    const before = await t.db.query(`SELECT count(*)::int AS n FROM action_requests`);
    const refused = await request({ machineId: outside, action: 'apt_clean' }, scoped.token);
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toBe(`machine ${outside} is outside this API client's machine scope`);
    expect(await t.db.query(`SELECT count(*)::int AS n FROM action_requests`)).toEqual(before);

    const jobsBefore = await t.db.query(`SELECT count(*)::int AS n FROM jobs WHERE machine_id = $1`, [outside]);
    const act = await api('POST', `/api/v1/machines/${outside}/actions`, {
      token: scoped.token,
      body: { action: 'apt_clean' },
    });
    expect(act.status).toBe(403);
    // The guard's machine-scope rule: the refusal names only the id the caller sent, not the machine.
    expect(act.body.detail).toBe(`machine ${outside} is outside this API client's machine scope`);
    expect(await t.db.query(`SELECT count(*)::int AS n FROM jobs WHERE machine_id = $1`, [outside])).toEqual(
      jobsBefore,
    );

    const id = (await request({ machineId: outside, action: 'apt_clean' })).body.id;
    const approve = await api('POST', `/api/v1/action-requests/${id}/approve`, { token: scoped.token, body: {} });
    expect(approve.status).toBe(403);
    expect(await row(id)).toMatchObject({ status: 'pending', job_id: null });

    // Inside the scope (by tag, or by id), the same calls go through.
    expect((await request({ machineId: inside, action: 'apt_clean' }, scoped.token)).status).toBe(201);
    await t.gw.stopWorker();
    try {
      expect(
        (
          await api('POST', `/api/v1/machines/${inside}/actions`, {
            token: scoped.token,
            body: { action: 'apt_clean' },
          })
        ).status,
      ).toBe(201);
      const ok = await api('POST', `/api/v1/action-requests/${id}/approve`, { token: byId.token, body: {} });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body).toMatchObject({ status: 'approved', approvedBy: 'one machine' });
    } finally {
      await t.gw.restartWorker();
    }
  });

  it('expires requests past their time (the sweep, or a decision that finds it late): 409, marked expired, nothing runs', async () => {
    const web = await machine('web8', ['web']);
    const a = (await request({ machineId: web, action: 'apt_clean', expiresInMinutes: 5 })).body.id;
    const b = (await request({ machineId: web, action: 'apt_clean', expiresInMinutes: 5 })).body.id;
    const c = (await request({ machineId: web, action: 'apt_clean' })).body.id;
    await t.db.query(`UPDATE action_requests SET expires_at = now() - interval '1 second' WHERE id = ANY($1)`, [
      [a, b],
    ]);

    const late = await api('POST', `/api/v1/action-requests/${a}/approve`, { body: {} });
    expect(late.status).toBe(409);
    expect(late.body.detail).toMatch(/expired at .* and can no longer be approved; make a new request/);
    expect(await row(a)).toMatchObject({ status: 'expired', approved_by: null, job_id: null });
    expect(await jobsOf(a)).toEqual([]);
    expect(await events('action_request.expired', a)).toHaveLength(1);

    const service = t.gw.app.get(ActionRequestsService);
    expect(await service.expireDue()).toBe(1);
    expect(await row(b)).toMatchObject({ status: 'expired' });
    expect(await row(c)).toMatchObject({ status: 'pending' });
    expect(await service.expireDue()).toBe(0);
    const rejectLate = await api('POST', `/api/v1/action-requests/${b}/reject`, { body: {} });
    expect(rejectLate.status).toBe(409);
    expect(await row(b)).toMatchObject({ status: 'expired', rejected_by: null });
    expect((await api('GET', `/api/v1/action-requests?status=expired&machineId=${web}`)).body).toHaveLength(2);
  });

  it("approving a schedule run's request releases its waiting step instead of creating a job", async () => {
    const web = await machine('web9', ['web']);
    const [step] = await t.db.query<{ id: string }>(
      `INSERT INTO jobs (kind, machine_id, status, payload, requested_by_type) VALUES ('apt.clean', $1, 'waiting', '{}', 'schedule') RETURNING id`,
      [web],
    );
    const [req] = await t.db.query<{ id: string }>(
      `INSERT INTO action_requests (machine_id, requested_by_type, action, risk, status, summary, payload, expires_at, job_id)
       VALUES ($1, 'schedule', 'apt_clean', 'low', 'pending', 'apt_clean (schedule run)', '{}', now() + interval '1 hour', $2) RETURNING id`,
      [web, step!.id],
    );
    const ok = await api('POST', `/api/v1/action-requests/${req!.id}/approve`, { body: {} });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ status: 'approved', jobId: step!.id });
    expect(await t.db.query(`SELECT id FROM jobs WHERE machine_id = $1`, [web])).toEqual([{ id: step!.id }]);
  });

  it('with the four-eyes setting on, the requester may not approve their own request (403); someone else may', async () => {
    const web = await machine('web-4eyes', ['web']);
    expect((await api('GET', '/api/v1/settings/approvals')).body).toEqual({ requireDistinctApprover: false });
    const reader = await client('reader 4eyes', { scopes: ['read'] });
    expect(
      (await api('PUT', '/api/v1/settings/approvals', { token: reader.token, body: { requireDistinctApprover: true } }))
        .status,
    ).toBe(403);
    const on = await api('PUT', '/api/v1/settings/approvals', { body: { requireDistinctApprover: true } });
    expect(on.body).toEqual({ requireDistinctApprover: true });
    await t.gw.stopWorker();
    try {
      const id = (await request({ machineId: web, action: 'apt_clean' })).body.id;
      const self = await api('POST', `/api/v1/action-requests/${id}/approve`, { body: {} });
      expect(self.status).toBe(403);
      expect(self.body.detail).toBe(
        `action request ${id} was made by admin; the approvals setting requires someone else to approve it`,
      );
      expect(await row(id)).toMatchObject({ status: 'pending', job_id: null });
      // An API client that asked is held to the same rule; the admin, who did not ask, may approve its request.
      const operator = await client('operator 4eyes', { scopes: ['operate'] });
      const theirs = (await request({ machineId: web, action: 'apt_clean' }, operator.token)).body.id;
      expect(
        (await api('POST', `/api/v1/action-requests/${theirs}/approve`, { token: operator.token, body: {} })).status,
      ).toBe(403);
      expect((await api('POST', `/api/v1/action-requests/${theirs}/approve`, { body: {} })).status).toBe(200);
      const ok = await api('POST', `/api/v1/action-requests/${id}/approve`, { token: operator.token, body: {} });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body).toMatchObject({ status: 'approved', approvedBy: 'operator 4eyes' });
      // Rejecting one's own request stays possible (withdrawing it runs nothing).
      const mine = (await request({ machineId: web, action: 'apt_clean' })).body.id;
      expect((await api('POST', `/api/v1/action-requests/${mine}/reject`, { body: {} })).status).toBe(200);
    } finally {
      await api('PUT', '/api/v1/settings/approvals', { body: { requireDistinctApprover: false } });
      await t.gw.restartWorker();
    }
  });

  it('never writes a token to the logs', () => {
    const logs = CapturingLogger.lines.join('\n');
    expect(issued.length).toBeGreaterThan(3);
    for (const token of [...issued, t.gw.adminToken]) expect(logs).not.toContain(token);
  });
});
