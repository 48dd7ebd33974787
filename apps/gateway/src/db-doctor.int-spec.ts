import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '@su/db';
import { runDoctor, type DoctorFinding } from '@su/db-tool';
import { gatewayPerFile } from './test/gateway.harness.ts';

// npm run db -- check (issue 17): healthy says all is well; a replaced master key, a missing migration and a stopped
// worker are each named with what to do. The gateway and the apt-worker run in this process (their connections are
// named su-gateway*, su-apt-worker*), so those are the services the doctor expects here.
const t = gatewayPerFile();
let db: Database;
const services = ['gateway', 'apt-worker'];
const heartbeatDir = mkdtempSync(join(tmpdir(), 'su-heartbeats-'));
const doctor = () =>
  runDoctor(db, { dataDir: t.gw.dataDir, masterKey: undefined }, { services, heartbeatDir, minFreeBytes: 1 << 20 });
const finding = (findings: DoctorFinding[], check: string) => findings.find((f) => f.check === check);

beforeAll(async () => {
  db = Database.connect({ url: t.db.url, applicationName: 'su-db-tool', maxConnections: 2 });
  const res = await t.gw.api('POST', '/api/v1/machines', {
    body: {
      name: 'nas',
      hostname: '127.0.0.1',
      port: 9,
      username: 'u',
      credentials: { authMethod: 'password', password: 'doctor-pw', sudoMode: 'same_as_ssh' },
    },
  });
  expect(res.status).toBe(201);
});

afterAll(async () => {
  await db?.close();
});

async function waitUntil(cond: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm run db -- check', () => {
  it('on a healthy install, says all is well', async () => {
    const report = await doctor();
    expect(report.findings.filter((f) => f.status !== 'ok')).toEqual([]);
    expect(report.healthy).toBe(true);
    expect(report.findings.map((f) => f.check)).toEqual([
      'database',
      'migrations',
      'queue',
      'master key',
      'disk',
      'clock',
      'service gateway',
      'service apt-worker',
    ]);
    expect(finding(report.findings, 'master key')!.detail).toMatch(/opens the stored secrets/);
  });

  it('names a replaced master key, a missing migration and a stopped worker, each with its remedy', async () => {
    const keyFile = join(t.gw.dataDir, 'master.key');
    const original = readFileSync(keyFile, 'utf8');
    writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const [last] = await t.db.query(`SELECT * FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1`);
    await t.db.query(`DELETE FROM _prisma_migrations WHERE id = $1`, [last.id]);
    await t.gw.stopWorker();
    await waitUntil(
      async () =>
        (await t.db.query(`SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'su-apt-worker%'`)).length === 0,
      'the worker to close its connections',
    );
    try {
      const report = await doctor();
      expect(report.healthy).toBe(false);
      expect(finding(report.findings, 'master key')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/does not open the stored secrets/),
        remedy: expect.stringMatching(/put back the key that was in use/),
      });
      expect(finding(report.findings, 'migrations')).toMatchObject({
        status: 'fail',
        detail: `not applied: ${last.migration_name}`,
        remedy: expect.stringMatching(/npm run db -- migrate/),
      });
      expect(finding(report.findings, 'service apt-worker')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/no connection to the database/),
        remedy: expect.stringMatching(/docker compose up -d apt-worker/),
      });
      // The rest is still fine, and says so.
      for (const check of ['database', 'queue', 'disk', 'clock', 'service gateway'])
        expect(finding(report.findings, check)?.status, check).toBe('ok');
    } finally {
      writeFileSync(keyFile, original, { mode: 0o600 });
      await t.db.query(
        `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          last.id,
          last.checksum,
          last.finished_at,
          last.migration_name,
          last.logs,
          last.rolled_back_at,
          last.started_at,
          last.applied_steps_count,
        ],
      );
      await t.gw.restartWorker();
    }
    expect((await doctor()).healthy).toBe(true);
  });

  it('a master key that is missing altogether is named too', async () => {
    const report = await runDoctor(
      db,
      { dataDir: mkdtempSync(join(tmpdir(), 'su-nokey-')), masterKey: undefined },
      { services, heartbeatDir, minFreeBytes: 1 << 20 },
    );
    expect(finding(report.findings, 'master key')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/no master key/),
      remedy: expect.stringMatching(/put back the master.key/),
    });
  });
});
