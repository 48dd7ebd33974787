// Other distributions' repositories, reproduced in the lab repository with their real metadata shapes: an Ubuntu
// security pocket (noble-security, Origin Ubuntu) is security with its own origin and suite; a Proxmox VE enterprise
// repository on a machine without a subscription (the real URL shape, resolved to the lab host, answering 401 like
// the real one) gives repo_auth_required with the no-subscription remediation, and the analysis still completes for
// the other sources; an Ubuntu noble-updates pocket's phased update is listed apart, explained and never applied;
// Raspberry Pi OS's (archive.raspberrypi.com/debian) and Proxmox VE no-subscription's kernels make the analysis
// predict a reboot, and the apply then ends with a reboot required although no package wrote /run/reboot-required.
// Runs as the lab's non-root admin user with sudo. Needs root on the host; skipped otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  ensureHostTools,
  isRoot,
  Lab,
  type LabMachine,
  type OtherArchive,
  type TestDatabase,
} from '@su/testing';
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
  const tile = async () => (await api('GET', `/api/v1/machines/${id}`)).body.state;
  const names = (list: { name: string }[] | undefined) => (list ?? []).map((p) => p.name);
  /** Applies the analysis' plan (dist-upgrade) and waits for the follow-up analysis; returns the execution. */
  const applyPlan = async () => {
    const res = await api('POST', `/api/v1/machines/${id}/actions`, { body: { action: 'apt_dist_upgrade' } });
    expect(res.status, res.text).toBe(201);
    const job = await gw.waitJob(res.body.id, 180_000);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok' });
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const busy = await db.query(`SELECT id FROM jobs WHERE machine_id = $1 AND status IN ('queued', 'running')`, [
        id,
      ]);
      if (busy.length === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return (await db.query(`SELECT result FROM executions WHERE job_id = $1`, [job.id]))[0].result;
  };
  /** As the machine's own image would have it: the archive in its sources and these packages installed (root). */
  const installFrom = async (archive: OtherArchive, pkgs: string[]) => {
    await lab.addArchiveSource(m.name, archive);
    await lab.exec(
      m.name,
      // The enterprise repository's 401 (an earlier case) fails the update; the other lists are still refreshed.
      `apt-get update -q >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get install -y -q ${pkgs.join(' ')} >/dev/null`,
    );
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

  it('Ubuntu phased update (noble-updates, Phased-Update-Percentage 0): apt keeps it back; listed as phased with its pocket, counted apart, explained once, not in the plan', async () => {
    await installFrom('noble-updates', ['homelab-noble-phased']);
    await lab.publish('homelab-noble-phased', '1.0-0ubuntu1.1');
    // What the lab's apt (2.6.1, bookworm) really does with it: the candidate is marked phased, both simulations keep
    // it back and say nothing about phasing.
    await lab.exec(m.name, 'apt-get update -q >/dev/null 2>&1; true');
    const policy = (await lab.exec(m.name, 'LC_ALL=C apt-cache policy homelab-noble-phased')).stdout;
    expect(policy).toMatch(/Candidate: 1\.0-0ubuntu1\.1/);
    expect(policy).toMatch(/1\.0-0ubuntu1\.1 500 \(phased 0%\)/);
    const sim = (await lab.exec(m.name, 'LC_ALL=C apt-get -s -V dist-upgrade')).stdout;
    expect(sim).toMatch(/kept back:\n(?:\s+.*\n)*\s+homelab-noble-phased \(1\.0-0ubuntu1 => 1\.0-0ubuntu1\.1\)/);
    expect(sim).not.toMatch(/^Inst homelab-noble-phased/m);

    const snap = await analyse();
    const apt = snap.payload.apt;
    expect(apt.phasedCount).toBe(1);
    expect(apt.phasedPackages).toEqual([
      expect.objectContaining({
        name: 'homelab-noble-phased',
        currentVersion: '1.0-0ubuntu1',
        targetVersion: '1.0-0ubuntu1.1',
        phased: true,
        phasedPercentage: 0,
        originName: 'Ubuntu',
        suite: 'noble-updates',
        codename: 'noble',
        security: false,
      }),
    ]);
    // Not in the plan: neither an upgrade nor counted as one; the plan on record marks it phased.
    expect([...names(apt.packages), ...names(apt.installed)]).not.toContain('homelab-noble-phased');
    const planned = await db.query(
      `SELECT phased FROM apt_planned_packages WHERE machine_id = $1 AND is_current AND name = 'homelab-noble-phased'`,
      [id],
    );
    expect(planned.map((r: { phased: boolean }) => r.phased)).toEqual([true]);
    expect(await tile()).toMatchObject({ aptPhasedCount: 1, aptUpdatesCount: apt.count });
    // Explained once, as phased (not as "kept back").
    const notices = (
      (await api('GET', `/api/v1/machines/${id}/important-messages`)).body as {
        category: string;
        packageName: string | null;
        message: string;
      }[]
    ).filter((x) => x.packageName === 'homelab-noble-phased');
    expect(notices.map((n) => n.category)).toEqual(['phased']);
    expect(notices[0]!.message).toMatch(/is a phased update: it is offered to 0% of machines/);
    expect(notices[0]!.message).toMatch(/not in the plan/);
  });

  it('Raspberry Pi OS (archive.raspberrypi.com/debian): the analysis says a raspberrypi-kernel / linux-image-rpi-v8 upgrade will need a reboot; the apply ends with reboot required', async () => {
    await installFrom('raspberrypi', ['raspberrypi-kernel', 'linux-image-rpi-v8']);
    // Nothing kernel-related pending yet: no reboot predicted.
    const quiet = await analyse();
    expect(quiet.payload.apt).toMatchObject({ rebootAfterApply: false, rebootAfterApplyPkgs: [] });

    await lab.publishSet({ 'raspberrypi-kernel': '1:1.20240529-1', 'linux-image-rpi-v8': '1:6.6.74-1+rpt1' });
    const snap = await analyse();
    const apt = snap.payload.apt;
    expect(apt.packages.find((p: { name: string }) => p.name === 'raspberrypi-kernel')).toMatchObject({
      currentVersion: '1:1.20230405-1',
      targetVersion: '1:1.20240529-1',
      originName: 'Raspberry Pi Foundation',
      label: 'Raspberry Pi Foundation',
      suite: 'bookworm',
      codename: 'bookworm',
      security: false,
    });
    // linux-image-rpi-v8's new version pulls its new ABI package: installed by the plan.
    expect(names(apt.installed)).toContain('linux-image-6.6.74+rpt-rpi-v8');
    expect(apt.rebootRequired).toBe(false);
    expect(apt.rebootAfterApply).toBe(true);
    expect([...apt.rebootAfterApplyPkgs].sort()).toEqual([
      'linux-image-6.6.74+rpt-rpi-v8',
      'linux-image-rpi-v8',
      'raspberrypi-kernel',
    ]);
    expect(await tile()).toMatchObject({ aptRebootAfterApply: true, aptRebootRequired: false });

    const result = await applyPlan();
    // No package wrote the flag (like the real ones): the kernel rule did, and recorded it on the machine.
    expect(result.apt.rebootRequiredAfterRun).toBe(true);
    expect([...result.apt.rebootPkgs].sort()).toEqual([
      'linux-image-6.6.74+rpt-rpi-v8',
      'linux-image-rpi-v8',
      'raspberrypi-kernel',
    ]);
    expect(result.apt.applied.find((c: { name: string }) => c.name === 'raspberrypi-kernel')).toMatchObject({
      fromVersion: '1:1.20230405-1',
      toVersion: '1:1.20240529-1',
    });
    const flag = (await lab.exec(m.name, 'cat /run/reboot-required.pkgs')).stdout.split('\n').filter(Boolean);
    expect(flag.sort()).toEqual(['linux-image-6.6.74+rpt-rpi-v8', 'linux-image-rpi-v8', 'raspberrypi-kernel']);
    // The phased update was not applied with the rest.
    expect((await lab.exec(m.name, "dpkg-query -W -f '${Version}' homelab-noble-phased")).stdout).toBe('1.0-0ubuntu1');
    // After the follow-up analysis: still needs its reboot, nothing kernel-related left to apply.
    expect(await tile()).toMatchObject({ aptRebootRequired: true, aptRebootAfterApply: false });
    // A reboot (which clears /run) ends it.
    await lab.reboot(m.name);
    expect((await analyse()).payload.apt.rebootRequired).toBe(false);
  });

  it('Proxmox VE no-subscription repository (after following the remediation): a proxmox-kernel upgrade is predicted to need a reboot, and does', async () => {
    // The remediation of the enterprise repository's 401: its line replaced with the no-subscription repository.
    await lab.exec(m.name, 'rm -f /etc/apt/sources.list.d/pve-enterprise.list');
    await installFrom('pve-no-subscription', ['proxmox-kernel-6.8']);
    await lab.publish('proxmox-kernel-6.8', '6.8.12-5');
    const snap = await analyse();
    const apt = snap.payload.apt;
    const errors = [...(snap.payload.errors ?? []), ...(apt.errors ?? [])] as { kind: string }[];
    expect(errors.filter((e) => e.kind === 'repo_auth_required')).toEqual([]);
    expect(apt.packages.find((p: { name: string }) => p.name === 'proxmox-kernel-6.8')).toMatchObject({
      currentVersion: '6.8.12-4',
      targetVersion: '6.8.12-5',
      originName: 'Proxmox',
      label: 'Proxmox Debian Repository',
      suite: 'stable',
      codename: 'bookworm',
      sources: [expect.objectContaining({ component: 'pve-no-subscription' })],
    });
    expect(names(apt.installed)).toContain('proxmox-kernel-6.8.12-5-pve-signed');
    expect(apt).toMatchObject({ rebootRequired: false, rebootAfterApply: true });
    expect([...apt.rebootAfterApplyPkgs].sort()).toEqual(['proxmox-kernel-6.8', 'proxmox-kernel-6.8.12-5-pve-signed']);
    expect(await tile()).toMatchObject({ aptRebootAfterApply: true, aptRebootRequired: false });

    const result = await applyPlan();
    expect(result.apt.rebootRequiredAfterRun).toBe(true);
    expect([...result.apt.rebootPkgs].sort()).toEqual(['proxmox-kernel-6.8', 'proxmox-kernel-6.8.12-5-pve-signed']);
    expect(names(result.apt.installed)).toEqual(['proxmox-kernel-6.8.12-5-pve-signed']);
    expect(await tile()).toMatchObject({ aptRebootRequired: true, aptRebootAfterApply: false });
  });
});
