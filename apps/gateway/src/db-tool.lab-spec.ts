// Issue 17, items 3-5, against real machines and the product's own processes: a backup taken while a schedule runs
// (real scheduler and apt-worker processes analysing the lab machines) restores to exactly the backup's snapshot and
// the services started on it work (log in, list machines, connection tests that decrypt the credentials); the doctor
// (`npm run db -- check`) names a replaced key, a missing migration, a stopped and a hung apt-worker process; the key
// rotation, killed halfway and run again, finishes with every connection test working. One lab, two machines.
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupTo } from '@su/db-tool';
import { Database, SECRET_COLUMNS } from '@su/db';
import { MASTER_KEY_FILE, NEXT_KEY_FILE, readKeyFile, RETIRED_KEY_PREFIX, SecretBox } from '@su/security';
import {
  createTestDatabase,
  ensureHostTools,
  isRoot,
  Lab,
  tableChecksums,
  type TableChecksum,
  type TestDatabase,
} from '@su/testing';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';
import { buildApps, runDbCli, ServiceProcess, type CliRun } from './test/service-process.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`db-tool lab tests skipped: ${skipReason}`);

const POLL_MS = 200;

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A client of a gateway process: logs in, then calls the API with the token. */
async function apiClient(base: string, password: string) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  expect(login.status).toBe(200);
  const { token } = (await login.json()) as { token: string };
  return async (method: string, path: string): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json() };
  };
}

/** The lines of a doctor report for one check: its status line and its remedy line. */
function reportOf(run: CliRun, check: string): string {
  const lines = run.stdout.split('\n');
  const i = lines.findIndex((l) => l.slice(6).startsWith(`${check.padEnd(22)} `));
  return i < 0 ? '' : [lines[i], lines[i + 1]?.trim().startsWith('→') ? lines[i + 1] : ''].join('\n');
}

