import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  planHash,
  resolveMaintenanceOptions,
  type ApprovedPlan,
  type MachineAction,
  type MaintenanceOptions,
  type MaintenancePartJob,
} from '@su/contracts';
import { Database, MachinesRepository } from '@su/db';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import type { ActionOptions } from '../action-job.ts';
import { maintenancePlanOf } from './maintenance-plan.ts';
import { MaintenanceRun } from './maintenance-run.ts';
import type { PartRunner } from './part-jobs.ts';

// A maintenance run's sequencing on a real PostgreSQL (ADR 0031): which parts run, which skip and why, plan drift and
// the stop policy. The workers are played by this file: each part job's outcome is scripted, and its effect on the
// records (a fresh analysis, a registry check that saw another digest, a scan after the reboot) written as the real
// job would. The lab spec (apps/gateway/src/maintenance.lab-spec.ts) proves the same against real machines.
let tdb: TestDatabase;
let db: Database;
let machineId: string;
const q = <T = any>(sql: string, ...args: unknown[]) => db.prisma.$queryRawUnsafe<T[]>(sql, ...args);
const OLD = `sha256:${'aa'.repeat(32)}`;
const NEW = `sha256:${'bb'.repeat(32)}`;
const NEWER = `sha256:${'cc'.repeat(32)}`;

const pkg = (name: string, from: string, to: string) => ({
  name,
  arch: 'amd64',
  currentVersion: from,
  targetVersion: to,
  origin: 'lab',
  originName: 'lab',
  suite: 'stable',
  operation: 'upgrade',
  security: false,
  keptBack: false,
  held: false,
  phased: false,
  dedupKey: `debian|${name}|${from}|${to}|lab`,
});

async function analysis(packages: ReturnType<typeof pkg>[]) {
  const status = packages.length ? 'updates_available' : 'ok';
  const payload = {
    schemaVersion: 1,
    kind: 'apt_update_analyze',
    machineId,
    hostname: 'x.invalid',
    os: { family: 'debian', version: '12' },
    checkedAt: new Date().toISOString(),
    status,
    apt: { enabled: true, count: packages.length, rebootRequired: false, status, packages, installed: [], removed: [] },
    errors: [],
  };
  await q(
    `INSERT INTO snapshots (machine_id, kind, status, payload) VALUES ($1::uuid, 'apt_update_analyze', $2, $3::jsonb)`,
    machineId,
    status,
    JSON.stringify(payload),
  );
}

async function scan(containers: { name: string; state: string }[]) {
  const docker = {
    enabled: true,
    installed: true,
    count: 0,
    stacks: [],
    containers: containers.map((c) => ({
      id: c.name,
      image: 'app',
      imageId: 'i',
      health: null,
      exitCode: null,
      project: 'web',
      service: 'app',
      ...c,
    })),
  };
  await q(
    `INSERT INTO snapshots (machine_id, kind, status, payload) VALUES ($1::uuid, 'docker_scan', 'ok', $2::jsonb)`,
    machineId,
    JSON.stringify({ kind: 'docker_scan', docker }),
  );
}

async function stackWithUpdate(candidate: string | null) {
  await q(`DELETE FROM docker_compose_stacks WHERE machine_id = $1::uuid`, machineId);
  const [stack] = await q(
    `INSERT INTO docker_compose_stacks (machine_id, name, working_dir, compose_files_json, status, choice, detected_by)
     VALUES ($1::uuid, 'web', '/srv/web', '["compose.yaml"]'::jsonb, 'enabled', 'enabled', 'root_scan') RETURNING id`,
    machineId,
  );
  await q(
    `INSERT INTO docker_stack_services (stack_id, service_name, image_ref, current_digest, candidate_digest, status)
     VALUES ($1::uuid, 'app', 'registry.lab/app:1', $2, $3, $4)`,
    stack.id,
    OLD,
    candidate,
    candidate ? 'updates_available' : 'ok',
  );
}
const setDigest = (d: string) => q(`UPDATE docker_stack_services SET candidate_digest = $1`, d);
const setRebootRequired = (v: boolean) =>
  q(`UPDATE machine_state SET apt_reboot_required = $2 WHERE machine_id = $1::uuid`, machineId, v);

type Script = Partial<Record<MachineAction, { status?: string; errorKind?: string; effect?: () => Promise<unknown> }>>;

/** Plays the workers: each job ends as scripted (ok by default) after its effect on the records. */
class ScriptedParts implements PartRunner {
  readonly calls: { action: MachineAction; options: ActionOptions; plan: ApprovedPlan | undefined }[] = [];
  constructor(private readonly script: Script) {}
  async run(action: MachineAction, _s: AbortSignal, options: ActionOptions = {}, plan?: ApprovedPlan) {
    this.calls.push({ action, options, plan });
    const s = this.script[action] ?? {};
    await s.effect?.();
    const at = new Date().toISOString();
    const job: MaintenancePartJob = {
      jobId: randomUUID(),
      kind: action,
      status: s.status ?? 'ok',
      executionId: null,
      errorKind: s.errorKind ?? null,
      errorMessage: s.errorKind ? `${action} failed: ${s.errorKind}` : null,
      startedAt: at,
      finishedAt: at,
    };
    return job;
  }
}

