// Approvals against a real machine (the lab, with its own APT repository), through the gateway and the apt-worker:
// an approved apt_upgrade runs and its request ends executed with the execution linked; an approved dist-upgrade
// whose plan changed after the approval (a newer version published, the machine's lists refreshed) is refused with
// plan_drifted and changes nothing. Needs root; skipped otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, ensureHostTools, isRoot, Lab, type LabMachine, type TestDatabase } from '@su/testing';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`approvals lab tests skipped: ${skipReason}`);

const ADMIN_PW = 'lab-admin-pw';

describe.skipIf(!!skipReason)('approvals (lab)', () => {
  let lab: Lab;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let m: LabMachine;
  let id = '';
  const api: GatewayHarness['api'] = (...a) => gw.api(...a);

  const run = async (action: string) => {
    const res = await api('POST', `/api/v1/machines/${id}/actions`, { body: { action } });
    expect(res.status, res.text).toBe(201);
    return gw.waitJob(res.body.id, 120_000);
  };
  const settle = async () => {
    // Applies queue a follow-up analysis; wait until the machine has no job left.
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const busy = await db.query(`SELECT id FROM jobs WHERE machine_id = $1 AND status IN ('queued', 'running')`, [
        id,
      ]);
      if (busy.length === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const installed = async () =>
    (await lab.exec(m.name, "dpkg-query -W -f='${Package} ${Version} ${Status}\\n' | sort")).stdout;
  const version = (list: string, pkg: string) =>
    // A package on hold reads "hold ok installed".
    new RegExp(`^${pkg} (\\S+) (?:install|hold) ok installed$`, 'm').exec(list)?.[1];
  const request = async (body: Record<string, unknown>) => {
    const res = await api('POST', '/api/v1/action-requests', { body: { machineId: id, ...body } });
    expect(res.status, res.text).toBe(201);
    return res.body;
  };
  const approve = async (requestId: string) => {
    const res = await api('POST', `/api/v1/action-requests/${requestId}/approve`, { body: {} });
    expect(res.status, res.text).toBe(200);
    return res.body;
  };
  const executed = async (requestId: string) => {
    const deadline = Date.now() + 30_000;
    let r = (await api('GET', `/api/v1/action-requests/${requestId}`)).body;
    while (r.status !== 'executed' && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
      r = (await api('GET', `/api/v1/action-requests/${requestId}`)).body;
    }
    return r;
  };

  beforeAll(async () => {
    // A fresh lab: this file changes installed packages and the published set.
    if (Lab.exists()) await Lab.attach().down();
    lab = await Lab.up({ machines: 1, log: (msg) => console.log(`[lab] ${msg}`) });
    m = lab.machines()[0]!;
    db = await createTestDatabase();
    gw = await startGateway(db, { SU_SSH_CONNECT_TIMEOUT_SECONDS: '6' });
    const res = await api('POST', '/api/v1/machines', {
      body: {
        name: 'approvals1',
        hostname: m.address,
        port: m.sshPort,
        username: 'admin',
        credentials: { authMethod: 'password', password: ADMIN_PW, sudoMode: 'same_as_ssh' },
      },
    });
    expect(res.status, res.text).toBe(201);
    id = res.body.id;
    await settle();
  }, 300_000);

  afterAll(async () => {
    await gw?.close();
    await db?.drop();
    await lab?.down();
  });

  it('analyse → request apt_upgrade → approve: the approved plan runs and the request ends executed with its execution', async () => {
    await lab.publishSet({
      'homelab-demo': '1.1',
      'homelab-secfix': '1.1',
      'homelab-held': '1.1',
      'homelab-phased': '1.1',
    });
    expect((await run('apt_update_analyze')).status).toBe('ok');

    const req = await request({ action: 'apt_upgrade' });
    // Held and phased packages are reported by the analysis but are not part of what an upgrade would do.
    expect(
      req.payload.plan.map((c: { name: string; targetVersion: string }) => `${c.name} ${c.targetVersion}`).sort(),
    ).toEqual(['homelab-demo 1.1', 'homelab-secfix 1.1']);
    expect(req.summary).toMatch(/^apt_upgrade on approvals1: 2 packages \(/);
    const approved = await approve(req.id);
    const job = await gw.waitJob(approved.jobId, 180_000);
    // The worker simulated the same plan before applying: no drift on an unchanged machine.
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok', requestId: req.id });

    const done = await executed(req.id);
    expect(done).toMatchObject({ status: 'executed', jobId: job.id, executionId: job.result.executionId });
    const [execution] = await db.query(`SELECT request_id, status FROM executions WHERE id = $1`, [done.executionId]);
    expect(execution).toEqual({ request_id: req.id, status: 'ok' });
    const now = await installed();
    expect(version(now, 'homelab-demo')).toBe('1.1');
    expect(version(now, 'homelab-secfix')).toBe('1.1');
    expect(version(now, 'homelab-held')).toBe('1.0');
    await settle();
  });

  it('analyse → request apt_dist_upgrade → a newer version is published → approve: plan_drifted, nothing changes on the machine', async () => {
    await lab.publish('homelab-conf', '1.1');
    expect((await run('apt_update_analyze')).status).toBe('ok');
    const req = await request({ action: 'apt_dist_upgrade' });
    expect(
      req.payload.plan.map((c: { name: string; targetVersion: string }) => `${c.name} ${c.targetVersion}`),
    ).toEqual(['homelab-conf 1.1']);

    // The mirror moves on after the person looked, and the machine's lists are refreshed (as apt-daily does).
    await lab.publish('homelab-demo', '1.2');
    await lab.exec(m.name, 'apt-get update -qq');
    const before = await installed();

    const approved = await approve(req.id);
    const job = await gw.waitJob(approved.jobId, 180_000);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'error', errorKind: 'plan_drifted' });
    expect(job.errorMessage).toMatch(
      /nothing was applied: the plan changed since it was approved; new: .*homelab-demo/,
    );
    expect(job.errorMessage).toMatch(/homelab-dep/);
    expect(await installed()).toBe(before);
    expect(version(before, 'homelab-conf')).toBe('1.0');

    const done = await executed(req.id);
    expect(done).toMatchObject({ status: 'executed', jobId: job.id });
    const [execution] = await db.query(`SELECT status, error_kind, request_id FROM executions WHERE id = $1`, [
      done.executionId,
    ]);
    expect(execution).toEqual({ status: 'error', error_kind: 'plan_drifted', request_id: req.id });
    const messages = (await api('GET', `/api/v1/machines/${id}/important-messages`)).body as {
      category: string;
      message: string;
    }[];
    expect(messages.find((x) => x.category === 'plan_drifted')?.message).toMatch(
      /approved apt_dist_upgrade was not applied: .*make a new request/,
    );
    const events = await db.query(
      `SELECT event_type FROM machine_events WHERE machine_id = $1 AND event_type = 'apt.plan_drifted'`,
      [id],
    );
    expect(events).toHaveLength(1);
    // A new analysis is queued, so the person sees the plan a new request would approve.
    await settle();
    const latest = (await api('GET', `/api/v1/machines/${id}/snapshots/latest`)).body;
    expect(latest.payload.apt.installed.map((p: { name: string }) => p.name)).toEqual(['homelab-dep']);
  });
});
