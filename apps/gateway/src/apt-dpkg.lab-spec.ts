// Issue 10 against real machines, as the lab's non-root `admin` user with password sudo: the dpkg state check fails
// closed, and dpkg killed in the middle of an upgrade (an essential package left half-installed) is refused by the
// preflight, reported by the analysis and on the tile, and repaired through an approved dpkg_repair.
// Needs root; skipped otherwise.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childProcessEnv } from '@su/config';
import { createTestDatabase, ensureHostTools, isRoot, Lab, type LabMachine, type TestDatabase } from '@su/testing';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`apt dpkg lab tests skipped: ${skipReason}`);

const root = new URL('../../..', import.meta.url).pathname;
const ADMIN_PW = 'lab-admin-pw';
const LOCK_TTL_S = 8;

describe.skipIf(!!skipReason)('apt: dpkg state (lab, admin with sudo)', () => {
  let lab: Lab;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let ms: LabMachine[];
  const ids: string[] = [];
  const api: GatewayHarness['api'] = (...a) => gw.api(...a);

  const act = async (machine: number, action: string) => {
    const res = await api('POST', `/api/v1/machines/${ids[machine]}/actions`, { body: { action } });
    expect(res.status, res.text).toBe(201);
    return res.body as { id: string };
  };
  const run = async (machine: number, action: string, timeoutMs = 120_000) =>
    gw.waitJob((await act(machine, action)).id, timeoutMs);
  const latest = async (machine: number) =>
    (await api('GET', `/api/v1/machines/${ids[machine]}/snapshots/latest`)).body;
  const versions = async (machine: number) =>
    (
      await lab.exec(
        ms[machine]!.name,
        "dpkg-query -W -f='${binary:Package} ${Version} ${db:Status-Abbrev}\\n' 'homelab-*' | sed 's/ *$//'",
      )
    ).stdout
      .trim()
      .split('\n');
  const settle = async (machine: number) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const busy = await db.query(`SELECT id FROM jobs WHERE machine_id = $1 AND status IN ('queued', 'running')`, [
        ids[machine],
      ]);
      if (busy.length === 0 || Date.now() > deadline) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    if (Lab.exists()) await Lab.attach().down();
    lab = await Lab.up({ machines: 2, log: (m) => console.log(`[lab] ${m}`) });
    ms = lab.machines();
    const build = spawnSync(process.execPath, [join(root, 'tools/build/build.mjs'), 'apt-worker'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    db = await createTestDatabase();
    gw = await startGateway(db, {
      SU_SSH_CONNECT_TIMEOUT_SECONDS: '6',
      SU_LOCK_TTL_SECONDS: String(LOCK_TTL_S),
      SU_LOCK_RETRY_SECONDS: '1',
    });
    for (const [i, m] of ms.entries()) {
      const res = await api('POST', '/api/v1/machines', {
        body: {
          name: `dpkg${i + 1}`,
          hostname: m.address,
          port: m.sshPort,
          username: 'admin',
          credentials: { authMethod: 'password', password: ADMIN_PW, sudoMode: 'same_as_ssh' },
        },
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    for (let i = 0; i < ids.length; i++) await settle(i);
  }, 300_000);

  afterAll(async () => {
    await gw?.close();
    await db?.drop();
    await lab?.down();
  });

  it('the preflight fails closed: a dpkg state check that cannot run refuses the apply (dpkg_check_failed)', async () => {
    await lab.publish('homelab-demo', '1.1');
    // The premise (issue 10): without sudo, `dpkg --audit` cannot check dpkg's lock (0640 root:root once dpkg ran as
    // root) and fails exactly when it has something to report.
    await lab.interruptDpkg(ms[0]!.name);
    await lab.exec(ms[0]!.name, 'touch /var/lib/dpkg/lock && chmod 0640 /var/lib/dpkg/lock');
    const nonRoot = await lab.ssh(ms[0]!.name, 'admin', 'LC_ALL=C dpkg --audit');
    expect(nonRoot.code).toBe(2);
    expect(nonRoot.stderr).toMatch(/unable to check lock file.*Permission denied/);
    const interrupted = await run(0, 'apt_upgrade');
    expect(interrupted).toMatchObject({ status: 'error', errorKind: 'dpkg_interrupted' });
    expect(interrupted.errorMessage).toContain('homelab-demo (half-configured)');
    await lab.exec(ms[0]!.name, 'dpkg --configure -a');

    // The check itself cannot run as root either: dpkg cannot parse its own journal. apt's simulation does not notice.
    await lab.exec(
      ms[0]!.name,
      "printf 'Package: homelab-demo\\nStatus: bogus words here\\n\\n' > /var/lib/dpkg/updates/0001",
    );
    try {
      const job = await run(0, 'apt_upgrade');
      expect(job).toMatchObject({ status: 'error', errorKind: 'dpkg_check_failed' });
      expect(job.errorMessage).toMatch(/could not run: dpkg: error: parsing file '\/var\/lib\/dpkg\/updates\/0001'/);
      expect(job.result.error.remediation).toMatch(/sudo dpkg --audit/);
      // dpkg-query cannot read the database either; the file on disk is still 1.0's.
      expect((await lab.exec(ms[0]!.name, 'cat /usr/share/homelab-demo/VERSION')).stdout.trim()).toBe('1.0');
      const ex = await db.query(`SELECT status, error_kind, result FROM executions WHERE job_id = $1`, [job.id]);
      expect(ex[0]).toMatchObject({ status: 'error', error_kind: 'dpkg_check_failed' });
      expect(ex[0].result.apt.applied).toEqual([]);
      // The analysis runs the same check: an error, on the tile.
      expect((await run(0, 'apt_update_analyze')).status).toBe('ok');
      const snap = await latest(0);
      expect(snap.status).toBe('error');
      expect(snap.payload.apt.errors[0]).toMatchObject({ kind: 'dpkg_check_failed' });
      expect((await api('GET', `/api/v1/machines/${ids[0]}`)).body.state).toMatchObject({
        aptStatus: 'error',
        lastErrorKind: 'dpkg_check_failed',
      });
    } finally {
      await lab.exec(ms[0]!.name, 'rm -f /var/lib/dpkg/updates/0001');
    }
    await settle(0);
    expect((await run(0, 'apt_upgrade')).status).toBe('ok');
    expect(await versions(0)).toContain('homelab-demo 1.1 ii');
  });

  it('worker and dpkg killed mid-upgrade: the lost run recorded, the half-installed essential package refused, analysed, shown, repaired through approval', async () => {
    await lab.publishSet({ 'homelab-essential': '1.1', 'homelab-secfix': '1.1' });
    expect((await run(1, 'apt_update_analyze')).status).toBe('ok');
    // The apply runs in a worker process of its own, killed in the middle of the upgrade with dpkg: homelab-essential
    // 1.1 pre-depends on homelab-secfix 1.1 (upgraded first); its preinst waits, and there both die.
    await gw.stopWorker();
    let child: ChildProcess | undefined;
    let killed: { id: string };
    try {
      child = spawn(
        process.execPath,
        ['--disable-warning=ExperimentalWarning', join(root, 'dist/apps/apt-worker/main.js')],
        {
          cwd: root,
          stdio: 'ignore',
          env: childProcessEnv({
            DATABASE_URL: db.url,
            SU_DATA_DIR: gw.dataDir,
            SU_LOCK_TTL_SECONDS: String(LOCK_TTL_S),
          }),
        },
      );
      await lab.blockPreinst(ms[1]!.name);
      killed = await act(1, 'apt_upgrade');
      await lab.waitForBlockedPreinst(ms[1]!.name);
      child.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));
      await lab.killDpkgInPreinst(ms[1]!.name);
    } finally {
      if (child && child.exitCode === null) child.kill('SIGKILL');
    }
    await gw.restartWorker();
    const lost = await gw.waitJob(killed.id, (LOCK_TTL_S + 30) * 1000);
    expect(lost).toMatchObject({ status: 'error', errorKind: 'worker_lost' });
    expect(await versions(1)).toEqual(expect.arrayContaining(['homelab-essential 1.0 iHR', 'homelab-secfix 1.1 ii']));
    expect((await api('GET', `/api/v1/machines/${ids[1]}`)).body.state).toMatchObject({ lastErrorKind: 'worker_lost' });

    // The preflight refuses, naming the package.
    const refused = await run(1, 'apt_upgrade');
    expect(refused).toMatchObject({ status: 'error', errorKind: 'dpkg_interrupted' });
    expect(refused.errorMessage).toBe('dpkg has unfinished work: homelab-essential (half-installed)');
    expect(refused.result.error.remediation).toContain("'apt-get install --reinstall homelab-essential'");
    // That contact recorded what the lost run had changed, against the before-state it kept.
    const lostEx = (
      await db.query(`SELECT id, status, error_kind, result FROM executions WHERE job_id = $1`, [killed.id])
    )[0];
    expect(lostEx).toMatchObject({ status: 'error', error_kind: 'worker_lost', result: { partial: true } });
    const lostChanges = lostEx.result.apt.applied.map(
      (c: { name: string; toVersion: string }) => `${c.name} ${c.toVersion}`,
    );
    expect(lostChanges).toContain('homelab-secfix 1.1');
    expect(lostChanges.join()).not.toContain('homelab-essential');
    const rows = await db.query(`SELECT name FROM apt_applied_packages WHERE execution_id = $1`, [lostEx.id]);
    expect(rows.map((r: { name: string }) => r.name)).toContain('homelab-secfix');

    // The analysis reports it; the tile and the fleet list show it.
    expect((await run(1, 'apt_update_analyze')).status).toBe('ok');
    const snap = await latest(1);
    expect(snap.status).toBe('error');
    expect(snap.payload.apt.errors[0]).toMatchObject({
      kind: 'dpkg_interrupted',
      message: 'dpkg has unfinished work: homelab-essential (half-installed)',
      importantLines: ['homelab-essential half-installed'],
    });
    expect(snap.payload.apt.errors[0].remediation).toMatch(/dpkg --configure -a.*--reinstall homelab-essential/);
    const fleet = (await api('GET', '/api/v1/machines')).body.items as { id: string; state: Record<string, unknown> }[];
    expect(fleet.find((m) => m.id === ids[1])?.state).toMatchObject({
      aptStatus: 'error',
      lastErrorKind: 'dpkg_interrupted',
      lastErrorMessage: 'dpkg has unfinished work: homelab-essential (half-installed)',
    });

    // dpkg_repair only through approval.
    const direct = await api('POST', `/api/v1/machines/${ids[1]}/actions`, { body: { action: 'dpkg_repair' } });
    expect(direct.status).toBe(400);
    expect(direct.body.errors).toEqual([
      { field: 'action', reasons: [expect.stringMatching(/approved action request/)] },
    ]);
    const req = await api('POST', '/api/v1/action-requests', { body: { machineId: ids[1], action: 'dpkg_repair' } });
    expect(req.status, req.text).toBe(201);
    expect(req.body).toMatchObject({ status: 'pending', risk: 'high' });
    const approved = await api('POST', `/api/v1/action-requests/${req.body.id}/approve`, {
      body: { note: 'lab: repair after the killed run' },
    });
    expect(approved.status, approved.text).toBe(200);
    const repair = await gw.waitJob(approved.body.jobId, 180_000);
    expect(repair, JSON.stringify(repair)).toMatchObject({ status: 'ok' });
    const exRow = (
      await db.query(`SELECT result, report_id, request_id FROM executions WHERE job_id = $1`, [repair.id])
    )[0];
    expect(exRow.request_id).toBe(req.body.id);
    const ex = exRow.result.apt;
    // The report names who asked and who approved, with the note, and shows each apt-get's simulation.
    const report = await api('GET', `/api/v1/machines/${ids[1]}/reports/${exRow.report_id}/download`);
    expect(report.text).toMatch(
      /Requested by admin \(action request [0-9a-f-]+\)\. Approved by admin at \S+, note: "lab: repair after the killed run"\./,
    );
    expect(report.text).toMatch(
      /apt-get install --reinstall homelab-essential.*\n\s+- simulated: Inst homelab-essential/,
    );
    expect(ex.repair.before).toEqual([{ name: 'homelab-essential', state: 'half-installed' }]);
    expect(ex.repair.after).toEqual([]);
    const reinstall = ex.repair.steps.find((s: { command: string }) => s.command.includes('--reinstall'));
    expect(reinstall.simulated).toContain('Inst homelab-essential [1.0] (1.1 Debian:12.10/stable [all])');
    expect(await versions(1)).toContain('homelab-essential 1.1 ii');
    // The follow-up analysis clears the tile.
    await settle(1);
    expect((await api('GET', `/api/v1/machines/${ids[1]}`)).body.state).toMatchObject({ lastErrorKind: null });
    expect((await latest(1)).payload.apt.errors ?? []).toEqual([]);
  });
});
