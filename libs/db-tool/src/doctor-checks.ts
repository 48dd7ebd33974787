import { existsSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseStatusRepository, StoredSecretsRepository, type Database } from '@su/db';
import { readMasterKey, SecretBox, secretBoxFor } from '@su/security';
import { fail, ok, warn, type DoctorFinding } from './doctor-finding.ts';
import { migrationStatus } from './migration-status.ts';
import { secretBinding } from './secret-binding.ts';

/** What the checks need besides the database. */
export interface DoctorContext {
  db: Database;
  dataDir: string;
  masterKeyEnv: string | undefined;
  /** Services that must be connected: every one of the product by default. */
  services: readonly string[];
  /** Where the services without HTTP touch their heartbeat file (`/tmp/su-<service>.alive` on their host). */
  heartbeatDir: string;
  minFreeBytes: number;
  maxClockSkewMs: number;
  now: () => number;
}

export async function checkDatabase(c: DoctorContext): Promise<DoctorFinding> {
  try {
    const s = await new DatabaseStatusRepository(c.db).server();
    return ok('database', `PostgreSQL ${s.version} reachable, database ${s.database}`);
  } catch (e) {
    return fail(
      'database',
      `cannot reach PostgreSQL: ${(e as Error).message}`,
      'start PostgreSQL (npm start starts the embedded one; docker compose up -d postgres) and check DATABASE_URL',
    );
  }
}

export async function checkMigrations(c: DoctorContext): Promise<DoctorFinding> {
  const m = await migrationStatus(c.db);
  if (m.applied === null)
    return fail(
      'migrations',
      'the database was never migrated',
      'run `npm run db -- migrate` (services also migrate at start)',
    );
  if (m.failed.length)
    return fail(
      'migrations',
      `migration(s) started and never finished: ${m.failed.join(', ')}`,
      'restore the last backup, or fix the database by hand and mark the migration rolled back; then `npm run db -- migrate`',
    );
  if (m.pending.length)
    return fail(
      'migrations',
      `not applied: ${m.pending.join(', ')}`,
      'run `npm run db -- migrate` (or restart the services, which migrate at start)',
    );
  if (m.unknown.length)
    return warn(
      'migrations',
      `applied by a newer release: ${m.unknown.join(', ')}`,
      'run the release that wrote them; this one may not read their data',
    );
  return ok('migrations', `all ${m.applied.length} applied`);
}

const STUCK_MS = 10 * 60_000;

export async function checkQueue(c: DoctorContext): Promise<DoctorFinding> {
  const repo = new DatabaseStatusRepository(c.db);
  const version = await repo.queueSchemaVersion();
  if (version === null)
    return fail(
      'queue',
      'the queue schema (pgboss) does not exist',
      'start the services once: each creates the queue schema and its queues',
    );
  const depth = await repo.queueDepth();
  const waiting = depth.filter((d) => d.state !== 'active');
  const stuck = waiting.filter((d) => c.now() - d.oldest.getTime() > STUCK_MS);
  const total = depth.reduce((n, d) => n + d.jobs, 0);
  if (stuck.length)
    return warn(
      'queue',
      `jobs waiting over 10 minutes in ${stuck.map((d) => `${d.queue} (${d.jobs})`).join(', ')}`,
      'check that the workers run (see "services" below) and read their logs',
    );
  return ok('queue', `pg-boss schema ${version}, ${total} job(s) waiting or running`);
}

