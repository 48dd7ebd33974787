// apt_autoremove bound to a simulated plan, against a real machine: the analysis simulates `apt-get autoremove`; a
// request is bound to that plan; approved on an unchanged machine it removes exactly those packages; when more
// packages became removable after the person looked, the approved job is refused with plan_drifted and removes
// nothing. Needs root; skipped otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, ensureHostTools, isRoot, Lab, type LabMachine, type TestDatabase } from '@su/testing';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`apt autoremove lab tests skipped: ${skipReason}`);

const ADMIN_PW = 'lab-admin-pw';

describe.skipIf(!!skipReason)('apt_autoremove bound to its plan (lab)', () => {
  let lab: Lab;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let m: LabMachine;
  let id = '';
  const api: GatewayHarness['api'] = (...a) => gw.api(...a);
  const analyse = async () => {
    const res = await api('POST', `/api/v1/machines/${id}/actions`, { body: { action: 'apt_update_analyze' } });
    expect(res.status, res.text).toBe(201);
    expect(await gw.waitJob(res.body.id, 120_000)).toMatchObject({ status: 'ok' });
    return (await api('GET', `/api/v1/machines/${id}/snapshots/latest`)).body.payload.apt;
  };
  const request = async () => {
    const res = await api('POST', '/api/v1/action-requests', { body: { machineId: id, action: 'apt_autoremove' } });
    expect(res.status, res.text).toBe(201);
    return res.body;
  };
  const approveAndWait = async (requestId: string) => {
    const res = await api('POST', `/api/v1/action-requests/${requestId}/approve`, { body: {} });
    expect(res.status, res.text).toBe(200);
    return gw.waitJob(res.body.jobId, 180_000);
  };
  const isInstalled = async (pkg: string) =>
    (await lab.exec(m.name, `dpkg-query -W -f='\${Status}' ${pkg} 2>/dev/null || true`)).stdout ===
    'install ok installed';

  beforeAll(async () => {
    if (Lab.exists()) await Lab.attach().down();
    lab = await Lab.up({ machines: 1, log: (x) => console.log(`[lab] ${x}`) });
    m = lab.machines()[0]!;
    db = await createTestDatabase();
    gw = await startGateway(db, { SU_SSH_CONNECT_TIMEOUT_SECONDS: '6' });
    const res = await api('POST', '/api/v1/machines', {
      body: {
        name: 'autoremove1',
        hostname: m.address,
        port: m.sshPort,
        username: 'admin',
        credentials: { authMethod: 'password', password: ADMIN_PW, sudoMode: 'same_as_ssh' },
      },
    });
    expect(res.status).toBe(201);
    id = res.body.id;
  }, 300_000);

  afterAll(async () => {
    await gw?.close();
    await db?.drop();
    await lab?.down();
  });

  it('the analysis lists what autoremove would remove; the approved request removes exactly that', async () => {
    expect((await analyse()).autoremove).toEqual([]);
    // Marked automatically installed with nothing depending on it: apt's own autoremove candidate.
    await lab.exec(m.name, 'apt-mark auto homelab-secfix >/dev/null');
    const apt = await analyse();
    expect(apt.autoremove.map((p: { name: string; operation: string }) => `${p.name} ${p.operation}`)).toEqual([
      'homelab-secfix remove',
    ]);
    const req = await request();
    expect(req.payload.plan).toEqual([
      expect.objectContaining({ name: 'homelab-secfix', operation: 'remove', targetVersion: null }),
    ]);
    const job = await approveAndWait(req.id);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok' });
    expect(await isInstalled('homelab-secfix')).toBe(false);
    expect(await isInstalled('homelab-conf')).toBe(true);
  });

  it('more became removable after the person looked: plan_drifted, nothing removed', async () => {
    await lab.exec(m.name, 'apt-mark auto homelab-conf >/dev/null');
    await analyse();
    const req = await request();
    expect(req.payload.plan.map((c: { name: string }) => c.name)).toEqual(['homelab-conf']);
    await lab.exec(m.name, 'apt-mark auto homelab-both >/dev/null');
    const job = await approveAndWait(req.id);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'error', errorKind: 'plan_drifted' });
    expect(job.errorMessage).toMatch(/homelab-both/);
    expect(await isInstalled('homelab-conf')).toBe(true);
    expect(await isInstalled('homelab-both')).toBe(true);
  });
});
