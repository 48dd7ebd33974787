// Issue 10 against real machines: held packages and package sources as apt reports them. A held package with a
// pending security update stays in the analysis (origin, suite, security), is counted apart on the tile and in the
// fleet view, has one "held" notice, resolved once unheld; a version offered by both the normal and the security
// suite is security and lists both; origin and label apart; the OS version filled. Needs root; skipped otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  ensureHostTools,
  isRoot,
  Lab,
  REPO_URL,
  type LabMachine,
  type TestDatabase,
} from '@su/testing';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`apt sources lab tests skipped: ${skipReason}`);

const ADMIN_PW = 'lab-admin-pw';

describe.skipIf(!!skipReason)('apt: held packages and sources (lab)', () => {
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
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok' });
    return (await api('GET', `/api/v1/machines/${id}/snapshots/latest`)).body;
  };
  const heldNotices = async () =>
    (
      (await api('GET', `/api/v1/machines/${id}/important-messages`)).body as {
        category: string;
        packageName: string | null;
        message: string;
      }[]
    ).filter((x) => x.packageName === 'homelab-held');

  beforeAll(async () => {
    if (Lab.exists()) await Lab.attach().down();
    lab = await Lab.up({ machines: 1, log: (x) => console.log(`[lab] ${x}`) });
    m = lab.machines()[0]!;
    db = await createTestDatabase();
    gw = await startGateway(db, { SU_SSH_CONNECT_TIMEOUT_SECONDS: '6' });
    const res = await api('POST', '/api/v1/machines', {
      body: {
        name: 'src1',
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

  it('held + security listed and counted apart, one held notice; both suites listed; origin ≠ label; OS version', async () => {
    await lab.publishSet({ 'homelab-held': '1.1', 'homelab-both': '1.1', 'homelab-secfix': '1.1' });
    const snap = await analyse();
    const apt = snap.payload.apt;
    expect(snap.payload.os.version).toMatch(/^12\.\d+$/);
    const both = apt.packages.find((p: { name: string }) => p.name === 'homelab-both');
    expect(both).toMatchObject({ security: true, originName: 'Debian', label: 'Debian' });
    expect(both.sources.map((s: { codename: string }) => s.codename)).toEqual(['bookworm', 'bookworm-security']);
    expect(apt.packages.find((p: { name: string }) => p.name === 'homelab-secfix')).toMatchObject({
      originName: 'Debian',
      label: 'Debian-Security',
      suite: 'stable-security',
      codename: 'bookworm-security',
      security: true,
    });
    expect(apt.heldPackages).toEqual([
      expect.objectContaining({
        name: 'homelab-held',
        held: true,
        security: true,
        originName: 'Debian',
        suite: 'stable-security',
        targetVersion: '1.1',
      }),
    ]);
    expect(apt.packages.map((p: { name: string }) => p.name)).not.toContain('homelab-held');
    // Tile: counted apart ("1 held, security"), not in the update count.
    const state = (await api('GET', `/api/v1/machines/${id}`)).body.state;
    expect(state).toMatchObject({ aptUpdatesCount: 2, aptSecurityCount: 2, aptHeldCount: 1, aptHeldSecurityCount: 1 });
    // Fleet view: the held one apart, with its security flag.
    const pending = (await api('GET', '/api/v1/updates/pending')).body.items as {
      name: string;
      held: boolean;
      security: boolean;
    }[];
    expect(pending.filter((p) => p.name === 'homelab-held')).toEqual([
      expect.objectContaining({ held: true, security: true }),
    ]);
    expect(pending.find((p) => p.name === 'homelab-both')).toMatchObject({ held: false, security: true });
    // One notice, saying held (not "kept back"), the same after a second analysis.
    await analyse();
    const notices = await heldNotices();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ category: 'held' });
    expect(notices[0]!.message).toMatch(/is held .*security update \(bookworm-security\)/);
  });

  it('unholding resolves the held notice; the package is an ordinary security update again', async () => {
    await lab.exec(m.name, 'apt-mark unhold homelab-held >/dev/null');
    const snap = await analyse();
    expect(snap.payload.apt.heldPackages).toEqual([]);
    expect(snap.payload.apt.packages.find((p: { name: string }) => p.name === 'homelab-held')).toMatchObject({
      held: false,
      security: true,
    });
    expect(await heldNotices()).toEqual([]);
    const resolved = await db.query(
      `SELECT category, resolved_at FROM important_messages WHERE machine_id = $1 AND package_name = 'homelab-held'`,
      [id],
    );
    expect(resolved).toEqual([{ category: 'held', resolved_at: expect.any(Date) }]);
    expect((await api('GET', `/api/v1/machines/${id}`)).body.state).toMatchObject({
      aptHeldCount: 0,
      aptHeldSecurityCount: 0,
      aptSecurityCount: 3,
    });
  });

  it('a long apply sends its progress as live events at least every few seconds; the closing transaction updates the tile', async () => {
    await lab.publish('homelab-essential', '1.1');
    const before = await analyse();
    expect(before.payload.apt.count).toBeGreaterThan(0);
    // homelab-essential 1.1's preinst waits while the block file exists: ~10 s in which apt says nothing.
    await lab.blockPreinst(m.name);
    const res = await api('POST', `/api/v1/machines/${id}/actions`, { body: { action: 'apt_dist_upgrade' } });
    expect(res.status, res.text).toBe(201);
    await lab.waitForBlockedPreinst(m.name);
    await new Promise((r) => setTimeout(r, 10_000));
    await lab.exec(m.name, 'rm -f /run/lab-block-preinst');
    const job = await gw.waitJob(res.body.id, 120_000);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok' });
    const events = (await db.query(
      `SELECT id, created_at, payload FROM live_events WHERE job_id = $1 AND type = 'job.progress' ORDER BY id`,
      [job.id],
    )) as { id: string; created_at: Date; payload: { percent: number; package: string | null; phase: string } }[];
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events.some((e) => e.payload.package === 'homelab-essential' && e.payload.phase === 'install')).toBe(true);
    expect(events.at(-1)!.payload.percent).toBeGreaterThan(50);
    // Generous bound (the heartbeat is 4 s): progress never went quiet for long while apt was silent.
    const gaps = events.slice(1).map((e, i) => e.created_at.getTime() - events[i]!.created_at.getTime());
    console.log(`[figures] ${events.length} progress events, longest gap ${Math.max(...gaps)} ms`);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(9_000);
    // The tile's counts changed in the closing transaction, before the follow-up analysis started.
    const followUp = await db.query(
      `SELECT min(id) AS id FROM live_events WHERE machine_id = $1 AND type = 'job.status' AND payload->>'kind' = 'apt.update_analyze' AND id > $2`,
      [id, events.at(-1)!.id],
    );
    const tile = await db.query(
      `SELECT payload FROM live_events WHERE machine_id = $1 AND type = 'machine.state' AND id > $2 AND id < $3 ORDER BY id`,
      [id, events.at(-1)!.id, followUp[0].id],
    );
    expect(tile.map((t: { payload: { aptUpdatesCount: number } }) => t.payload.aptUpdatesCount)).toContain(0);
  });

  it('verification never rides a kept connection: changed host key or stopped sshd seen at once by a probe', async () => {
    const logins = async () =>
      (
        await db.query(
          `SELECT count(*)::int AS n FROM machine_events WHERE machine_id = $1 AND event_type = 'credentials.decrypted'`,
          [id],
        )
      )[0].n as number;
    const probe = async () => gw.waitJob((await api('POST', `/api/v1/machines/${id}/probe`)).body.id as string, 60_000);
    await analyse();
    const n = await logins();
    await analyse();
    expect(await logins()).toBe(n); // the second analysis took the kept connection
    await lab.changeHostKey(m.name);
    expect(await probe()).toMatchObject({ status: 'error', errorKind: 'host_key_changed' });
    const keys = (await api('GET', `/api/v1/machines/${id}/host-keys`)).body as { id: string; status: string }[];
    const changed = keys.find((k) => k.status === 'changed')!;
    expect((await api('POST', `/api/v1/machines/${id}/host-keys/${changed.id}/approve`)).status).toBe(200);
    expect((await probe()).status).toBe('ok');
    await analyse(); // a connection is kept again
    await lab.stopSshd(m.name);
    try {
      expect(await probe()).toMatchObject({ status: 'error', errorKind: 'connection_refused' });
    } finally {
      await lab.startSshd(m.name);
    }
  });

  it('the sources are listed with suites and keys; a third-party source and an older suite are flagged in the fleet view', async () => {
    const vendor = await lab.addVendorRepo('vendor', 'Vendor');
    await lab.addOlderSuite('bullseye');
    await lab.exec(
      m.name,
      `printf 'deb [trusted=yes] ${vendor} bookworm main\\n' > /etc/apt/sources.list.d/vendor.list
       printf 'Types: deb\\nURIs: ${REPO_URL}/debian\\nSuites: bullseye\\nComponents: main\\nTrusted: yes\\n' > /etc/apt/sources.list.d/old.sources`,
    );
    try {
      const repos = (await analyse()).payload.apt.repositories as {
        file: string;
        format: string;
        suites: string[];
        components: string[];
        signedBy: string | null;
        trusted: boolean;
        flags: { olderSuite: boolean; thirdParty: boolean; unsigned: boolean };
      }[];
      const byFile = (f: string) => repos.filter((r) => r.file === `/etc/apt/sources.list.d/${f}`);
      expect(byFile('lab.list').map((r) => [r.suites, r.components, r.signedBy, r.trusted, r.flags])).toEqual([
        [['bookworm'], ['main'], null, true, { olderSuite: false, thirdParty: false, unsigned: true }],
        [['bookworm-security'], ['main'], null, true, { olderSuite: false, thirdParty: false, unsigned: true }],
      ]);
      expect(byFile('vendor.list')[0]!.flags).toMatchObject({ thirdParty: true, olderSuite: false });
      expect(byFile('old.sources')[0]).toMatchObject({
        format: 'deb822',
        suites: ['bullseye'],
        flags: { olderSuite: true, thirdParty: false },
      });
      const fleet = (await api('GET', '/api/v1/repositories')).body;
      expect(fleet.flagged.thirdParty).toEqual([id]);
      expect(fleet.flagged.olderSuite).toEqual([id]);
      expect(fleet.machines[0].repositories.length).toBe(4);
    } finally {
      await lab.exec(m.name, 'rm -f /etc/apt/sources.list.d/vendor.list /etc/apt/sources.list.d/old.sources');
    }
  });
});