export async function checkMasterKey(c: DoctorContext): Promise<DoctorFinding> {
  let key: Buffer | null;
  try {
    key = readMasterKey({ envKey: c.masterKeyEnv, dataDir: c.dataDir });
  } catch (e) {
    return fail('master key', (e as Error).message, 'fix the key file (chmod 600, 32 bytes in hex) or SU_MASTER_KEY');
  }
  if (!key)
    return fail(
      'master key',
      `no master key: SU_MASTER_KEY is not set and ${join(c.dataDir, 'master.key')} does not exist`,
      'put back the master.key of this installation (from your backup of the data directory) or set SU_MASTER_KEY; without it no stored credential opens',
    );
  const box = secretBoxFor(key, c.dataDir);
  const secrets = new StoredSecretsRepository(c.db);
  const sample = await secrets.sample();
  if (!sample) return ok('master key', `key ${box.keyId} present; no stored secret yet`);
  try {
    box.decrypt(sample.secret.ciphertext, secretBinding(sample.column, sample.secret.rowId));
  } catch {
    return fail(
      'master key',
      `the master key (id ${box.keyId}) does not open the stored secrets (${sample.column.table}.${sample.column.column} is under key id ${sample.secret.ciphertext.split('.')[1]})`,
      'put back the key that was in use (master.key of the data directory, or SU_MASTER_KEY); if it is lost, enter every credential again',
    );
  }
  return staleKeys(box, await secrets.countByKeyId());
}

function staleKeys(box: SecretBox, byKey: Map<string, number>): DoctorFinding {
  const others = [...byKey].filter(([k]) => k !== box.keyId);
  if (others.length)
    return warn(
      'master key',
      `key ${box.keyId} opens the stored secrets; ${others.map(([k, n]) => `${n} still under key ${k}`).join(', ')}`,
      'finish the key rotation: `npm run db -- rotate-key` (it resumes), then restart the services',
    );
  return ok('master key', `key ${box.keyId} opens the stored secrets`);
}

export function checkDisk(c: DoctorContext): DoctorFinding {
  if (!existsSync(c.dataDir))
    return warn('disk', `${c.dataDir} does not exist`, 'set SU_DATA_DIR to the data directory');
  const s = statfsSync(c.dataDir);
  const free = s.bavail * s.bsize;
  const detail = `${Math.floor(free / (1 << 20))} MiB free under ${c.dataDir}`;
  const remedy = 'free space: `npm run db -- vacuum`, delete old raw logs and backups, or grow the volume';
  if (free < c.minFreeBytes) return fail('disk', detail, remedy);
  if (free < 2 * c.minFreeBytes) return warn('disk', detail, remedy);
  return ok('disk', detail);
}

export async function checkClock(c: DoctorContext): Promise<DoctorFinding> {
  const before = c.now();
  const { now } = await new DatabaseStatusRepository(c.db).server();
  const local = (before + c.now()) / 2;
  const skew = Math.abs(now.getTime() - local);
  const detail = `database and this host differ by ${Math.round(skew)} ms`;
  if (skew > c.maxClockSkewMs)
    return fail(
      'clock',
      detail,
      'synchronise the clocks (NTP): approvals, lock expiry, schedules and TOTP codes depend on them',
    );
  return ok('clock', detail);
}

const HEARTBEAT_STALE_MS = 2 * 60_000;

/** A service is alive when it holds connections named after it (`su-<service>`, `su-<service>-queue`). */
export async function checkServices(c: DoctorContext): Promise<DoctorFinding[]> {
  const conns = await new DatabaseStatusRepository(c.db).connectionsByApplication();
  return c.services.map((s) => {
    const n = [...conns]
      .filter(([app]) => app === `su-${s}` || app.startsWith(`su-${s}-`))
      .reduce((a, [, k]) => a + k, 0);
    if (n === 0)
      return fail(
        `service ${s}`,
        'no connection to the database: stopped, or cannot reach PostgreSQL',
        `start it (npm start, or docker compose up -d ${s}) and read its log`,
      );
    const beat = join(c.heartbeatDir, `su-${s}.alive`);
    if (existsSync(beat) && c.now() - statSync(beat).mtimeMs > HEARTBEAT_STALE_MS)
      return warn(
        `service ${s}`,
        `${n} connection(s), but its heartbeat file ${beat} is older than 2 minutes`,
        `restart ${s}: it does not answer`,
      );
    return ok(`service ${s}`, `${n} connection(s) to the database`);
  });
}
