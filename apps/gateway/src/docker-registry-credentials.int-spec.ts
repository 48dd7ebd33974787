// Issue 13, acceptance item 4 at the product's level: registry credentials set through the API (write-only, encrypted)
// reach the docker-worker's check, wrong ones give registry_auth_failed on the services, and the password is in no
// response, log, job, event or table. A real registry (Debian's docker-registry with htpasswd) on loopback; the
// services are rows as a scan writes them (no machine is contacted by a check).
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerWorkerModule, dockerWorkerHandlers } from '@su/docker-worker';
import { JobRunner } from '@su/platform';
import {
  pushImage,
  registryFixture,
  startRateLimitProxy,
  writeHtpasswd,
  type LocalRegistry,
  type RateLimitProxy,
  type RegistryFixture,
} from '@su/testing';
import { CapturingLogger, gatewayPerFile } from './test/gateway.harness.ts';

const PASSWORD = 'registry-pw-7f3c1a9e-never-shown';
const WRONG = 'registry-wrong-pw-51d0c2b8';

describe('docker registry credentials', () => {
  const t = gatewayPerFile({ SU_DOCKER_DIGEST_CACHE_SECONDS: '0' });
  let worker: INestApplicationContext;
  let fx: RegistryFixture;
  let guarded: LocalRegistry;
  let machineId: string;
  let registryId: string;
  const responses: string[] = [];
  const api = async (...a: Parameters<typeof t.gw.api>) => {
    const res = await t.gw.api(...a);
    responses.push(res.text);
    return res;
  };

  beforeAll(async () => {
    worker = await NestFactory.createApplicationContext(
      DockerWorkerModule.forRoot({ ...t.gw.platform, service: 'docker-worker' }),
      { logger: new CapturingLogger() },
    );
    await worker.get(JobRunner).start('docker-worker', dockerWorkerHandlers(worker), 2);
    fx = await registryFixture();
    writeHtpasswd(join(fx.dir, 'htpasswd'), 'ci', PASSWORD);
    guarded = await fx.guarded('basic', { htpasswd: { path: join(fx.dir, 'htpasswd') } });
    const pushed = await pushImage('team/app:1.0', { registry: fx.open.host });
    const m = await api('POST', '/api/v1/machines', {
      body: { name: 'registry-creds', hostname: '127.0.0.1', port: 1, username: 'nobody' },
    });
    machineId = m.body.id;
    // The stack as a scan leaves it: the service runs the image pulled by this digest.
    const [stack] = await t.db.query<{ id: string }>(
      `INSERT INTO docker_compose_stacks (machine_id, name, working_dir, compose_files_json, status, choice)
       VALUES ($1, 'team', '/srv/team', '[]', 'enabled', 'enabled') RETURNING id`,
      [machineId],
    );
    await t.db.query(
      `INSERT INTO docker_stack_services (stack_id, service_name, image_ref, current_digest) VALUES ($1, 'app', $2, $3)`,
      [stack!.id, `${guarded.host}/team/app:1.0`, pushed.digest],
    );
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await fx?.close();
  });

  const check = async () => {
    const res = await api('POST', `/api/v1/machines/${machineId}/actions`, { body: { action: 'docker_check' } });
    expect(res.status, res.text).toBe(201);
    const job = await t.gw.waitJob(res.body.id, 60_000);
    responses.push(JSON.stringify(job));
    const stacks = (await api('GET', `/api/v1/machines/${machineId}/docker/stacks`)).body;
    return { job, service: stacks[0].services[0] };
  };

  it('checks with the configured credentials; the registry asked for them and got them', async () => {
    const saved = await api('PUT', '/api/v1/docker/registries', { body: { host: guarded.host, insecure: true } });
    expect(saved.status, saved.text).toBe(200);
    registryId = saved.body.id;
    const creds = await api('PUT', `/api/v1/docker/registries/${registryId}/credentials`, {
      body: { username: 'ci', password: PASSWORD },
    });
    expect(creds.status, creds.text).toBe(200);
    expect(creds.body).toMatchObject({ hasCredentials: true, username: 'ci' });
    expect(Object.keys(creds.body)).not.toContain('password');
    const { job, service } = await check();
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok', result: { references: 1, updates: 0, errors: 0 } });
    expect(service).toMatchObject({ status: 'up_to_date' });
    const log = guarded.accessLog();
    expect(log.some((e) => e.status === 401)).toBe(true);
    expect(log.some((e) => e.method === 'HEAD' && e.path === '/v2/team/app/manifests/1.0' && e.status === 200)).toBe(
      true,
    );
    expect(log.filter((e) => e.path.includes('/blobs/'))).toEqual([]);
    // A push to the tag is an update.
    await pushImage('team/app:1.0', { registry: fx.open.host });
    expect((await check()).service).toMatchObject({ status: 'updates_available' });
  });

  it('wrong credentials: registry_auth_failed on the service, with the reason', async () => {
    await api('PUT', `/api/v1/docker/registries/${registryId}/credentials`, {
      body: { username: 'ci', password: WRONG },
    });
    const { job, service } = await check();
    expect(job.status).toBe('ok');
    expect(job.result.errors).toBe(1);
    expect(service.status).toBe('error');
    expect(service.statusReason).toMatch(/^registry_auth_failed: /);
    const tile = (await api('GET', `/api/v1/machines/${machineId}`)).body.state;
    expect(tile.dockerStatus).toBe('warning');
  });

  it('a registry answering 429 with Retry-After: the check waits as told, stays within the budget, and reports what it could not check', async () => {
    const proxy: RateLimitProxy = await startRateLimitProxy(fx.open.host);
    try {
      const a = await pushImage('limited/a:1.0', { registry: fx.open.host });
      const b = await pushImage('limited/b:1.0', { registry: fx.open.host });
      const [stack] = await t.db.query<{ id: string }>(
        `INSERT INTO docker_compose_stacks (machine_id, name, working_dir, compose_files_json, status, choice)
         VALUES ($1, 'limited', '/srv/limited', '[]', 'enabled', 'enabled') RETURNING id`,
        [machineId],
      );
      for (const [svc, pushed] of [
        ['a', a],
        ['b', b],
      ] as const)
        await t.db.query(
          `INSERT INTO docker_stack_services (stack_id, service_name, image_ref, current_digest) VALUES ($1, $2, $3, $4)`,
          [stack!.id, svc, `${proxy.host}/limited/${svc}:1.0`, pushed.digest],
        );
      await api('PUT', '/api/v1/docker/registries', { body: { host: proxy.host, insecure: true, requestBudget: 4 } });
      // Told to wait one second once: it waits, then both images are checked.
      proxy.limitNext(1, '1');
      const first = await check();
      expect(first.job.status).toBe('ok');
      const limited = (await api('GET', `/api/v1/machines/${machineId}/docker/stacks`)).body.find(
        (x: { name: string }) => x.name === 'limited',
      );
      expect(limited.services.map((x: { status: string }) => x.status)).toEqual(['up_to_date', 'up_to_date']);
      const [told, ...after] = proxy.requests.filter((r) => r.path.includes('/manifests/'));
      expect(told!.status).toBe(429);
      // The refused request is asked again only after the second it was told to wait (the other one may have been
      // in flight already).
      const retried = after.filter((r) => r.path === told!.path);
      expect(retried).toHaveLength(1);
      expect(retried[0]!.at - told!.at).toBeGreaterThanOrEqual(1000);
      // Told to wait an hour: never more requests than the budget, and each image says why it was not checked.
      const before = proxy.requests.length;
      proxy.limitNext(1000, '3600');
      const second = await check();
      expect(second.job.status).toBe('ok');
      expect(proxy.requests.length - before).toBeLessThanOrEqual(4);
      const now = (await api('GET', `/api/v1/machines/${machineId}/docker/stacks`)).body.find(
        (x: { name: string }) => x.name === 'limited',
      );
      for (const svc of now.services) {
        expect(svc.status).toBe('error');
        expect(svc.statusReason).toMatch(/^registry_(rate_limited|budget_exhausted): /);
      }
    } finally {
      await proxy.close();
    }
  });

  it('the credentials appear in no response, log, job, event or table', async () => {
    responses.push((await api('GET', '/api/v1/docker/registries')).text);
    responses.push((await api('GET', `/api/v1/machines/${machineId}/events`)).text);
    responses.push((await api('GET', `/api/v1/machines/${machineId}/snapshots?kind=docker_check`)).text);
    const tables = await t.db.query<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('public', 'pgboss') AND table_type = 'BASE TABLE'`,
    );
    const texts = [...responses, CapturingLogger.lines.join('\n')];
    for (const { table_schema, table_name } of tables) {
      const rows = await t.db.query(`SELECT * FROM "${table_schema}"."${table_name}"`);
      texts.push(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
    }
    expect(texts.join('\n')).toContain('registry_auth_failed');
    for (const text of texts) {
      expect(text.includes(PASSWORD)).toBe(false);
      expect(text.includes(WRONG)).toBe(false);
    }
    // Stored, but only encrypted.
    const [c] = await t.db.query<{ enc_password: string }>(`SELECT enc_password FROM docker_registry_credentials`);
    expect(c!.enc_password.length).toBeGreaterThan(20);
  });
});
