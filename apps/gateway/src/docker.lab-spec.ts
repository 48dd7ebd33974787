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
    gw = await startGateway(db, { SU_LOCK_RETRY_SECONDS: '1' });
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

  it('prune reports the bytes Docker reports', async () => {
    // A dangling image: the tag moves to a new push and the old image loses its name.
    await lab.pushImage('lab/junk:latest');
    await sh(0, `docker pull -q ${reg}/lab/junk:latest`);
    await lab.pushImage('lab/junk:latest');
    await sh(0, `docker pull -q ${reg}/lab/junk:latest`);
    const dangling = (await sh(0, 'docker images -q --no-trunc -f dangling=true')).trim().split('\n').filter(Boolean);
    expect(dangling.length).toBeGreaterThan(0);
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
    expect(exec.result.docker.prune.imagesDeleted).toEqual(expect.arrayContaining(dangling));
    expect((await sh(0, 'docker images -q -f dangling=true')).trim()).toBe('');
  });
});
