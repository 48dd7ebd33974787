import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleLogger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AdminBootstrapService } from '@su/auth';
import { loadConfig } from '@su/config';
import { JobRunner, type PlatformOptions } from '@su/platform';
import { AptWorkerModule, aptWorkerHandlers } from '@su/apt-worker';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { createGatewayApp } from '../gateway.app.ts';

/** Every line any Nest logger writes, so tests can prove no secret reaches the logs. */
export class CapturingLogger extends ConsoleLogger {
  static lines: string[] = [];
  protected override printMessages(messages: unknown[], context?: string, logLevel?: string): void {
    for (const m of messages)
      CapturingLogger.lines.push(`${logLevel} [${context}] ${typeof m === 'string' ? m : JSON.stringify(m)}`);
  }
  protected override printStackTrace(stack: string): void {
    CapturingLogger.lines.push(stack);
  }
}

/** The apt-worker (its module and handlers, as apps/apt-worker runs them) in this process. */
export async function startAptWorker(platform: PlatformOptions): Promise<INestApplicationContext> {
  const worker = await NestFactory.createApplicationContext(AptWorkerModule.forRoot(platform), {
    logger: new CapturingLogger(),
  });
  await worker.get(JobRunner).start('apt-worker', aptWorkerHandlers(worker), 4);
  return worker;
}

export interface ApiResponse {
  status: number;
  body: any;
  text: string;
}

export interface GatewayHarness {
  base: string;
  dataDir: string;
  /** The admin's password after the harness changed the bootstrap one (as the first login must). */
  adminPassword: string;
  adminToken: string;
  app: NestExpressApplication;
  worker: INestApplicationContext;
  platform: PlatformOptions;
  /** Stops the in-process worker (to let another worker process take the jobs). */
  stopWorker: () => Promise<void>;
  restartWorker: () => Promise<void>;
  api: (method: string, path: string, opts?: { token?: string | null; body?: unknown }) => Promise<ApiResponse>;
  /** Polls a job until it leaves queued/running. */
  waitJob: (id: string, timeoutMs?: number) => Promise<any>;
  close: () => Promise<void>;
}

/**
 * The gateway over real HTTP on a random port and the apt-worker in the same process, both on the test database,
 * logged in as the bootstrap admin.
 */
export async function startGateway(db: TestDatabase, env: Record<string, string> = {}): Promise<GatewayHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'su-gw-'));
  const config = loadConfig({ DATABASE_URL: db.url, SU_DATA_DIR: dataDir, ...env });
  const platform: PlatformOptions = { service: 'gateway', config, databaseUrl: db.url };
  const app = await createGatewayApp(platform, new CapturingLogger());
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  let worker = await startAptWorker({ ...platform, service: 'apt-worker' });
  const admin = await app.get(AdminBootstrapService).ensureAdmin('admin');
  let adminToken = '';
  const api: GatewayHarness['api'] = async (method, path, opts = {}) => {
    const token = opts.token === undefined ? adminToken : opts.token;
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : null,
      text,
    };
  };
  const login = await api('POST', '/api/v1/auth/login', {
    token: null,
    body: { username: 'admin', password: admin!.password },
  });
  if (login.status !== 200) throw new Error(`login failed: ${login.text}`);
  adminToken = login.body.token;
  // The bootstrap password must be changed at first login (every other route answers 403 until then).
  const adminPassword = `${admin!.password}-changed`;
  const changed = await api('POST', '/api/v1/auth/password', {
    body: { currentPassword: admin!.password, newPassword: adminPassword },
  });
  if (changed.status !== 200) throw new Error(`password change failed: ${changed.text}`);
  const waitJob = async (id: string, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    let view = (await api('GET', `/api/v1/jobs/${id}`)).body;
    while ((view.status === 'queued' || view.status === 'running') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      view = (await api('GET', `/api/v1/jobs/${id}`)).body;
    }
    return view;
  };
  return {
    base,
    dataDir,
    adminPassword,
    get adminToken() {
      return adminToken;
    },
    app,
    get worker() {
      return worker;
    },
    platform,
    stopWorker: () => worker.close(),
    restartWorker: async () => {
      worker = await startAptWorker({ ...platform, service: 'apt-worker' });
    },
    api,
    waitJob,
    close: async () => {
      await worker.close();
      await app.close();
      // The data directory (raw logs, reports, keys) was this gateway's alone; 2,000 of them had piled up in /tmp.
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A test file's own database and gateway: created before its tests, closed and dropped after them. */
export function gatewayPerFile(env: Record<string, string> = {}): {
  readonly db: TestDatabase;
  readonly gw: GatewayHarness;
} {
  const ctx = {} as { db: TestDatabase; gw: GatewayHarness };
  beforeAll(async () => {
    ctx.db = await createTestDatabase();
    ctx.gw = await startGateway(ctx.db, env);
  });
  afterAll(async () => {
    await ctx.gw?.close();
    await ctx.db?.drop();
  });
  return ctx;
}
