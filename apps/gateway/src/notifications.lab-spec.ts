// Issue 16 against a real machine (the lab): a host key that changes on the machine reaches an ntfy-compatible
// receiver, a webhook receiver that checks the signature, and an SMTP server, through the scheduler's dispatcher and
// sender. One lab machine, one lab start. Needs root; skipped otherwise.
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@su/config';
import { SchedulerModule, startSchedulerServices } from '@su/scheduler';
import { createTestDatabase, ensureHostTools, isRoot, Lab, type TestDatabase } from '@su/testing';
import { CapturingLogger, startGateway, type GatewayHarness } from './test/gateway.harness.ts';
import {
  httpReceiver,
  smtpReceiver,
  webhookReceiver,
  type HttpReceiver,
  type SmtpReceiver,
  type WebhookReceiver,
} from './test/notification-receivers.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`notifications lab tests skipped: ${skipReason}`);

const ADMIN_PW = 'lab-admin-pw';
const SIGNING_SECRET = 'lab-whsec-0123456789abcdef0123456789ab';
const ENV = { SU_NOTIFY_SCAN_SECONDS: '0.5', SU_NOTIFY_POLL_SECONDS: '0.5', SU_LEADER_RETRY_SECONDS: '0.2' };

describe.skipIf(!!skipReason)('notifications (lab)', () => {
  let lab: Lab;
  let broughtUp = false;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let scheduler: INestApplicationContext;
  let ntfy: HttpReceiver;
  let hook: WebhookReceiver;
  let smtp: SmtpReceiver;

  beforeAll(async () => {
    if (Lab.exists()) lab = Lab.attach();
    else {
      lab = await Lab.up({ machines: 1, log: (m) => console.log(`[lab] ${m}`) });
      broughtUp = true;
    }
    [ntfy, hook, smtp] = await Promise.all([httpReceiver(), webhookReceiver(SIGNING_SECRET), smtpReceiver()]);
    db = await createTestDatabase();
    gw = await startGateway(db, ENV);
    const config = loadConfig({ DATABASE_URL: db.url, SU_DATA_DIR: gw.dataDir, ...ENV });
    scheduler = await NestFactory.createApplicationContext(
      SchedulerModule.forRoot({ service: 'scheduler', config, databaseUrl: db.url }),
      { logger: new CapturingLogger() },
    );
    await startSchedulerServices(scheduler, config);
  }, 600_000);

  afterAll(async () => {
    await scheduler?.close();
    await gw?.close();
    await db?.drop();
    await Promise.all([ntfy, hook, smtp].map((r) => r?.close()));
    if (broughtUp) await lab.down();
  });

  it('a host key changed on the machine is told on ntfy, the signed webhook and e-mail', async () => {
    const rules = [{ event: 'host_key_changed' }];
    const channels = [
      { name: 'ntfy', kind: 'ntfy', config: { url: ntfy.url, topic: 'lab' }, rules },
      { name: 'hook', kind: 'webhook', config: { url: hook.url }, secrets: { signingSecret: SIGNING_SECRET }, rules },
      {
        name: 'mail',
        kind: 'email',
        config: { host: '127.0.0.1', port: smtp.port, from: 'su@lab.test', to: ['ops@lab.test'] },
        rules,
      },
    ];
    for (const body of channels) expect((await gw.api('POST', '/api/v1/notifications/channels', { body })).status).toBe(201);

    const m = lab.machines()[0]!;
    const created = await gw.api('POST', '/api/v1/machines', {
      body: {
        name: 'lab-m1',
        hostname: m.address,
        port: m.sshPort,
        username: 'admin',
        credentials: { authMethod: 'password', password: ADMIN_PW, sudoMode: 'same_as_ssh' },
      },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id as string;
    // The first probe trusts the key on first use.
    const first = await gw.waitJob((await gw.api('POST', `/api/v1/machines/${id}/probe`)).body.id, 60_000);
    expect(first.status).toBe('ok');

    await lab.changeHostKey(m.name);
    const probe = await gw.waitJob((await gw.api('POST', `/api/v1/machines/${id}/probe`)).body.id, 60_000);
    expect(probe).toMatchObject({ status: 'error', errorKind: 'host_key_changed' });

    const deadline = Date.now() + 60_000;
    let log: any[] = [];
    while (Date.now() < deadline) {
      log = (await gw.api('GET', '/api/v1/notifications/deliveries')).body;
      if (log.filter((d) => d.status === 'delivered').length === 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(log.map((d) => [d.eventKind, d.status])).toEqual(Array(3).fill(['host_key_changed', 'delivered']));
    expect(ntfy.received[0]!.headers.title).toBe('Host key changed on lab-m1');
    expect(hook.accepted).toHaveLength(1);
    expect(JSON.parse(hook.accepted[0]!.body)).toMatchObject({ kind: 'host_key_changed', machineId: id });
    expect(await hook.replay(hook.accepted[0]!)).toBe(409);
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]!.raw).toContain('blocked until a person approves the new key');
  }, 180_000);
});
