// Other distributions' repositories, as far as the lab reproduces them: an Ubuntu security pocket (noble-security,
// Origin Ubuntu) is security with its own origin and suite; a Proxmox VE enterprise repository on a
// machine without a subscription (the real URL shape, resolved to the lab host, answering 401 like the real one)
// gives repo_auth_required with the no-subscription remediation, and the analysis still completes for the other
// sources. Needs root; skipped otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, ensureHostTools, isRoot, Lab, type LabMachine, type TestDatabase } from '@su/testing';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`apt distributions lab tests skipped: ${skipReason}`);

const ADMIN_PW = 'lab-admin-pw';

describe.skipIf(!!skipReason)('apt: other distributions’ repositories (lab)', () => {
  let lab: Lab;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let m: LabMachine;
  let id = '';
  const api: GatewayHarness['api'] = (...a) => gw.api(...a);
  const analyse = async () => {
    const res = await api('POST', `/api/v1/machines/${id}/actions`, { body: { action: 'apt_update_analyze' } });
    expect(res.status, res.text).toBe(201);
    const job = await gw.waitJob(res.body.id, 120_000);
    expect(job.errorKind ?? null, JSON.stringify(job)).toBeNull();
    return (await api('GET', `/api/v1/machines/${id}/snapshots/latest`)).body;
  };

  beforeAll(async () => {
    if (Lab.exists()) await Lab.attach().down();
    lab = await Lab.up({ machines: 1, log: (x) => console.log(`[lab] ${x}`) });
    m = lab.machines()[0]!;
    db = await createTestDatabase();
    gw = await startGateway(db, { SU_SSH_CONNECT_TIMEOUT_SECONDS: '6' });
    const res = await api('POST', '/api/v1/machines', {
      body: {
        name: 'pve1',
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

  it('Ubuntu-shaped security pocket (noble-security, Origin Ubuntu): security, with its origin, suite and codename', async () => {
    await lab.publish('homelab-secfix', '1.1');
    const ubuntu = await lab.addUbuntuSecurityPocket();
    // The Debian security source replaced by the Ubuntu pocket: it is the only one offering 1.1.
    await lab.exec(
      m.name,
      `sed -i '/debian-security/d' /etc/apt/sources.list.d/lab.list && echo 'deb [trusted=yes] ${ubuntu} noble-security main' > /etc/apt/sources.list.d/ubuntu.list`,
    );
    const snap = await analyse();
    expect(snap.payload.apt.packages.find((p: { name: string }) => p.name === 'homelab-secfix')).toMatchObject({
      targetVersion: '1.1',
      security: true,
      originName: 'Ubuntu',
      label: 'Ubuntu',
      suite: 'noble-security',
      codename: 'noble',
    });
  });

  it('Proxmox enterprise repository without a subscription: repo_auth_required with the no-subscription remediation', async () => {
    const url = await lab.startAuthRepo();
    await lab.mapHost(m.name, 'enterprise.proxmox.com');
    await lab.exec(m.name, `echo 'deb ${url} bookworm pve-enterprise' > /etc/apt/sources.list.d/pve-enterprise.list`);
    await lab.publish('homelab-demo', '1.1');
    const snap = await analyse();
    const errors = [...(snap.payload.errors ?? []), ...(snap.payload.apt.errors ?? [])] as {
      kind: string;
      remediation: string;
      importantLines?: string[];
    }[];
    const auth = errors.filter((e) => e.kind === 'repo_auth_required');
    expect(auth.length, JSON.stringify(errors)).toBeGreaterThan(0);
    expect(auth[0]!.remediation).toMatch(/no-subscription repository/);
    expect(auth[0]!.remediation).toMatch(/pve-no-subscription/);
    expect(auth[0]!.importantLines!.join('\n')).toMatch(/401\s+Unauthorized/);
    // One problem of one source, not a second "unsigned" error for it.
    expect(errors.filter((e) => e.kind === 'repository_unsigned')).toEqual([]);
    // The other sources were still read: the lab repository's update is in the plan.
    expect(snap.payload.apt.packages.map((p: { name: string }) => p.name)).toContain('homelab-demo');
  });
});