async function runWith(script: Script, options: MaintenanceOptions = {}, approved: ApprovedPlan | null = null) {
  const parts = new ScriptedParts(script);
  const run = new MaintenanceRun({
    db,
    parts,
    jobId: randomUUID(),
    machineId,
    options: resolveMaintenanceOptions(options),
    approved,
    signal: new AbortController().signal,
    saved: async () => undefined,
  });
  await run.run();
  const by = Object.fromEntries(run.progress.parts.map((p) => [p.part, p]));
  return { run, parts, by, actions: parts.calls.map((c) => c.action), status: run.progress.status() };
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = Database.connect({ url: tdb.url });
});

beforeEach(async () => {
  machineId = randomUUID();
  await new MachinesRepository(db.prisma).create(
    { id: machineId, name: `m-${machineId.slice(0, 6)}`, hostname: '127.0.0.1', port: 22, username: 'u' },
    null,
  );
});

afterAll(async () => {
  await db.close();
  await tdb.drop();
});

describe('a maintenance run', () => {
  it('on an up-to-date machine ends ok with every part after the plan skipped, each with its reason', async () => {
    await stackWithUpdate(null);
    const r = await runWith({ apt_update_analyze: { effect: () => analysis([]) } });
    expect(r.status).toBe('ok');
    expect(r.actions).toEqual(['apt_update_analyze', 'docker_scan', 'docker_check']);
    expect(r.by['plan']).toMatchObject({ status: 'ok' });
    expect(r.by['apt']).toMatchObject({ status: 'skipped', skipReason: 'no_package_changes' });
    expect(r.by['reboot']).toMatchObject({ status: 'skipped', skipReason: 'no_reboot_required' });
    expect(r.by['docker']).toMatchObject({ status: 'skipped', skipReason: 'no_stack_updates' });
    expect(r.by['prune']).toMatchObject({ status: 'skipped', skipReason: 'no_stack_updates' });
  });

  it('runs APT, the reboot it requires, the containers check, Docker and prune, each bound to its part of the plan', async () => {
    await stackWithUpdate(NEW);
    await scan([
      { name: 'web-app-1', state: 'running' },
      { name: 'web-worker-1', state: 'running' },
    ]);
    const r = await runWith({
      apt_update_analyze: { effect: () => analysis([pkg('openssl', '3.0.1', '3.0.2')]) },
      apt_upgrade: { effect: () => setRebootRequired(true) },
      docker_scan: {},
      reboot_verified: {
        effect: async () => {
          await setRebootRequired(false);
          // After the reboot only the app came back (the worker has no restart policy).
          await scan([
            { name: 'web-app-1', state: 'running' },
            { name: 'web-worker-1', state: 'exited' },
          ]);
        },
      },
    });
    expect(r.status).toBe('ok');
    expect(r.actions).toEqual([
      'apt_update_analyze',
      'docker_scan',
      'docker_check',
      'apt_upgrade',
      'reboot_verified',
      'docker_scan',
      'docker_apply',
      'docker_prune',
    ]);
    const plan = r.run.plan!;
    expect(plan.apt).toEqual([{ name: 'openssl', arch: 'amd64', targetVersion: '3.0.2', operation: 'upgrade' }]);
    expect(plan.hash).toBe(planHash([...plan.apt, ...plan.docker]));
    const call = (a: MachineAction) => r.parts.calls.find((c) => c.action === a)!;
    // Nobody approved this run: its parts apply what its own fresh plan said, bound to no request.
    expect(call('apt_upgrade').plan).toBeUndefined();
    expect(call('docker_prune').options).toEqual({ pruneMode: 'safe' });
    expect(r.by['reboot']!.messages.join('\n')).toMatch(/not running again: web-worker-1$/m);
  });

  it('stops at a failing APT part: reboot, Docker and prune are skipped as previous_step_failed', async () => {
    await stackWithUpdate(NEW);
    const r = await runWith(
      {
        apt_update_analyze: { effect: () => analysis([pkg('homelab-broken', '1.0', '1.1')]) },
        apt_upgrade: { status: 'error', errorKind: 'dpkg_failed' },
      },
      { reboot: 'always' },
    );
    expect(r.status).toBe('error');
    expect(r.run.progress.failure()).toMatchObject({ part: 'apt', errorKind: 'dpkg_failed' });
    expect(r.by['apt']).toMatchObject({ status: 'error' });
    for (const part of ['reboot', 'docker', 'prune'])
      expect(r.by[part]).toMatchObject({ status: 'skipped', skipReason: 'previous_step_failed' });
    expect(r.actions).not.toContain('reboot_verified');
    expect(r.actions).not.toContain('docker_apply');
  });

  it('with the continue policy, a failing APT part does not stop the later parts', async () => {
    await stackWithUpdate(null);
    const r = await runWith(
      {
        apt_update_analyze: { effect: () => analysis([pkg('homelab-broken', '1.0', '1.1')]) },
        apt_upgrade: { status: 'error', errorKind: 'dpkg_failed' },
      },
      { reboot: 'always', failurePolicy: 'continue', docker: false },
    );
    expect(r.status).toBe('error');
    expect(r.actions).toContain('reboot_verified');
    expect(r.by['reboot']).toMatchObject({ status: 'ok' });
  });

  it('ends plan_drifted before applying anything when an image moved since the approval', async () => {
    await stackWithUpdate(NEW);
    await analysis([pkg('openssl', '3.0.1', '3.0.2')]);
    const approvedPlan = await maintenancePlanOf(db.prisma, machineId, resolveMaintenanceOptions());
    const approved = {
      requestId: randomUUID(),
      hash: approvedPlan.hash,
      changes: approvedPlan.changes,
      allowSuperset: false,
    };
    const r = await runWith(
      {
        apt_update_analyze: { effect: () => analysis([pkg('openssl', '3.0.1', '3.0.2')]) },
        docker_check: { effect: () => setDigest(NEWER) },
      },
      {},
      approved,
    );
    expect(r.status).toBe('plan_drifted');
    expect(r.actions).toEqual(['apt_update_analyze', 'docker_scan', 'docker_check']);
    for (const part of ['apt', 'reboot', 'docker', 'prune'])
      expect(r.by[part]).toMatchObject({ status: 'skipped', skipReason: 'plan_drifted' });
    expect(r.by['plan']!.messages.join('\n')).toMatch(/plan_drifted: .*web\/app/);
  });

  it('runs exactly the approved plan when nothing moved', async () => {
    await stackWithUpdate(NEW);
    await analysis([pkg('openssl', '3.0.1', '3.0.2')]);
    const p = await maintenancePlanOf(db.prisma, machineId, resolveMaintenanceOptions());
    const approved = { requestId: randomUUID(), hash: p.hash, changes: p.changes, allowSuperset: false };
    const r = await runWith(
      { apt_update_analyze: { effect: () => analysis([pkg('openssl', '3.0.1', '3.0.2')]) } },
      {},
      approved,
    );
    expect(r.status).toBe('ok');
    const call = (a: MachineAction) => r.parts.calls.find((c) => c.action === a)!;
    expect(call('apt_upgrade').plan).toMatchObject({ requestId: approved.requestId, hash: planHash(p.apt) });
    expect(call('docker_apply').plan).toMatchObject({ requestId: approved.requestId, hash: planHash(p.docker) });
    expect(call('docker_apply').plan?.changes[0]?.targetVersion).toBe(`registry.lab/app:1@${NEW}`);
  });

  it('ends worker_lost at the Docker part when that part’s worker died', async () => {
    await stackWithUpdate(NEW);
    const r = await runWith({
      apt_update_analyze: { effect: () => analysis([]) },
      docker_apply: { status: 'error', errorKind: 'worker_lost' },
    });
    expect(r.status).toBe('worker_lost');
    expect(r.run.progress.failure()).toMatchObject({ part: 'docker', errorKind: 'worker_lost' });
    expect(r.by['prune']).toMatchObject({ status: 'skipped', skipReason: 'previous_step_failed' });
  });

  it('fails at the plan when the fresh analysis left no usable plan, and applies nothing', async () => {
    await stackWithUpdate(NEW);
    await q(
      `INSERT INTO snapshots (machine_id, kind, status, payload) VALUES ($1::uuid, 'apt_update_analyze', 'error', '{}'::jsonb)`,
      machineId,
    );
    const r = await runWith({});
    expect(r.status).toBe('error');
    expect(r.by['plan']).toMatchObject({ status: 'error' });
    expect(r.run.progress.failure()).toMatchObject({ part: 'plan' });
    for (const part of ['apt', 'reboot', 'docker', 'prune'])
      expect(r.by[part]).toMatchObject({ status: 'skipped', skipReason: 'previous_step_failed' });
  });

  it('skips what was not asked for', async () => {
    const r = await runWith({}, { apt: 'none', reboot: 'never', docker: false, prune: 'none' });
    expect(r.status).toBe('ok');
    expect(r.actions).toEqual([]);
    for (const part of ['apt', 'reboot', 'docker', 'prune'])
      expect(r.by[part]).toMatchObject({ status: 'skipped', skipReason: 'not_requested' });
  });
});
