import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@su/config';
import { SchedulerModule, startSchedulerServices } from '@su/scheduler';
import { CapturingLogger, gatewayPerFile } from './test/gateway.harness.ts';
import {
  httpReceiver,
  smtpReceiver,
  webhookReceiver,
  type HttpReceiver,
  type SmtpReceiver,
  type WebhookReceiver,
} from './test/notification-receivers.ts';

// Notifications end to end (issue 16, ADR 0035): the gateway's API, the scheduler process (dispatcher and sender) in
// this process, real pg-boss, and real receivers on 127.0.0.1. Retries are shortened (1 s, 2 retries).

const ENV = {
  SU_NOTIFY_SCAN_SECONDS: '0.3',
  SU_NOTIFY_RETRY_LIMIT: '2',
  SU_NOTIFY_RETRY_DELAY_SECONDS: '1',
  SU_NOTIFY_POLL_SECONDS: '0.5',
  SU_NOTIFY_TIMEOUT_SECONDS: '3',
  SU_LEADER_RETRY_SECONDS: '0.2',
};
const SIGNING_SECRET = 'whsec-0123456789abcdef0123456789abcdef';
const NTFY_TOKEN = 'tk_ntfy_secret_value_42';

const t = gatewayPerFile(ENV);
let scheduler: INestApplicationContext;
let ntfy: HttpReceiver;
let hook: WebhookReceiver;
let smtp: SmtpReceiver;
let down: HttpReceiver;

