import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@su/config';
import { Database, MachineConnectionRepository, SchedulesRepository } from '@su/db';
import { backupTo, restoreFrom, RestoreRefusedError } from '@su/db-tool';
import { decryptCredentials } from '@su/machine-access';
import { JobQueue } from '@su/queue';
import { ScheduleRunAdvancer } from '@su/runs';
import { ScheduleFiringService } from '@su/schedules';
import { SecretBox } from '@su/security';
import { createTestDatabase, tableChecksums, type TableChecksum, type TestDatabase } from '@su/testing';
import { createGatewayApp } from './gateway.app.ts';
import { CapturingLogger, gatewayPerFile } from './test/gateway.harness.ts';

// npm run db -- backup / restore (issue 17): a backup taken while a schedule fires and the API writes, restored on a
// wiped database, holds exactly the rows of the backup's moment, and the services work on it.
const t = gatewayPerFile();
const dir = mkdtempSync(join(tmpdir(), 'su-backup-'));
const file = join(dir, 'backup.su.gz');
const passwords = new Map<string, string>();
let restored: TestDatabase;
let db: Database;
let queue: JobQueue;

beforeAll(async () => {
  for (const name of ['alpha', 'bravo', 'charlie']) {
    const password = `pw-${randomUUID()}`;
    const res = await t.gw.api('POST', '/api/v1/machines', {
      body: {
        name,
        hostname: '127.0.0.1',
        port: 9,
        username: 'u',
        tags: ['fleet'],
        credentials: { authMethod: 'password', password, sudoMode: 'same_as_ssh' },
      },
    });
    expect(res.status).toBe(201);
    passwords.set(res.body.id, password);
  }
  db = Database.connect({ url: t.db.url, applicationName: 'su-scheduler' });
  queue = new JobQueue({
    url: t.db.url,
    applicationName: 'su-scheduler-queue',
    listenNotify: true,
    pollingIntervalSeconds: 2,
  });
  await queue.start();
  restored = await createTestDatabase({ empty: true });
});

afterAll(async () => {
  await queue?.stop();
  await db?.close();
  await restored?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Writes through the API until told to stop: machine edits, each with its audit event. */
function keepWriting(): { stop: () => Promise<number> } {
  let running = true;
  let writes = 0;
  const ids = [...passwords.keys()];
  const loop = (async () => {
    while (running) {
      await t.gw.api('PATCH', `/api/v1/machines/${ids[writes % ids.length]}`, { body: { notes: `edit ${writes}` } });
      writes++;
    }
  })();
  return { stop: async () => ((running = false), await loop, writes) };
}

async function fireSchedule(): Promise<void> {
  const config = loadConfig({ DATABASE_URL: t.db.url });
  const schedule = await new SchedulesRepository(db.prisma).create({
    name: 'nightly',
    enabled: true,
    cron: '* * * * *',
    timezone: 'UTC',
    scope: { tags: ['fleet'] },
    actions: ['apt_update_analyze'],
    concurrency: 3,
    approvalPolicy: 'none',
    windowMinutes: null,
    nextRunAt: new Date(Math.floor(Date.now() / 60_000) * 60_000),
  });
  const firing = new ScheduleFiringService(
    db,
    config,
    { service: 'scheduler', config, databaseUrl: t.db.url },
    new ScheduleRunAdvancer(queue),
  );
  await firing.fire(schedule.id);
}

/** The jobs' statuses as of an exported snapshot. */
async function jobsAt(snapshot: string): Promise<{ status: string }[]> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
    const { rows } = await client.query<{ status: string }>('SELECT status FROM jobs');
    await client.query('COMMIT');
    return rows;
  } finally {
    client.release();
  }
}

describe('npm run db -- backup | restore', () => {
  let atBackup: Record<string, TableChecksum> = {};

  it('backs up while a schedule fires and the API writes, in one consistent file', async () => {
    await fireSchedule();
    const writer = keepWriting();
    let jobsAtBackup: { status: string }[] = [];
    const result = await backupTo(t.db.url, file, {
      onSnapshot: async (snapshot) => {
        atBackup = await tableChecksums(t.db.url, snapshot);
        jobsAtBackup = await jobsAt(snapshot);
      },
    });
    const writes = await writer.stop();
    expect(writes).toBeGreaterThan(0);
    expect(result.bytes).toBeGreaterThan(0);
    // The file's own manifest agrees with the independent count of the backup's snapshot.
    for (const table of result.manifest.tables)
      expect(table.rows, `${table.schema}.${table.name}`).toBe(atBackup[`${table.schema}.${table.name}`]?.rows);
    // At the backup's moment the schedule's run was going on: its jobs were queued or running.
    expect(jobsAtBackup.filter((j) => j.status === 'queued' || j.status === 'running').length).toBeGreaterThan(0);
    expect(atBackup['public.schedule_runs']?.rows).toBe(1);
    // The schedule's run and jobs, and the writes, went on after the snapshot: the live database moved on.
    const jobs = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs`);
    expect(jobs[0]!.n).toBeGreaterThan(0);
    expect(await tableChecksums(t.db.url)).not.toEqual(atBackup);
  });

  it('refuses to overwrite a database that holds data, unless forced', async () => {
    await expect(restoreFrom(t.db.url, file, { force: false })).rejects.toThrow(RestoreRefusedError);
    await expect(restoreFrom(t.db.url, file, { force: false })).rejects.toThrow(/holds data .*--force/);
  });

  it('restores on a wiped database: every table has the rows and content of the backup moment', async () => {
    await restoreFrom(restored.url, file, { force: false });
    expect(await tableChecksums(restored.url)).toEqual(atBackup);
    // Forced over a database holding data (itself): the same again, nothing doubled.
    await restoreFrom(restored.url, file, { force: true });
    expect(await tableChecksums(restored.url)).toEqual(atBackup);
  });

  it('the services work on the restored database: log in, list machines, decrypt a credential', async () => {
    const config = loadConfig({ DATABASE_URL: restored.url, SU_DATA_DIR: t.gw.dataDir });
    const app = await createGatewayApp(
      { service: 'gateway', config, databaseUrl: restored.url },
      new CapturingLogger(),
    );
    await app.listen(0, '127.0.0.1');
    try {
      const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
      const login = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: t.gw.adminPassword }),
      });
      expect(login.status).toBe(200);
      const { token } = (await login.json()) as { token: string };
      const list = await fetch(`${base}/api/v1/machines`, { headers: { authorization: `Bearer ${token}` } });
      const machines = (await list.json()) as { items?: { name: string }[] } | { name: string }[];
      const names = (Array.isArray(machines) ? machines : (machines.items ?? [])).map((m) => m.name).sort();
      expect(names).toEqual(['alpha', 'bravo', 'charlie']);
      const repo = new MachineConnectionRepository(Database.connect({ url: restored.url, maxConnections: 1 }));
      for (const [id, password] of passwords) {
        const info = (await repo.connectionTarget(id))?.info;
        expect(decryptCredentials(app.get(SecretBox), id, info!.credentials!).auth.password).toBe(password);
      }
    } finally {
      await app.close();
    }
  });
});
