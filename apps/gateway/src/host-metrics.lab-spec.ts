// Issue 20 (host metrics history, acceptance item 4) against real machines: probes and the scheduler's periodic
// samples keep host metrics for the lab machines, the history route answers them, and the lab's `fillDisk` raises the
// disk message, resolved once the disk is freed. One lab start for the file. Needs root; skipped otherwise.
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@su/config';
import { SchedulerModule, startSchedulerServices } from '@su/scheduler';
import { createTestDatabase, ensureHostTools, isRoot, Lab, type LabMachine, type TestDatabase } from '@su/testing';
import { CapturingLogger, startGateway, type GatewayHarness } from './test/gateway.harness.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`host metrics lab tests skipped: ${skipReason}`);

const ADMIN_PW = 'lab-admin-pw';
const ENV = { SU_LEADER_RETRY_SECONDS: '0.2' };

async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await read();
  while (!done(v)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 500));
    v = await read();
  }
  return v;
}

describe.skipIf(!!skipReason)('host metrics (lab)', () => {
  let lab: Lab;
  let broughtUp = false;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let scheduler: INestApplicationContext;
  const machines: { lab: LabMachine; id: string }[] = [];

  beforeAll(async () => {
    if (Lab.exists()) lab = Lab.attach();
    else {
      // A small disk: fillDisk takes it to 95 % in memory (the machines' disks are tmpfs).
      lab = await Lab.up({ machines: 2, diskSize: '1g', log: (m) => console.log(`[lab] ${m}`) });
      broughtUp = true;
    }
    db = await createTestDatabase();
    gw = await startGateway(db, ENV);
    const set = await gw.api('PUT', '/api/v1/settings/host-metrics', {
      body: { sampleIntervalSeconds: 10, diskThresholdPercent: 90 },
    });
    expect(set.status, set.text).toBe(200);
    const config = loadConfig({ DATABASE_URL: db.url, SU_DATA_DIR: gw.dataDir, ...ENV });
    scheduler = await NestFactory.createApplicationContext(
      SchedulerModule.forRoot({ service: 'scheduler', config, databaseUrl: db.url }),
      { logger: new CapturingLogger() },
    );
    await startSchedulerServices(scheduler, config);
  }, 600_000);

  afterAll(async () => {
    for (const m of machines) await lab?.freeDisk(m.lab.name).catch(() => undefined);
    await scheduler?.close();
    await gw?.close();
    await db?.drop();
    if (broughtUp) await lab.down();
  });

  it('probes and periodic samples keep CPU load, memory, disk per file system and uptime for each lab machine', async () => {
    for (const [i, m] of lab.machines().slice(0, 2).entries()) {
      const created = await gw.api('POST', '/api/v1/machines', {
        body: {
          name: `hm-${i}`,
          hostname: m.address,
          port: m.sshPort,
          username: 'admin',
          credentials: { authMethod: 'password', password: ADMIN_PW, sudoMode: 'same_as_ssh' },
        },
      });
      expect(created.status, created.text).toBe(201);
      machines.push({ lab: m, id: created.body.id as string });
    }
    for (const m of machines) {
      const probe = await gw.waitJob((await gw.api('POST', `/api/v1/machines/${m.id}/probe`)).body.id, 60_000);
      expect(probe.status, JSON.stringify(probe)).toBe('ok');
    }
    const sources = (id: string) =>
      db.query<{ source: string }>(`SELECT source FROM host_metrics WHERE machine_id = $1::uuid`, [id]);
    for (const m of machines) {
      expect((await sources(m.id)).map((r) => r.source)).toContain('probe');
      await until(`a periodic sample of ${m.lab.name}`, () => sources(m.id), (rows) => rows.some((r) => r.source === 'sample'));
      // The sample refreshed the latest values the tiles read, beyond the probe's.
      const [fresh] = await db.query<{ newer: boolean }>(
        `SELECT s.metrics_last_collected_at > (SELECT max(collected_at) FROM host_metrics
                                               WHERE machine_id = $1::uuid AND source = 'probe') AS newer
         FROM machine_state s WHERE s.machine_id = $1::uuid`,
        [m.id],
      );
      expect(fresh!.newer).toBe(true);
      const res = await gw.api('GET', `/api/v1/machines/${m.id}/metrics?resolution=raw`);
      expect(res.status, res.text).toBe(200);
      expect(res.body.points.length).toBeGreaterThanOrEqual(2);
      for (const p of res.body.points) {
        expect(p.load1).toBeGreaterThanOrEqual(0);
        expect(p.memoryUsedPercent).toBeGreaterThan(0);
        expect(p.rootUsedPercent).toBeGreaterThan(0);
        expect(p.uptimeSeconds).toBeGreaterThan(0);
        expect(p.filesystems['/']).toBe(p.rootUsedPercent);
      }
    }
    const jobs = await db.query<{ status: string }>(
      `SELECT DISTINCT status FROM jobs WHERE kind = 'machine.metrics_sample' AND status NOT IN ('queued', 'running')`,
    );
    expect(jobs.map((j) => j.status)).toEqual(['ok']);
  }, 120_000);

  it('fillDisk raises the disk message once; freeing the disk resolves it', async () => {
    const [full, other] = machines;
    const filled = await lab.fillDisk(full!.lab.name, 95);
    expect(filled.usedPercent).toBeGreaterThanOrEqual(90);
    const messages = (id: string) =>
      db.query<{ message: string; resolved_at: Date | null }>(
        `SELECT message, resolved_at FROM important_messages WHERE machine_id = $1::uuid AND category = 'disk_usage'`,
        [id],
      );
    const raised = await until('the disk message', () => messages(full!.id), (rows) => rows.length > 0);
    expect(raised).toHaveLength(1);
    expect(raised[0]!.message).toMatch(/^\/ is \d+(\.\d)?% full \(threshold 90%\)$/);
    const api = await gw.api('GET', `/api/v1/machines/${full!.id}/important-messages`);
    expect(api.body.filter((m: any) => m.category === 'disk_usage')).toHaveLength(1);
    const history = await gw.api('GET', `/api/v1/machines/${full!.id}/metrics?resolution=raw`);
    expect(history.body.points.at(-1).diskMaxUsedPercent).toBeGreaterThanOrEqual(90);
    expect(await messages(other!.id)).toEqual([]);

    await lab.freeDisk(full!.lab.name);
    const resolved = await until('the message resolved', () => messages(full!.id), (rows) => rows[0]?.resolved_at != null);
    expect(resolved).toHaveLength(1);
  }, 120_000);
});