async function until<T>(probe: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const deliveries = async (channelId: string) =>
  (await t.gw.api('GET', `/api/v1/notifications/deliveries?channelId=${channelId}`)).body as any[];

async function channel(body: object): Promise<string> {
  const r = await t.gw.api('POST', '/api/v1/notifications/channels', { body });
  expect(r.status, r.text).toBe(201);
  return r.body.id as string;
}

beforeAll(async () => {
  [ntfy, hook, smtp, down] = await Promise.all([
    httpReceiver(),
    webhookReceiver(SIGNING_SECRET),
    smtpReceiver(),
    httpReceiver(() => 503),
  ]);
  // The scheduler shares the gateway's data directory, hence its master key, as `npm start` does.
  const config = loadConfig({ DATABASE_URL: t.db.url, SU_DATA_DIR: t.gw.dataDir, ...ENV });
  scheduler = await NestFactory.createApplicationContext(
    SchedulerModule.forRoot({ service: 'scheduler', config, databaseUrl: t.db.url }),
    { logger: new CapturingLogger() },
  );
  await startSchedulerServices(scheduler, config);
});
afterAll(async () => {
  await scheduler?.close();
  await Promise.all([ntfy, hook, smtp, down].map((r) => r?.close()));
});

describe('notifications', () => {
  let ids: { ntfy: string; hook: string; mail: string };

  it('a failed scheduled run reaches ntfy, the signed webhook and SMTP; a replayed webhook is refused', async () => {
    const rules = [{ event: 'schedule_run_failed' }];
    ids = {
      ntfy: await channel({
        name: 'ntfy',
        kind: 'ntfy',
        config: { url: ntfy.url, topic: 'fleet' },
        secrets: { token: NTFY_TOKEN },
        rules,
      }),
      hook: await channel({
        name: 'hook',
        kind: 'webhook',
        config: { url: `${hook.url}/su` },
        secrets: { signingSecret: SIGNING_SECRET },
        rules,
      }),
      mail: await channel({
        name: 'mail',
        kind: 'email',
        config: { host: '127.0.0.1', port: smtp.port, from: 'su@example.test', to: ['ops@example.test'] },
        rules,
      }),
    };
    const list = await t.gw.api('GET', '/api/v1/notifications/channels');
    expect(list.body.find((c: any) => c.id === ids.hook).secretsSet).toEqual(['signingSecret']);
    expect(list.text).not.toContain(SIGNING_SECRET);
    expect(list.text).not.toContain(NTFY_TOKEN);

    // A machine nobody answers for (port 1), and a schedule over it whose slot is due now: its run fails.
    const m = await t.gw.api('POST', '/api/v1/machines', {
      body: { name: 'gone-host', hostname: '127.0.0.1', port: 1, username: 'admin' },
    });
    expect(m.status, m.text).toBe(201);
    const s = await t.gw.api('POST', '/api/v1/schedules', {
      body: {
        name: 'nightly-upgrade',
        cron: '0 3 * * *',
        scope: { machineIds: [m.body.id] },
        actions: ['apt_update_analyze'],
        notifyOn: ['failed'],
      },
    });
    expect(s.status, s.text).toBe(201);
    expect(s.body.notifyOn).toEqual(['failed']);
    await t.db.query(`UPDATE schedules SET cron = '* * * * *', next_run_at = date_trunc('minute', now()) WHERE id = $1`, [
      s.body.id,
    ]);
    const run = await until(async () => {
      const rows = await t.db.query(`SELECT status FROM schedule_runs WHERE schedule_id = $1 AND status = 'error'`, [
        s.body.id,
      ]);
      return rows[0];
    });
    expect(run.status).toBe('error');

    for (const id of Object.values(ids))
      await until(async () => (await deliveries(id)).find((d) => d.status === 'delivered'));

    const n = ntfy.received.find((r) => r.path === '/fleet')!;
    expect(n.headers.title).toContain('nightly-upgrade');
    expect(n.headers.authorization).toBe(`Bearer ${NTFY_TOKEN}`);
    expect(n.headers.priority).toBe('5');
    expect(n.body).toContain('ended error');

    expect(hook.accepted.length).toBeGreaterThanOrEqual(1);
    const signed = hook.accepted[0]!;
    expect(JSON.parse(signed.body)).toMatchObject({ kind: 'schedule_run_failed', severity: 'error' });
    expect(await hook.replay(signed)).toBe(409);
    expect(hook.refused.at(-1)?.reason).toBe('replayed');
    // A body changed in transit fails the signature.
    expect(await hook.replay({ ...signed, body: signed.body.replace('error', 'ok') })).toBe(401);

    const mail = smtp.messages.find((x) => x.raw.includes('nightly-upgrade'))!;
    expect(mail.to).toEqual(['ops@example.test']);
    expect(mail.raw).toMatch(/^Subject: /m);
    expect(mail.raw).toContain('Run of schedule "nightly-upgrade" ended error');
  }, 90_000);

  it('"send test" delivers through the same queue and log', async () => {
    const r = await t.gw.api('POST', `/api/v1/notifications/channels/${ids.ntfy}/test`, { body: {} });
    expect(r.status, r.text).toBe(202);
    const d = await until(async () =>
      (await deliveries(ids.ntfy)).find((x) => x.id === r.body.deliveryId && x.status === 'delivered'),
    );
    expect(d).toMatchObject({ isTest: true, attempts: 1, eventKind: 'test' });
    expect(ntfy.received.some((x) => x.headers.title === 'Test notification')).toBe(true);
  });

  it('a receiver that is down gets retries with backoff, then a recorded failure; jobs are not held up', async () => {
    const dead = await channel({ name: 'down', kind: 'ntfy', config: { url: down.url, topic: 'x' } });
    const r = await t.gw.api('POST', `/api/v1/notifications/channels/${dead}/test`, { body: {} });
    expect(r.status).toBe(202);
    // While the delivery waits for its retries, a job goes through the workers as usual.
    const job = (await t.gw.api('POST', '/api/v1/system/selftest', { body: { echo: 'busy' } })).body;
    expect((await t.gw.waitJob(job.id)).status).toBe('ok');
    expect((await deliveries(dead))[0].status).not.toBe('failed');

    const failed = await until(async () => (await deliveries(dead)).find((x) => x.status === 'failed'), 60_000).catch(
      (e: Error) => {
        console.log(`[notifications] down receiver got ${down.received.length} attempt(s)`, down.received.map((x) => x.at));
        throw e;
      },
    );
    expect(failed).toMatchObject({ attempts: 3, lastError: 'HTTP 503', nextAttemptAt: null });
    // First attempt, then two retries; each retry waits at least the base delay (1 s), the second longer in expectation.
    expect(down.received).toHaveLength(3);
    const gaps = [down.received[1]!.at - down.received[0]!.at, down.received[2]!.at - down.received[1]!.at];
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(900);
    console.log(`[notifications] retry gaps against a 503 receiver: ${gaps.join(' ms, ')} ms`);

    // A receiver nobody listens on: the error says what happened, not where.
    const gone = await httpReceiver();
    await gone.close();
    const closed = await channel({ name: 'closed', kind: 'ntfy', config: { url: gone.url, topic: 'x' } });
    await t.gw.api('POST', `/api/v1/notifications/channels/${closed}/test`, { body: {} });
    const refused = await until(async () => (await deliveries(closed)).find((x) => x.status === 'failed'), 60_000);
    expect(refused.lastError).toBe('connection failed (ECONNREFUSED)');
  }, 150_000);

  it('bad channel settings answer 400 naming the field, without echoing the value', async () => {
    const r = await t.gw.api('POST', '/api/v1/notifications/channels', {
      body: { name: 'bad', kind: 'webhook', config: { url: 'ftp://x', extra: 'zzz-value' }, secrets: {} },
    });
    expect(r.status).toBe(400);
    const fields = r.body.errors.map((e: any) => e.field).sort();
    expect(fields).toEqual(['config.extra', 'config.url', 'secrets.signingSecret']);
    expect(r.text).not.toContain('zzz-value');
  });

  it('no secret reaches a log line, an event or the delivery log', async () => {
    const logs = CapturingLogger.lines.join('\n');
    const events = JSON.stringify(await t.db.query(`SELECT * FROM machine_events`));
    const log = JSON.stringify(await t.db.query(`SELECT * FROM notification_deliveries`));
    const stored = JSON.stringify(await t.db.query(`SELECT config_json, enc_secrets FROM notification_channels`));
    for (const secret of [SIGNING_SECRET, NTFY_TOKEN]) {
      for (const text of [logs, events, log, stored]) expect(text).not.toContain(secret);
    }
  });
});
