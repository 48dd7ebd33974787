// Issue 14 against real machines (the lab with dockerd, Compose v2, its APT repository and registry): the locked
// maintenance run. One lab, three machines shared by the tests in order: nothing to do (lab3), the full run after one
// approval (lab1), plan drift (lab2), a schedule over all three, a docker-worker killed in the Docker part (lab3),
// and last (it leaves dpkg broken) a failing APT part (lab2). The apt-worker runs in this process (it coordinates
// runs); the docker-worker is a child process, so that it can be SIGKILLed.
// Needs root; skipped otherwise. Run alone: SU_LAB_ID=N … vitest run --config vitest.lab.config.ts <this file>.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childProcessEnv } from '@su/config';
import { Database } from '@su/db';
import { ScheduleRunAdvancer } from '@su/runs';
import { ScheduleFiringService } from '@su/schedules';
import { createTestDatabase, ensureHostTools, isRoot, Lab, type LabMachine, type TestDatabase } from '@su/testing';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`maintenance lab tests skipped: ${skipReason}`);

const root = join(import.meta.dirname, '../../..');
const ADMIN_PW = 'lab-admin-pw';
const LOCK_TTL_S = 10;
const STACKS = '/srv/stacks';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!!skipReason)('maintenance run (lab)', () => {
  let lab: Lab;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let ms: LabMachine[];
  let reg: string;
  let dockerWorker: ChildProcess | undefined;
  const ids: string[] = [];
  const api: GatewayHarness['api'] = (...a) => gw.api(...a);
  const sh = async (machine: number, cmd: string) => (await lab.exec(ms[machine]!.name, cmd)).stdout.trim();

  const startDockerWorker = () => {
    dockerWorker = spawn(
      process.execPath,
      ['--disable-warning=ExperimentalWarning', join(root, 'dist/apps/docker-worker/main.js')],
      {
        cwd: root,
        stdio: 'ignore',
        env: childProcessEnv({
          DATABASE_URL: db.url,
          SU_DATA_DIR: gw.dataDir,
          SU_LOCK_TTL_SECONDS: String(LOCK_TTL_S),
          SU_LOCK_RETRY_SECONDS: '1',
          SU_DOCKER_DIGEST_CACHE_SECONDS: '0',
        }),
      },
    );
  };
  /** Queues an action (no wait). */
  const queue = async (machine: number, action: string, extra: Record<string, unknown> = {}): Promise<string> => {
    const res = await api('POST', `/api/v1/machines/${ids[machine]}/actions`, { body: { action, ...extra } });
    expect(res.status, res.text).toBe(201);
    return res.body.id;
  };
  const act = async (machine: number, action: string, extra: Record<string, unknown> = {}) =>
    gw.waitJob(await queue(machine, action, extra), 300_000);
  const maintenance = (machine: number, options: Record<string, unknown> = {}) =>
    queue(machine, 'maintenance', { maintenance: options });
  /** The run as the API shows it; null until the worker has started it (the API answers 404, whose problem details
   * carry a numeric `status` that must not be read as the run's). */
  const runView = async (jobId: string) => {
    const res = await api('GET', `/api/v1/jobs/${jobId}/maintenance`);
    return res.status === 200 ? res.body : null;
  };
  const partOf = (view: any, part: string) => view.parts.find((p: { part: string }) => p.part === part);
  const report = async (machine: number, reportId: string) =>
    (await api('GET', `/api/v1/machines/${ids[machine]}/reports/${reportId}/download`)).text;
  const dpkgVersion = (machine: number, pkg: string) => sh(machine, `dpkg-query -W -f '\${Version}' ${pkg}`);
  const bootId = (machine: number) => sh(machine, 'cat /proc/sys/kernel/random/boot_id');
  /** Waits until the machine has no queued or running job (an apply queues a follow-up analysis). */
  const settle = async (machine: number) => {
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const busy = await db.query(`SELECT id FROM jobs WHERE machine_id = $1 AND status IN ('queued', 'running')`, [
        ids[machine],
      ]);
      if (busy.length === 0) return;
      await sleep(250);
    }
  };
  /** The plan's inputs on record: a fresh analysis, scan and registry check. */
  const analyseAndCheck = async (machine: number) => {
    for (const a of ['apt_update_analyze', 'docker_scan', 'docker_check'])
      expect(await act(machine, a), a).toMatchObject({ status: 'ok' });
  };
  const writeStack = async (machine: number, name: string, body: string) =>
    lab.exec(ms[machine]!.name, `mkdir -p ${STACKS}/${name} && cat > ${STACKS}/${name}/compose.yaml`, { input: body });
  const up = (machine: number, name: string) => sh(machine, `cd ${STACKS}/${name} && docker compose up -d 2>&1`);

  beforeAll(async () => {
    // A fresh lab: the tests change installed packages, the published set and images.
    if (Lab.exists()) await Lab.attach().down();
    lab = await Lab.up({ machines: 3, docker: true, log: (m) => console.log(`[lab] ${m}`) });
    ms = lab.machines();
    reg = lab.registryHost();
    const build = spawnSync(process.execPath, [join(root, 'tools/build/build.mjs'), 'docker-worker'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    db = await createTestDatabase();
    gw = await startGateway(db, {
      SU_LOCK_TTL_SECONDS: String(LOCK_TTL_S),
      SU_LOCK_RETRY_SECONDS: '1',
      SU_DOCKER_DIGEST_CACHE_SECONDS: '0',
    });
    startDockerWorker();
    expect((await api('PUT', '/api/v1/docker/registries', { body: { host: reg, insecure: true } })).status).toBe(200);
    await lab.pushImage('lab/app:latest');
    const app = `services:\n  app:\n    image: ${reg}/lab/app:latest\n    init: true\n    restart: unless-stopped\n`;
    for (const [i, m] of ms.entries()) {
      const res = await api('POST', '/api/v1/machines', {
        body: {
          name: `maint${i + 1}`,
          hostname: m.address,
          port: m.sshPort,
          username: 'admin',
          credentials: { authMethod: 'password', password: ADMIN_PW, sudoMode: 'same_as_ssh' },
        },
      });
      expect(res.status, res.text).toBe(201);
      ids.push(res.body.id);
      await writeStack(i, 'web', app);
      await up(i, 'web');
      const root = await api('POST', `/api/v1/machines/${res.body.id}/docker/roots`, { body: { path: STACKS } });
      expect(root.status, root.text).toBe(201);
    }
  }, 900_000);

  afterAll(async () => {
    if (dockerWorker && dockerWorker.exitCode === null) dockerWorker.kill('SIGTERM');
    await gw?.close();
    await db?.drop();
  });

  it('nothing to do: a run on an up-to-date machine ends ok with every part skipped, each with its reason', async () => {
    const job = await gw.waitJob(await maintenance(2), 300_000);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok' });
    const view = await runView(job.id);
    expect(view).toMatchObject({ status: 'ok', currentPart: null });
    expect(partOf(view, 'plan').status).toBe('ok');
    expect(partOf(view, 'apt')).toMatchObject({ status: 'skipped', skipReason: 'no_package_changes' });
    expect(partOf(view, 'reboot')).toMatchObject({ status: 'skipped', skipReason: 'no_reboot_required' });
    expect(partOf(view, 'docker')).toMatchObject({ status: 'skipped', skipReason: 'no_stack_updates' });
    expect(partOf(view, 'prune')).toMatchObject({ status: 'skipped', skipReason: 'no_stack_updates' });
    const md = await report(2, view.reportId);
    expect(md).toContain('## Part apt: skipped (no_package_changes)');
    expect(md).toContain('## Part reboot: skipped (no_reboot_required)');
  });

  it('one approval: APT diff as planned, verified reboot (new boot_id), containers back then updated, prune bytes, one report; an analysis sent meanwhile starts after the run', async () => {
    await lab.publishSet({ 'homelab-demo': '1.2', 'homelab-dep': '1.0' });
    const pushed = await lab.pushImage('lab/app:latest');
    // A container with no restart policy: it will not come back after the reboot, and the run says so.
    await sh(0, `docker run -d --init --name lab-norestart ${reg}/lab/app:latest >/dev/null`);
    await analyseAndCheck(0);
    const created = await api('POST', '/api/v1/action-requests', {
      body: { machineId: ids[0], action: 'maintenance', options: { maintenance: { apt: 'dist_upgrade' } } },
    });
    expect(created.status, created.text).toBe(201);
    const plan = created.body.payload.plan as { name: string; operation: string }[];
    expect(plan.map((c) => c.name).sort()).toEqual(['homelab-demo', 'homelab-dep', 'web/app']);
    const before = await bootId(0);
    const approved = await api('POST', `/api/v1/action-requests/${created.body.id}/approve`, { body: {} });
    expect(approved.status, approved.text).toBe(200);
    const runJob = approved.body.jobId as string;
    // Analyses sent while the run holds the machine: one at once, one while the machine reboots.
    const early = await queue(0, 'apt_update_analyze');
    let duringReboot: string | null = null;
    let last: any = null;
    for (const deadline = Date.now() + 300_000; !duringReboot && Date.now() < deadline; await sleep(200)) {
      last = await runView(runJob);
      if (last?.currentPart === 'reboot') duringReboot = await queue(0, 'apt_update_analyze');
      if (last?.status && last.status !== 'running') break;
    }
    // When it did not, the run as it was last seen says why (which part ended it, and how).
    expect(duringReboot, `the run reached its reboot part; last seen: ${JSON.stringify(last)}`).not.toBeNull();
    const done = await gw.waitJob(runJob, 600_000);
    expect(done, JSON.stringify(done)).toMatchObject({ status: 'ok' });
    for (const id of [early, duringReboot!]) {
      const a = await gw.waitJob(id, 300_000);
      expect(a.status).toBe('ok');
      expect(Date.parse(a.startedAt)).toBeGreaterThanOrEqual(Date.parse(done.finishedAt));
    }
    const view = await runView(runJob);
    expect(view.parts.map((p: { status: string }) => p.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    // APT as planned.
    expect(await dpkgVersion(0, 'homelab-demo')).toBe('1.2');
    expect(await dpkgVersion(0, 'homelab-dep')).toBe('1.0');
    // The verified reboot, and the containers after it.
    const after = await bootId(0);
    expect(after).not.toBe(before);
    const rebootNotes = partOf(view, 'reboot').messages.join('\n');
    expect(rebootNotes).toContain(`boot_id ${before} → ${after}`);
    expect(rebootNotes).toMatch(/not running again: lab-norestart$/m);
    // The stack: back after the reboot, then on the new digest.
    const image = await sh(0, `docker inspect --format '{{.Image}}' web-app-1`);
    expect(await sh(0, `docker inspect --format '{{.State.Status}}' web-app-1`)).toBe('running');
    expect(await sh(0, `docker image inspect --format '{{json .RepoDigests}}' ${image}`)).toContain(pushed.digest);
    expect(partOf(view, 'prune').messages.join('\n')).toMatch(/\d+ bytes reclaimed/);
    // One report covering the four parts (the apt part's own diff included), one execution linking theirs.
    const md = await report(0, view.reportId);
    for (const part of ['apt', 'reboot', 'docker', 'prune']) expect(md).toContain(`## Part ${part}: ok`);
    expect(md).toMatch(/homelab-demo/);
    const [execution] = await db.query(`SELECT result FROM executions WHERE id = $1`, [view.executionId]);
    const linked = execution.result.parts.flatMap((p: any) => p.jobs.map((j: any) => j.executionId)).filter(Boolean);
    expect(linked.length).toBeGreaterThanOrEqual(4);
    await settle(0);
  });

  it('approve after a new package version is published: plan_drifted, nothing applied', async () => {
    await analyseAndCheck(1);
    const created = await api('POST', '/api/v1/action-requests', {
      body: { machineId: ids[1], action: 'maintenance', options: { maintenance: { apt: 'dist_upgrade' } } },
    });
    expect(created.status, created.text).toBe(201);
    const imageBefore = await sh(1, `docker inspect --format '{{.Image}}' web-app-1`);
    await lab.publish('homelab-secfix', '1.1');
    const approved = await api('POST', `/api/v1/action-requests/${created.body.id}/approve`, { body: {} });
    expect(approved.status, approved.text).toBe(200);
    const done = await gw.waitJob(approved.body.jobId, 300_000);
    expect(done).toMatchObject({ status: 'error', errorKind: 'plan_drifted' });
    const view = await runView(done.id);
    expect(view.status).toBe('plan_drifted');
    for (const part of ['apt', 'reboot', 'docker', 'prune'])
      expect(partOf(view, part)).toMatchObject({ status: 'skipped', skipReason: 'plan_drifted' });
    expect(partOf(view, 'plan').messages.join('\n')).toMatch(/plan_drifted: .*homelab-secfix/);
    expect(await dpkgVersion(1, 'homelab-demo')).toBe('1.0');
    expect(await sh(1, `docker inspect --format '{{.Image}}' web-app-1`)).toBe(imageBefore);
    await settle(1);
  });

  it('a schedule with maintenance over three machines, concurrency 1: one run after the other, each one job; the progress shows the part', async () => {
    for (const i of [0, 1, 2]) await settle(i);
    const created = await api('POST', '/api/v1/schedules', {
      body: {
        name: 'patch night',
        cron: '* * * * *',
        scope: { machineIds: ids },
        actions: ['maintenance'],
        concurrency: 1,
        approvalPolicy: 'none',
      },
    });
    expect(created.status, created.text).toBe(201);
    await db.query(`UPDATE schedules SET next_run_at = date_trunc('minute', now()) WHERE id = $1`, [created.body.id]);
    const firing = new ScheduleFiringService(
      gw.app.get(Database),
      gw.platform.config,
      gw.platform,
      gw.app.get(ScheduleRunAdvancer),
    );
    await firing.fire(created.body.id);
    const seen = new Map<string, Set<string>>();
    let jobs: any[] = [];
    for (const deadline = Date.now() + 600_000; Date.now() < deadline; await sleep(300)) {
      jobs = (await api('GET', `/api/v1/jobs?scheduleId=${created.body.id}&limit=50`)).body;
      for (const j of jobs.filter((x) => x.status === 'running')) {
        const part = (await runView(j.id))?.currentPart;
        if (part) seen.set(j.id, (seen.get(j.id) ?? new Set()).add(part));
      }
      if (jobs.length === 3 && jobs.every((j) => !['waiting', 'queued', 'running'].includes(j.status))) break;
    }
    expect(jobs.map((j) => j.kind)).toEqual(['machine.maintenance', 'machine.maintenance', 'machine.maintenance']);
    const views = await Promise.all(jobs.map((j) => runView(j.id)));
    expect(
      jobs.map((j) => j.status),
      JSON.stringify({ jobs, views }),
    ).toEqual(['ok', 'ok', 'ok']);
    const byStart = [...jobs].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    for (let i = 1; i < byStart.length; i++)
      expect(Date.parse(byStart[i].startedAt)).toBeGreaterThanOrEqual(Date.parse(byStart[i - 1].finishedAt));
    // Each machine's progress showed the part in progress while it ran.
    expect(jobs.map((j) => [...(seen.get(j.id) ?? [])].includes('plan'))).toEqual([true, true, true]);
    const runs = await db.query(`SELECT status FROM schedule_runs WHERE schedule_id = $1`, [created.body.id]);
    expect(runs.map((r: { status: string }) => r.status)).toEqual(['ok']);
  });

  it('SIGKILL of the docker-worker during the Docker part: the run ends worker_lost at that part after the lock expiry, and the next job works', async () => {
    await settle(2);
    // A service that never becomes healthy: the apply waits for it, which is when the worker is killed.
    await lab.pushImage('lab/slow:latest');
    await writeStack(
      2,
      'slow',
      `services:\n  slow:\n    image: ${reg}/lab/slow:latest\n    init: true\n    healthcheck:\n      test: ["CMD", "test", "-e", "/tmp/never"]\n      interval: 1s\n`,
    );
    await up(2, 'slow');
    expect(await act(2, 'docker_scan')).toMatchObject({ status: 'ok' });
    await lab.pushImage('lab/slow:latest');
    const runJob = await maintenance(2, { apt: 'none', reboot: 'never', prune: 'none' });
    let killedAt = 0;
    for (const deadline = Date.now() + 300_000; !killedAt && Date.now() < deadline; await sleep(200)) {
      const inside = await db.query(
        `SELECT j.id FROM machine_locks l JOIN jobs j ON j.id = l.part_job_id
          WHERE l.machine_id = $1 AND j.kind = 'docker.apply' AND j.status = 'running'`,
        [ids[2]],
      );
      if (inside.length) {
        dockerWorker!.kill('SIGKILL');
        await new Promise((r) => dockerWorker!.once('exit', r));
        killedAt = Date.now();
      }
    }
    expect(killedAt, 'the Docker part started').toBeGreaterThan(0);
    const done = await gw.waitJob(runJob, (LOCK_TTL_S + 60) * 1000);
    expect(done).toMatchObject({ status: 'error', errorKind: 'worker_lost' });
    const view = await runView(runJob);
    expect(view.status).toBe('worker_lost');
    expect(partOf(view, 'docker').status).toBe('error');
    expect(partOf(view, 'docker').jobs.at(-1)).toMatchObject({ kind: 'docker.apply', errorKind: 'worker_lost' });
    expect(await db.query(`SELECT * FROM machine_locks WHERE machine_id = $1`, [ids[2]])).toEqual([]);
    startDockerWorker();
    expect(await act(2, 'docker_scan')).toMatchObject({ status: 'ok' });
  });

  it('the APT part fails (a failing maintainer script): the run stops, the later parts are skipped as previous_step_failed', async () => {
    await lab.publish('homelab-broken', '1.1');
    const done = await gw.waitJob(await maintenance(1, { reboot: 'always' }), 300_000);
    expect(done.status).toBe('error');
    const view = await runView(done.id);
    expect(view.status).toBe('error');
    expect(partOf(view, 'apt').status).toBe('error');
    // The maintainer script's failure, not a refusal before applying.
    expect(partOf(view, 'apt').jobs.at(-1).errorKind, JSON.stringify(view)).not.toBe('plan_drifted');
    expect(partOf(view, 'apt').jobs.at(-1).errorMessage).toMatch(/dpkg/);
    for (const part of ['reboot', 'docker', 'prune'])
      expect(partOf(view, part)).toMatchObject({ status: 'skipped', skipReason: 'previous_step_failed' });
    const md = await report(1, view.reportId);
    expect(md).toContain('## Part apt: error');
    expect(md.match(/^## Part \w+: skipped \(previous_step_failed\)$/gm)).toHaveLength(3);
  });
});
