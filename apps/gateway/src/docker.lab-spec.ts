// Issue 13 against real machines (the lab with dockerd, Compose v2 and its local registry): scan, check without
// pulling, apply with image diffs, health check and rollback, plan drift, alerts, prune, one job per machine.
// Needs root; skipped otherwise. Run alone: SU_LAB_ID=N … vitest run --config vitest.lab.config.ts <this file>.
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerWorkerModule, dockerWorkerHandlers } from '@su/docker-worker';
import { parsePruneOutput } from '@su/docker';
import { JobRunner } from '@su/platform';
import { createTestDatabase, ensureHostTools, isRoot, Lab, type LabMachine, type TestDatabase } from '@su/testing';
import { CapturingLogger, startGateway, type GatewayHarness } from './test/gateway.harness.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`docker lab tests skipped: ${skipReason}`);

const ADMIN_PW = 'lab-admin-pw';
const ROOT = '/srv/stacks';
const HEALTHY = `    healthcheck:\n      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]\n      interval: 1s\n      timeout: 2s\n      retries: 2\n      start_period: 1s\n`;

describe.skipIf(!!skipReason)('docker (lab)', () => {
  let lab: Lab;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let worker: INestApplicationContext;
  let ms: LabMachine[];
  let reg: string;
  const ids: string[] = [];
  const api: GatewayHarness['api'] = (...a) => gw.api(...a);

  const run = async (machine: number, action: string, extra: Record<string, unknown> = {}, timeoutMs = 180_000) => {
    const res = await api('POST', `/api/v1/machines/${ids[machine]}/actions`, { body: { action, ...extra } });
    expect(res.status, res.text).toBe(201);
    return gw.waitJob(res.body.id, timeoutMs);
  };
  const sh = async (machine: number, cmd: string) => (await lab.exec(ms[machine]!.name, cmd)).stdout;
  const stacks = async (machine: number) =>
    (await api('GET', `/api/v1/machines/${ids[machine]}/docker/stacks`)).body as any[];
  const stackNamed = async (machine: number, name: string) => (await stacks(machine)).find((s) => s.name === name);
  /** A compose file under the root with the given services (name → lab registry repository:tag). */
  const writeStack = async (machine: number, dir: string, services: Record<string, string>, extra = '') => {
    const body = Object.entries(services)
      .map(([svc, tag]) => `  ${svc}:\n    image: ${reg}/${tag}\n    init: true\n    restart: unless-stopped\n${extra}`)
      .join('');
    await lab.exec(ms[machine]!.name, `mkdir -p ${dir} && cat > ${dir}/compose.yaml`, { input: `services:\n${body}` });
  };
  const up = (machine: number, dir: string) => sh(machine, `cd ${dir} && docker compose up -d --quiet-pull 2>&1`);
  const imageIds = (machine: number) => sh(machine, `docker images -q --no-trunc | sort`);

  beforeAll(async () => {
    // The lab of this SU_LAB_ID when it is up with Docker; otherwise a fresh one.
    const attached = Lab.exists() ? Lab.attach() : null;
    lab =
      attached && attached.machines().length >= 3 && attached.machines().every((m) => m.docker)
        ? attached
        : await Lab.up({ machines: 3, docker: true, log: (m) => console.log(`[lab] ${m}`) });
    ms = lab.machines();
    reg = lab.registryHost();
    db = await createTestDatabase();
    // Digests are asked for every check (no cache), so a push is seen by the next check; one request per unique
    // reference is then the run's own deduplication.
    gw = await startGateway(db, { SU_LOCK_RETRY_SECONDS: '1', SU_DOCKER_DIGEST_CACHE_SECONDS: '0' });
    worker = await NestFactory.createApplicationContext(
      DockerWorkerModule.forRoot({ ...gw.platform, service: 'docker-worker' }),
      { logger: new CapturingLogger() },
    );
    await worker.get(JobRunner).start('docker-worker', dockerWorkerHandlers(worker), 4);
    for (const [i, m] of ms.entries()) {
      // Leftovers of an earlier run on an attached lab: containers, stacks, images.
      await lab.exec(
        m.name,
        `docker ps -aq | xargs -r docker rm -f >/dev/null; rm -rf ${ROOT} /opt/lab-stack; docker image prune -af >/dev/null`,
      );
      const res = await api('POST', '/api/v1/machines', {
        body: {
          name: `dock${i + 1}`,
          hostname: m.address,
          port: m.sshPort,
          username: 'admin',
          credentials: { authMethod: 'password', password: ADMIN_PW, sudoMode: 'same_as_ssh' },
        },
      });
      expect(res.status, res.text).toBe(201);
      ids.push(res.body.id);
    }
  }, 600_000);

  afterAll(async () => {
    await worker?.close();
    await gw?.close();
    await db?.drop();
  });

  it('scan: stacks under the root (enabled), a running stack outside them (candidate), a broken one (error) — and the others still found', async () => {
    await lab.pushImage('lab/web:latest');
    await lab.pushImage('lab/api:latest');
    await lab.pushImage('lab/outside:latest');
    await writeStack(0, `${ROOT}/alpha`, { web: 'lab/web:latest', api: 'lab/api:latest' });
    await writeStack(0, `${ROOT}/apps/beta`, { web: 'lab/web:latest' });
    await lab.exec(ms[0]!.name, `mkdir -p ${ROOT}/broken && cat > ${ROOT}/broken/compose.yaml`, {
      input: 'services:\n  web: [\n',
    });
    await up(0, `${ROOT}/alpha`);
    await up(0, `${ROOT}/apps/beta`);
    await lab.writeComposeStack(ms[0]!.name, 'outside', { svc: 'lab/outside:latest' });
    await up(0, '/opt/lab-stack/outside');

    const root = await api('POST', `/api/v1/machines/${ids[0]}/docker/roots`, { body: { path: ROOT, scanDepth: 3 } });
    expect(root.status, root.text).toBe(201);
    const job = await run(0, 'docker_scan');
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok' });

    const all = await stacks(0);
    const byName = Object.fromEntries(all.map((s) => [s.name, s]));
    expect(Object.keys(byName).sort()).toEqual(['alpha', 'beta', 'broken', 'outside']);
    expect(byName.alpha).toMatchObject({ status: 'enabled', detectedBy: 'root_scan', workingDir: `${ROOT}/alpha` });
    expect(byName.beta).toMatchObject({ status: 'enabled', workingDir: `${ROOT}/apps/beta` });
    expect(byName.outside).toMatchObject({
      status: 'candidate',
      detectedBy: 'label',
      workingDir: '/opt/lab-stack/outside',
      composeFiles: ['/opt/lab-stack/outside/compose.yaml'],
    });
    expect(byName.broken.status).toBe('error');
    expect(byName.broken.error).toMatch(/yaml|line 2/i);
    // Each service: the image of the compose file, what runs, and the digest it was pulled by (its RepoDigest).
    const web = byName.alpha.services.find((s: { serviceName: string }) => s.serviceName === 'web');
    expect(web).toMatchObject({
      imageRef: `${reg}/lab/web:latest`,
      currentDigest: await lab.registryDigest('lab/web:latest'),
      containerState: 'running',
    });
    expect(web.currentImageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    // The tile.
    const tile = (await api('GET', `/api/v1/machines/${ids[0]}`)).body.state;
    expect(tile).toMatchObject({ dockerInstalled: true, dockerStacksCount: 4 });
    expect(tile.dockerLastScanAt).toBeTruthy();
    // The canonical snapshot has every container, compose or not.
    const snap = (await api('GET', `/api/v1/machines/${ids[0]}/snapshots/latest?kind=docker_scan`)).body;
    expect(snap.payload.docker.containers.length).toBe(4);

    // Ignore / enable through the API; the choice survives the next scan.
    const ignored = await api('PUT', `/api/v1/machines/${ids[0]}/docker/stacks/${byName.outside.id}/status`, {
      body: { status: 'ignored' },
    });
    expect(ignored.body.status).toBe('ignored');
    await run(0, 'docker_scan');
    expect((await stackNamed(0, 'outside')).status).toBe('ignored');
    // Fixing the broken file clears the error.
    await writeStack(0, `${ROOT}/broken`, { web: 'lab/web:latest' });
    await run(0, 'docker_scan');
    expect(await stackNamed(0, 'broken')).toMatchObject({ status: 'enabled', error: null });
  });

  it('scan fails closed: no permission on the socket is docker_permission_denied, never "no stacks"', async () => {
    const res = await api('POST', '/api/v1/machines', {
      body: {
        name: 'dock-nosudo',
        hostname: ms[1]!.address,
        port: ms[1]!.sshPort,
        username: 'deploy',
        credentials: {
          authMethod: 'ssh_key',
          privateKey: (await import('node:fs')).readFileSync(ms[1]!.users.deploy.privateKeyPath, 'utf8'),
          // Commands run as the user itself (no sudo): deploy is not in the docker group.
          sudoMode: 'root',
        },
      },
    });
    expect(res.status, res.text).toBe(201);
    const machine = res.body.id;
    const job = await gw.waitJob(
      (await api('POST', `/api/v1/machines/${machine}/actions`, { body: { action: 'docker_scan' } })).body.id,
      120_000,
    );
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'error', errorKind: 'docker_permission_denied' });
    const tile = (await api('GET', `/api/v1/machines/${machine}`)).body.state;
    expect(tile).toMatchObject({ dockerStatus: 'error', lastErrorKind: 'docker_permission_denied' });
    await api('DELETE', `/api/v1/machines/${machine}`);
  });

  it('alerts: a container of an enabled stack that exits opens an alert at the next scan; its recovery closes it', async () => {
    await sh(0, `cd ${ROOT}/alpha && docker compose stop api 2>&1`);
    await run(0, 'docker_scan');
    const open = (await api('GET', `/api/v1/machines/${ids[0]}/docker/alerts`)).body as any[];
    expect(open.map((a) => [a.containerName, a.state])).toEqual([['alpha-api-1', 'exited']]);
    expect((await api('GET', `/api/v1/machines/${ids[0]}`)).body.state.dockerAlertsOpen).toBe(1);
    // An ignored stack's containers raise nothing.
    await sh(0, 'cd /opt/lab-stack/outside && docker compose stop 2>&1');
    await sh(0, `cd ${ROOT}/alpha && docker compose start api 2>&1`);
    await run(0, 'docker_scan');
    expect((await api('GET', `/api/v1/machines/${ids[0]}/docker/alerts`)).body).toEqual([]);
    const all = (await api('GET', `/api/v1/machines/${ids[0]}/docker/alerts?open=false`)).body as any[];
    expect(all).toHaveLength(1);
    expect(all[0].closedAt).toBeTruthy();
    await sh(0, 'cd /opt/lab-stack/outside && docker compose start 2>&1');
  });

  /** Manifest and blob requests the registry logged since `from` (its access log). */
  const registrySince = (from: number) => lab.registryAccessLog().slice(from);
  const service = async (machine: number, stack: string, svc: string) =>
    (await stackNamed(machine, stack)).services.find((x: { serviceName: string }) => x.serviceName === svc);
  const runningImage = async (machine: number, container: string) =>
    (await sh(machine, `docker inspect --format '{{.Image}}' ${container}`)).trim();
  const repoDigests = async (machine: number, imageId: string) =>
    JSON.parse(await sh(machine, `docker image inspect --format '{{json .RepoDigests}}' ${imageId}`)) as string[];

  it('check: after a push, exactly the services using that tag have an update; only manifest requests, no pull', async () => {
    const saved = await api('PUT', '/api/v1/docker/registries', { body: { host: reg, insecure: true } });
    expect(saved.status, saved.text).toBe(200);
    const imagesBefore = await imageIds(0);
    const from = lab.registryAccessLog().length;
    const pushed = await lab.pushImage('lab/web:latest');
    const pushLog = lab.registryAccessLog().length;
    const job = await run(0, 'docker_check');
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok', result: { references: 2, updates: 3 } });
    for (const [stack, svc] of [
      ['alpha', 'web'],
      ['beta', 'web'],
      ['broken', 'web'],
    ])
      expect(await service(0, stack!, svc!), `${stack}/${svc}`).toMatchObject({
        status: 'updates_available',
        candidateDigest: pushed.digest,
      });
    expect(await service(0, 'alpha', 'api')).toMatchObject({ status: 'up_to_date' });
    // The ignored stack was not asked about.
    expect((await service(0, 'outside', 'svc')).status).toBeNull();
    const asked = registrySince(pushLog);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.filter((r) => r.path.includes('/blobs/'))).toEqual([]);
    expect(asked.filter((r) => r.path !== '/v2/').every((r) => /^\/v2\/.+\/manifests\/[^/]+$/.test(r.path))).toBe(true);
    expect(asked.filter((r) => r.path === '/v2/lab/web/manifests/latest')).toHaveLength(1);
    expect(from).toBeLessThan(pushLog);
    // Nothing was pulled: the machine's images are the same.
    expect(await imageIds(0)).toBe(imagesBefore);
    const tile = (await api('GET', `/api/v1/machines/${ids[0]}`)).body.state;
    expect(tile).toMatchObject({ dockerUpdatesCount: 3 });
    expect(tile.dockerLastCheckAt).toBeTruthy();
  });

  it('check: three machines running the same image cause one registry request; the fleet view groups them', async () => {
    await lab.pushImage('lab/shared:latest');
    for (const m of [0, 1, 2]) {
      await writeStack(m, `${ROOT}/shared`, { app: 'lab/shared:latest' });
      await up(m, `${ROOT}/shared`);
      if (m > 0)
        expect((await api('POST', `/api/v1/machines/${ids[m]}/docker/roots`, { body: { path: ROOT } })).status).toBe(
          201,
        );
      expect((await run(m, 'docker_scan')).status).toBe('ok');
    }
    const pushed = await lab.pushImage('lab/shared:latest');
    const from = lab.registryAccessLog().length;
    const res = await api('POST', '/api/v1/docker/check', {});
    expect(res.status, res.text).toBe(201);
    const job = await gw.waitJob(res.body.id, 120_000);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok' });
    expect(registrySince(from).filter((r) => r.path === '/v2/lab/shared/manifests/latest')).toHaveLength(1);
    expect(registrySince(from).filter((r) => r.path.includes('/blobs/'))).toEqual([]);
    const fleet = (await api('GET', '/api/v1/docker/updates')).body as any[];
    const shared = fleet.find((f) => f.imageRef === `${reg}/lab/shared:latest`);
    expect(shared.candidateDigest).toBe(pushed.digest);
    expect(shared.uses.map((u: { machineId: string }) => u.machineId).sort()).toEqual([...ids].sort());
  });

  it('apply recreates exactly the services with updates; their running digests equal the registry; image events hold from/to', async () => {
    const alpha = await stackNamed(0, 'alpha');
    const apiContainer = (await sh(0, 'docker inspect --format {{.Id}} alpha-api-1')).trim();
    const webBefore = await runningImage(0, 'alpha-web-1');
    const job = await run(0, 'docker_apply', { stackId: alpha.id });
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok', result: { recreated: ['alpha/web'] } });
    const webAfter = await runningImage(0, 'alpha-web-1');
    expect(webAfter).not.toBe(webBefore);
    const digest = await lab.registryDigest('lab/web:latest');
    expect(await repoDigests(0, webAfter)).toContain(`${reg}/lab/web@${digest}`);
    // The service without an update kept its container.
    expect((await sh(0, 'docker inspect --format {{.Id}} alpha-api-1')).trim()).toBe(apiContainer);
    const events = await db.query(
      `SELECT * FROM docker_image_events WHERE execution_id = $1 AND operation = 'recreated'`,
      [job.result.executionId],
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      service_name: 'web',
      from_image_id: webBefore,
      to_image_id: webAfter,
      to_digest: digest,
      image_ref: `${reg}/lab/web:latest`,
    });
    expect(events[0].from_digest).toMatch(/^sha256:/);
    expect(events[0].from_digest).not.toBe(digest);
    expect(await service(0, 'alpha', 'web')).toMatchObject({ status: 'up_to_date', currentDigest: digest });
    const report = (await api('GET', `/api/v1/machines/${ids[0]}/reports`)).body[0];
    const md = (await api('GET', `/api/v1/machines/${ids[0]}/reports/${report.id}/download`)).text;
    expect(md).toContain('# docker_apply on dock1: ok');
    expect(md).toContain('recreated');
  });

  it('a new image whose health check fails is rolled back when asked: the old image runs again, and the execution says so with its last log lines', async () => {
    await lab.pushImage('lab/hc:latest');
    await writeStack(0, `${ROOT}/gamma`, { web: 'lab/hc:latest' }, HEALTHY);
    await up(0, `${ROOT}/gamma`);
    await run(0, 'docker_scan');
    const before = await runningImage(0, 'gamma-web-1');
    await lab.pushImage('lab/hc:latest', {
      cmd: ['/bin/sh', '-c', 'echo "new image: no httpd here"; exec sleep 3600'],
    });
    expect((await run(0, 'docker_check')).status).toBe('ok');
    const gamma = await stackNamed(0, 'gamma');
    expect(gamma.services[0].status).toBe('updates_available');
    const job = await run(0, 'docker_apply', { stackId: gamma.id, rollback: true, healthTimeoutSeconds: 30 });
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'error', errorKind: 'docker_service_unhealthy' });
    expect(job.errorMessage).toContain('rolled back to the previous image');
    expect(await runningImage(0, 'gamma-web-1')).toBe(before);
    const exec = (await db.query(`SELECT * FROM executions WHERE job_id = $1`, [job.id]))[0];
    expect(exec.result.docker.rollback).toEqual({ asked: true, done: true, services: ['gamma/web'] });
    expect(exec.result.docker.failingLogs[0].lines.join('\n')).toContain('new image: no httpd here');
    const events = await db.query(`SELECT operation, to_image_id FROM docker_image_events WHERE execution_id = $1`, [
      exec.id,
    ]);
    expect(events.find((e: { operation: string }) => e.operation === 'rolled_back')?.to_image_id).toBe(before);
    // It runs (and turns healthy again) on the old image.
    const deadline = Date.now() + 30_000;
    let health = '';
    while (Date.now() < deadline && health !== 'healthy') {
      health = (await sh(0, `docker inspect --format '{{.State.Health.Status}}' gamma-web-1`)).trim();
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(health).toBe('healthy');
  });

  it('check → request an apply → push again to the same tag → approve: plan_drifted, nothing changed on the machine', async () => {
    await lab.pushImage('lab/drift:latest');
    await writeStack(0, `${ROOT}/delta`, { app: 'lab/drift:latest' });
    await up(0, `${ROOT}/delta`);
    await run(0, 'docker_scan');
    await lab.pushImage('lab/drift:latest');
    await run(0, 'docker_check');
    const delta = await stackNamed(0, 'delta');
    const req = await api('POST', '/api/v1/action-requests', {
      body: { machineId: ids[0], action: 'docker_apply', options: { stackId: delta.id } },
    });
    expect(req.status, req.text).toBe(201);
    expect(req.body.planHash).toMatch(/^[0-9a-f]{64}$/);
    expect(req.body.summary).toContain('1 service');
    await lab.pushImage('lab/drift:latest');
    const running = await runningImage(0, 'delta-app-1');
    const images = await imageIds(0);
    const approved = await api('POST', `/api/v1/action-requests/${req.body.id}/approve`, { body: {} });
    expect(approved.status, approved.text).toBe(200);
    const job = await gw.waitJob(approved.body.jobId, 120_000);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'error', errorKind: 'plan_drifted' });
    expect(job.errorMessage).toContain('delta/app');
    expect(await runningImage(0, 'delta-app-1')).toBe(running);
    expect(await imageIds(0)).toBe(images);
  });

  it('an APT job and a Docker job sent at once to one machine never overlap', async () => {
    const [a, d] = await Promise.all([
      api('POST', `/api/v1/machines/${ids[1]}/actions`, { body: { action: 'apt_update_analyze' } }),
      api('POST', `/api/v1/machines/${ids[1]}/actions`, { body: { action: 'docker_scan' } }),
    ]);
    const [ja, jd] = await Promise.all([gw.waitJob(a.body.id, 180_000), gw.waitJob(d.body.id, 180_000)]);
    expect([ja.status, jd.status]).toEqual(['ok', 'ok']);
    const [first, second] = [ja, jd].sort((x, y) => Date.parse(x.startedAt) - Date.parse(y.startedAt));
    expect(Date.parse(second!.startedAt)).toBeGreaterThanOrEqual(Date.parse(first!.finishedAt));
  });

  it('newer tags: 1.0 with 1.1 and 2.0 in the registry reports 1.1 (same major) and 2.0; applying 1.1 changes the compose file and the service', async () => {
    await lab.pushImage('lab/app:1.0');
    await lab.pushImage('lab/app:1.1');
    await lab.pushImage('lab/app:2.0');
    await writeStack(0, `${ROOT}/versioned`, { app: 'lab/app:1.0' });
    await up(0, `${ROOT}/versioned`);
    await run(0, 'docker_scan');
    expect((await run(0, 'docker_check')).status).toBe('ok');
    expect(await service(0, 'versioned', 'app')).toMatchObject({
      status: 'up_to_date',
      newerSameMajor: '1.1',
      newerOverall: '2.0',
    });
    const v = await stackNamed(0, 'versioned');
    const job = await run(0, 'docker_apply', { stackId: v.id, services: ['app'], tag: '1.1' });
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok', result: { recreated: ['versioned/app'] } });
    expect(await sh(0, `cat ${ROOT}/versioned/compose.yaml`)).toContain(`image: ${reg}/lab/app:1.1`);
    expect(await repoDigests(0, await runningImage(0, 'versioned-app-1'))).toContain(
      `${reg}/lab/app@${await lab.registryDigest('lab/app:1.1')}`,
    );
    const ev = await db.query(
      `SELECT from_ref, image_ref FROM docker_image_events WHERE execution_id = $1 AND operation = 'recreated'`,
      [job.result.executionId],
    );
    expect(ev).toEqual([{ from_ref: `${reg}/lab/app:1.0`, image_ref: `${reg}/lab/app:1.1` }]);
    expect(await service(0, 'versioned', 'app')).toMatchObject({ imageRef: `${reg}/lab/app:1.1` });
  });

  it('service logs: the last lines, and follow mode streams new lines until the client goes away', async () => {
    await lab.pushImage('lab/talk:latest', {
      cmd: ['/bin/sh', '-c', 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 1; done'],
    });
    await writeStack(0, `${ROOT}/talker`, { talk: 'lab/talk:latest' });
    await up(0, `${ROOT}/talker`);
    await run(0, 'docker_scan');
    const talker = await stackNamed(0, 'talker');
    await new Promise((r) => setTimeout(r, 3000));
    const base = `/api/v1/machines/${ids[0]}/docker/stacks/${talker.id}/services/talk/logs`;
    const last = await api('GET', `${base}?lines=2`);
    expect(last.status, last.text).toBe(200);
    expect(last.body).toMatchObject({ container: 'talker-talk-1', state: 'running' });
    expect(last.body.lines).toHaveLength(2);
    const lastTick = Number(/tick (\d+)/.exec(last.body.lines[1])?.[1]);
    expect(lastTick).toBeGreaterThanOrEqual(1);
    // Follow: the stream goes on past what the last lines showed.
    const ctrl = new AbortController();
    const res = await fetch(`${gw.base}${base}/stream?lines=1`, {
      headers: { authorization: `Bearer ${gw.adminToken}` },
      signal: ctrl.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const ticks = () => [...text.matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !ticks().some((n) => n > lastTick + 1)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain('event: line');
    expect(ticks().some((n) => n > lastTick + 1)).toBe(true);
    ctrl.abort();
    // The remote `docker logs --follow` ends with the stream.
    const gone = Date.now() + 30_000;
    let left = '1';
    while (Date.now() < gone && left !== '') {
      left = (await sh(0, "pgrep -f '[d]ocker logs --follow' || true")).trim();
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(left).toBe('');
  });

  it('prune reports the bytes Docker reports', async () => {
    // A dangling image: the tag moves to a new push and the old image loses its name.
    await lab.pushImage('lab/junk:latest');
    await sh(0, `docker pull -q ${reg}/lab/junk:latest`);
    const junk = (await sh(0, `docker image inspect --format '{{.Id}}' ${reg}/lab/junk:latest`)).trim();
    await lab.pushImage('lab/junk:latest');
    await sh(0, `docker pull -q ${reg}/lab/junk:latest`);
    expect(await sh(0, 'docker images -q --no-trunc -f dangling=true')).toContain(junk);
    const job = await run(0, 'docker_prune', { pruneMode: 'safe' });
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok' });
    const exec = (await db.query(`SELECT * FROM executions WHERE id = $1`, [job.result.executionId]))[0];
    const log = (await import('node:fs')).readFileSync(
      (await db.query(`SELECT path FROM raw_artifacts WHERE id = $1`, [exec.raw_artifact_id]))[0].path,
      'utf8',
    );
    const reported = parsePruneOutput(log.slice(log.indexOf('Deleted') >= 0 ? log.indexOf('Deleted') : 0));
    expect(reported?.bytesReclaimed).toBeGreaterThan(0);
    expect(job.result.bytesReclaimed).toBe(reported?.bytesReclaimed);
    expect(exec.result.docker.prune.imagesDeleted).toContain(junk);
    expect((await lab.exec(ms[0]!.name, `docker image inspect ${junk}`, { allowFail: true })).code).not.toBe(0);
  });
});