describe.skipIf(!!skipReason)('database tool (lab)', () => {
  let lab: Lab;
  let broughtUp = false;
  let db: TestDatabase;
  let restored: TestDatabase | undefined;
  let gw: GatewayHarness;
  const ids: string[] = [];
  const dirs: string[] = [];
  const services = new Map<string, ServiceProcess>();
  const others: ServiceProcess[] = [];
  const dir = (prefix: string) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  /** The services' heartbeat files go here (TMPDIR), away from other tests' services on this host. */
  let beats: string;
  const env = () => ({ DATABASE_URL: db.url, SU_DATA_DIR: gw.dataDir, TMPDIR: beats });
  const startService = async (app: string) => services.set(app, await ServiceProcess.started(app, env()));
  let lastStep = Date.now();
  /** Where the time goes (a figure for the report, never asserted). */
  const step = (what: string) => {
    console.log(`[db] ${what}: ${((Date.now() - lastStep) / 1000).toFixed(1)} s`);
    lastStep = Date.now();
  };
  const connectionTest = async (id: string) => (await gw.api('POST', `/api/v1/machines/${id}/test-connection`)).body;

  beforeAll(async () => {
    lastStep = Date.now();
    if (Lab.exists()) lab = Lab.attach();
    else {
      lab = await Lab.up({ machines: 2, log: (m) => console.log(`[lab] ${m}`) });
      broughtUp = true;
    }
    step('lab up');
    buildApps('gateway', 'scheduler', 'apt-worker', 'docker-worker', 'db-cli');
    step('bundles built');
    beats = dir('su-beats-');
    db = await createTestDatabase();
    gw = await startGateway(db, { SU_SSH_CONNECT_TIMEOUT_SECONDS: '6' });
    // The workers and the scheduler run as their own processes, as `npm start` runs them.
    await gw.stopWorker();
    await Promise.all(['scheduler', 'apt-worker', 'docker-worker'].map(startService));
    for (const [i, m] of lab.machines().entries()) {
      const res = await gw.api('POST', '/api/v1/machines', {
        body: {
          name: `db-lab-${i + 1}`,
          hostname: m.address,
          port: m.sshPort,
          username: m.users.admin.name,
          tags: ['fleet'],
          credentials: { authMethod: 'password', password: m.users.admin.password, sudoMode: 'same_as_ssh' },
        },
      });
      expect(res.status, res.text).toBe(201);
      ids.push(res.body.id);
      expect(await connectionTest(res.body.id)).toMatchObject({ ok: true, reached: 'sudo' });
    }
    step('services started, machines added');
  }, 600_000);

  afterAll(async () => {
    for (const p of [...services.values(), ...others]) await p.stop('SIGKILL');
    await gw?.close();
    await restored?.drop();
    await db?.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    if (broughtUp) await lab.down();
  });

  /** The schedule's run and its jobs, as of an exported snapshot. */
  async function runAt(snapshot: string, scheduleId: string): Promise<{ run: string; jobs: string[] }> {
    const reader = Database.connect({ url: db.url, maxConnections: 1, applicationName: 'su-test-snapshot' });
    const c = await reader.pool.connect();
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await c.query(`SET TRANSACTION SNAPSHOT '${snapshot.replaceAll("'", "''")}'`);
      const runs = await c.query<{ status: string }>(`SELECT status FROM schedule_runs WHERE schedule_id = $1`, [
        scheduleId,
      ]);
      const jobs = await c.query<{ status: string }>(
        `SELECT j.status FROM jobs j JOIN schedule_run_machines m ON m.id = j.run_machine_id
          JOIN schedule_runs r ON r.id = m.run_id WHERE r.schedule_id = $1 ORDER BY j.status`,
        [scheduleId],
      );
      await c.query('COMMIT');
      return { run: runs.rows.map((r) => r.status).join(','), jobs: jobs.rows.map((r) => r.status) };
    } finally {
      c.release();
      await reader.close();
    }
  }

  it('item 3: a backup while a schedule runs restores to exactly its snapshot; services on it log in, list and connect', async () => {
    const created = await gw.api('POST', '/api/v1/schedules', {
      body: {
        name: 'analyse the fleet',
        cron: '* * * * *',
        timezone: 'UTC',
        scope: { tags: ['fleet'] },
        actions: ['apt_update_analyze'],
        // One machine at a time: while the first is analysed, the second waits its turn.
        concurrency: 1,
      },
    });
    expect(created.status, created.text).toBe(201);
    const scheduleId = created.body.id as string;
    // Due now (the current minute's slot) rather than at the next minute: the scheduler process wakes on the change.
    await db.query(`UPDATE schedules SET next_run_at = date_trunc('minute', now()) WHERE id = $1`, [scheduleId]);
    await until('a job of the schedule running on a lab machine', async () => {
      const rows = await db.query(
        `SELECT 1 FROM jobs j JOIN schedule_run_machines m ON m.id = j.run_machine_id
          JOIN schedule_runs r ON r.id = m.run_id WHERE r.schedule_id = $1 AND j.status = 'running'`,
        [scheduleId],
      );
      return rows.length > 0;
    });

    step('schedule fired, a job running');
    const file = join(dir('su-backup-'), 'backup.su.gz');
    let atBackup: Record<string, TableChecksum> = {};
    let runAtBackup = { run: '', jobs: [] as string[] };
    // The backup's moment is the snapshot its transaction reads: it exports it, and the counts and checksums below
    // are taken in that same snapshot, by SQL of their own.
    const result = await backupTo(db.url, file, {
      onSnapshot: async (snapshot) => {
        atBackup = await tableChecksums(db.url, snapshot);
        runAtBackup = await runAt(snapshot, scheduleId);
      },
    });
    for (const t of result.manifest.tables)
      expect(t.rows, `${t.schema}.${t.name}`).toBe(atBackup[`${t.schema}.${t.name}`]?.rows);
    expect(runAtBackup.run).toBe('running');
    expect(runAtBackup.jobs.some((s) => s === 'running' || s === 'queued')).toBe(true);
    console.log(
      `[db] backup: ${result.bytes} B, ${result.manifest.tables.length} tables; at its moment the run was ${runAtBackup.run}, jobs ${runAtBackup.jobs.join(', ')}`,
    );

    step('backup');
    // The run goes on and ends after the backup: the real worker analysed both machines.
    await until('the run to end', async () => {
      const rows = await db.query(`SELECT status FROM schedule_runs WHERE schedule_id = $1`, [scheduleId]);
      return rows.length > 0 && rows.every((r: { status: string }) => r.status !== 'running');
    });
    const jobs = await db.query(
      `SELECT j.status FROM jobs j JOIN schedule_run_machines m ON m.id = j.run_machine_id
        JOIN schedule_runs r ON r.id = m.run_id WHERE r.schedule_id = $1`,
      [scheduleId],
    );
    // Every minute's slot makes a run: on a quick host the next minute's may have come and gone too.
    const statuses = jobs.map((j: { status: string }) => j.status);
    expect(statuses.length).toBeGreaterThanOrEqual(2);
    expect(
      statuses.every((s: string) => s === 'ok'),
      statuses.join(', '),
    ).toBe(true);
    expect(await tableChecksums(db.url)).not.toEqual(atBackup);

    // Wipe (a new, empty database) and restore with the tool, as an operator would.
    step('run ended');
    restored = await createTestDatabase({ empty: true });
    const restoreDir = dir('su-restored-');
    const restore = await runDbCli(['restore', file], { DATABASE_URL: restored.url, SU_DATA_DIR: restoreDir });
    expect(restore.code, restore.stderr).toBe(0);
    expect(await tableChecksums(restored.url)).toEqual(atBackup);

    step('restore (CLI)');
    // The services on the restored database, with the master key put back from its own backup (never in the file).
    copyFileSync(join(gw.dataDir, MASTER_KEY_FILE), join(restoreDir, MASTER_KEY_FILE));
    chmodSync(join(restoreDir, MASTER_KEY_FILE), 0o600);
    const port = await freePort();
    const gateway = await ServiceProcess.started('gateway', {
      DATABASE_URL: restored.url,
      SU_DATA_DIR: restoreDir,
      SU_HTTP_PORT: String(port),
      TMPDIR: dir('su-beats-restored-'),
    });
    others.push(gateway);
    const api = await apiClient(`http://127.0.0.1:${port}`, gw.adminPassword);
    const list = await api('GET', '/api/v1/machines');
    expect(list.status).toBe(200);
    const machines = (Array.isArray(list.body) ? list.body : list.body.items) as { id: string; name: string }[];
    // As many as the lab has: an attached lab may have more than the two this file brings up.
    expect(machines.map((m) => m.name).sort()).toEqual(lab.machines().map((_, i) => `db-lab-${i + 1}`));
    for (const id of ids) {
      const test = await api('POST', `/api/v1/machines/${id}/test-connection`);
      expect(test.body, JSON.stringify(test.body)).toMatchObject({ ok: true, reached: 'sudo' });
    }
    await gateway.stop();
    step('gateway process on the restored database: login, list, connection tests');
  });

  it('item 4: db check says all is well; then names a hung worker, and a replaced key, a missing migration and a stopped worker', async () => {
    const healthy = await runDbCli(['check'], env());
    expect(healthy.code, healthy.stdout + healthy.stderr).toBe(0);
    expect(healthy.stdout).toMatch(/All is well\.\n$/);
    for (const s of ['gateway', 'apt-worker', 'docker-worker', 'scheduler'])
      expect(reportOf(healthy, `service ${s}`)).toMatch(/^ok {2}/);
    step('healthy check');

    // Hung: the worker keeps its connections but its event loop stops (SIGSTOP), so its heartbeat file stops being
    // touched. Instead of waiting the 2 minutes the doctor allows, the file is aged: the stopped process cannot touch it.
    const worker = services.get('apt-worker')!;
    const beat = join(beats, 'su-apt-worker.alive');
    expect(existsSync(beat)).toBe(true);
    worker.signal('SIGSTOP');
    const past = new Date(Date.now() - 3 * 60_000);
    utimesSync(beat, past, past);
    const hung = await runDbCli(['check'], env());
    expect(hung.code).toBe(1);
    expect(reportOf(hung, 'service apt-worker')).toMatch(
      /^WARN .*connection\(s\), but its heartbeat file .*su-apt-worker\.alive is older than 2 minutes\n.*→ restart apt-worker/,
    );
    expect(hung.stdout).toMatch(/1 problem\(s\) found\.\n$/);
    step('hung worker check');

    // Stopped: the hung worker killed (its connections close with it), the key file replaced, a migration missing.
    await worker.stop('SIGKILL');
    const keyFile = join(gw.dataDir, MASTER_KEY_FILE);
    const key = readFileSync(keyFile, 'utf8');
    const [last] = await db.query(`SELECT * FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1`);
    writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    await db.query(`DELETE FROM _prisma_migrations WHERE id = $1`, [last.id]);
    await until("the apt-worker's connections to close", async () => {
      const rows = await db.query(`SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'su-apt-worker%'`);
      return rows.length === 0;
    });
    let broken: CliRun;
    try {
      broken = await runDbCli(['check'], env());
    } finally {
      writeFileSync(keyFile, key, { mode: 0o600 });
      await db.query(
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
    }
    expect(broken.code).toBe(1);
    expect(reportOf(broken, 'master key')).toMatch(
      /^FAIL .*does not open the stored secrets.*\n.*→ put back the key that was in use/,
    );
    expect(reportOf(broken, 'migrations')).toMatch(
      new RegExp(`^FAIL .*not applied: ${last.migration_name}\\n.*→ run \`npm run db -- migrate\``),
    );
    expect(reportOf(broken, 'service apt-worker')).toMatch(
      /^FAIL .*no connection to the database.*\n.*→ start it \(npm start, or docker compose up -d apt-worker\)/,
    );
    for (const s of ['database', 'queue', 'disk', 'clock', 'service gateway', 'service scheduler'])
      expect(reportOf(broken, s), s).toMatch(/^ok {2}/);
    expect(broken.stdout).toMatch(/3 problem\(s\) found\.\n$/);
    step('broken check');

    // The remedies applied (key and migration put back above, the worker started): all is well again.
    await startService('apt-worker');
    const again = await runDbCli(['check'], env());
    expect(again.code, again.stdout).toBe(0);
    step('healthy again');
  });

  it('item 5: key rotation killed halfway and run again finishes; every connection test works throughout', async () => {
    const oldKeyId = SecretBox.keyIdOf(readKeyFile(join(gw.dataDir, MASTER_KEY_FILE)));
    const keyIdOf = async (machineId: string) =>
      (
        await db.query(`SELECT split_part(enc_password, '.', 2) AS k FROM machine_credentials WHERE machine_id = $1`, [
          machineId,
        ])
      )[0].k as string;
    // The rotation goes through the secrets in id order; a lock held on the second machine's row stops it there, after
    // it re-encrypted the first: a deterministic halfway point to kill it at.
    const [first, second] = [...ids].sort();
    const locker = Database.connect({ url: db.url, maxConnections: 1, applicationName: 'su-test-lock' });
    const lock = await locker.pool.connect();
    await lock.query('BEGIN');
    await lock.query(`SELECT 1 FROM machine_credentials WHERE machine_id = $1 FOR UPDATE`, [second]);
    const rotation = ServiceProcess.start('db-cli', env(), ['rotate-key']);
    others.push(rotation);
    let newKeyId: string;
    try {
      await until('the rotation to wait on the locked row', async () => {
        const rows = await db.query(
          `SELECT 1 FROM pg_stat_activity WHERE application_name = 'su-db-tool' AND wait_event_type = 'Lock'`,
        );
        return rows.length > 0;
      });
      newKeyId = SecretBox.keyIdOf(readKeyFile(join(gw.dataDir, NEXT_KEY_FILE)));
      expect(await keyIdOf(first!)).toBe(newKeyId);
      expect(await keyIdOf(second!)).toBe(oldKeyId);
      await rotation.stop('SIGKILL');
    } finally {
      await lock.query('ROLLBACK');
      lock.release();
      await locker.close();
    }
    // Halfway: one credential under each key, and both open (the services read master.key.next).
    for (const id of ids) expect(await connectionTest(id)).toMatchObject({ ok: true, reached: 'sudo' });

    step('rotation killed halfway, connection tests');
    const resumed = await runDbCli(['rotate-key'], env());
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`every stored secret is under key ${newKeyId}`);
    // master.key holds the new key; the old one is kept, retired, for the backups made before.
    expect(SecretBox.keyIdOf(readKeyFile(join(gw.dataDir, MASTER_KEY_FILE)))).toBe(newKeyId);
    expect(SecretBox.keyIdOf(readKeyFile(join(gw.dataDir, `${RETIRED_KEY_PREFIX}${oldKeyId}`)))).toBe(oldKeyId);

    step('rotation run again');
    // No ciphertext, in any secret column, and no key_id column names the old key.
    const keyIds = new Map<string, number>();
    for (const c of SECRET_COLUMNS) {
      const rows = await db.query(
        `SELECT split_part(${c.column}, '.', 2) AS k FROM ${c.table} WHERE ${c.column} IS NOT NULL`,
      );
      for (const r of rows as { k: string }[]) keyIds.set(r.k, (keyIds.get(r.k) ?? 0) + 1);
    }
    expect([...keyIds.keys()]).toEqual([newKeyId]);
    expect(keyIds.get(newKeyId)).toBeGreaterThanOrEqual(ids.length);
    const keyIdColumn = await db.query(`SELECT DISTINCT key_id FROM machine_credentials`);
    expect(keyIdColumn.map((r: { key_id: string }) => r.key_id)).toEqual([newKeyId]);

    // Every connection test works in the gateway that ran throughout.
    for (const id of ids) expect(await connectionTest(id)).toMatchObject({ ok: true, reached: 'sudo' });
    step('connection tests in the running gateway');
    // The apt-worker process, started before the rotation and not restarted, opens the credential for a job too (it
    // could not before master.key joined the readable keys: master-key-ring.spec). The doctor, reading the new
    // master.key as a restarted service does, finds every secret opens under it and none left under the old key.
    const job = await gw.api('POST', `/api/v1/machines/${ids[0]}/actions`, { body: { action: 'apt_update_analyze' } });
    expect(job.status, job.text).toBe(201);
    expect(await gw.waitJob(job.body.id, 120_000)).toMatchObject({ status: 'ok' });
    step('analysis by the apt-worker process started before the rotation');
    const check = await runDbCli(['check'], env());
    expect(check.code, check.stdout).toBe(0);
    step('doctor after the rotation');
  });
});
