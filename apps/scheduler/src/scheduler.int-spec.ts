import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@su/config';
import { ActionRequestsRepository, Database, MachinesRepository } from '@su/db';
import type { SchedulerLeaderService } from '@su/schedules';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { startLeadership } from './scheduler.maintenance.ts';
import { SchedulerModule } from './scheduler.module.ts';

// The scheduler service's wiring in this process (twice, as two scheduler instances) on a real database: one leader
// at a time, a standby that takes over when the leader goes, and the leader's maintenance (request expiry).
let tdb: TestDatabase;
const started: { app: INestApplicationContext; leader: SchedulerLeaderService; closed?: boolean }[] = [];

async function scheduler() {
  const config = loadConfig({ DATABASE_URL: tdb.url, SU_LEADER_RETRY_SECONDS: '0.2' });
  const app = await NestFactory.createApplicationContext(
    SchedulerModule.forRoot({ service: 'scheduler', config, databaseUrl: tdb.url }),
    { logger: ['error'] },
  );
  const s: (typeof started)[number] = { app, leader: startLeadership(app, config) };
  started.push(s);
  return s;
}

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  for (const s of started) if (!s.closed) await s.app.close().catch(() => undefined);
  await tdb?.drop();
});

describe('scheduler service', () => {
  it('one of two schedulers leads; when it stops, the other takes over', async () => {
    const a = await scheduler();
    const b = await scheduler();
    expect(await until(() => a.leader.isLeader || b.leader.isLeader, 5000)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect([a, b].filter((s) => s.leader.isLeader)).toHaveLength(1);
    const [lead, standby] = a.leader.isLeader ? [a, b] : [b, a];
    await lead.app.close();
    lead.closed = true;
    const t0 = Date.now();
    expect(await until(() => standby.leader.isLeader, 5000)).toBe(true);
    console.log(`[scheduler] standby took over ${Date.now() - t0} ms after the leader stopped`);
  });

  it('the leader expires a pending request whose time is up', async () => {
    const machineId = randomUUID();
    const db = Database.connect({ url: tdb.url });
    try {
      await new MachinesRepository(db.prisma).create(
        { id: machineId, name: 'm', hostname: '127.0.0.1', port: 22, username: 'u' },
        null,
      );
      const req = await new ActionRequestsRepository(db.prisma).insert({
        machineId,
        requestedByType: 'user',
        requestedById: null,
        requestedByLabel: 'test',
        action: 'reboot_verified',
        risk: 'high',
        summary: 'reboot',
        payload: {},
        expiresAt: new Date(Date.now() + 500),
      });
      const status = async () =>
        (await tdb.query(`SELECT status FROM action_requests WHERE id = $1`, [req.id]))[0].status as string;
      expect(await status()).toBe('pending');
      // The expiry task runs every 5 s on the leader.
      expect(await until(async () => (await status()) === 'expired', 12_000)).toBe(true);
      expect(await tdb.query(`SELECT id FROM jobs WHERE request_id = $1`, [req.id])).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('a new leader rebuilds the tiles marked stale that nobody read (ADR 0055), at once and then every 30 s', async () => {
    const id = randomUUID();
    const db = Database.connect({ url: tdb.url });
    const marked = async () => Number((await tdb.query(`SELECT count(*) AS n FROM machine_tiles_stale`))[0].n);
    try {
      await new MachinesRepository(db.prisma).create(
        { id, name: 'tile', hostname: '127.0.0.1', port: 22, username: 'u' },
        null,
      );
      expect(await marked()).toBeGreaterThan(0);
      for (const s of started.filter((x) => !x.closed)) {
        await s.app.close();
        s.closed = true;
      }
      await scheduler(); // elected alone: its tasks run at once
      expect(await until(async () => (await marked()) === 0, 12_000)).toBe(true);
      expect(await tdb.query(`SELECT machine_id FROM machine_tiles WHERE machine_id = $1::uuid`, [id])).toHaveLength(1);
    } finally {
      await db.close();
    }
  });
});
