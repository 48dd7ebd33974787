import { tmpdir } from 'node:os';
import type { AppConfig } from '@su/config';
import type { Database } from '@su/db';
import {
  checkClock,
  checkDatabase,
  checkDisk,
  checkMasterKey,
  checkMigrations,
  checkQueue,
  checkServices,
  type DoctorContext,
} from './doctor-checks.ts';
import type { DoctorFinding } from './doctor-finding.ts';

export const PRODUCT_SERVICES = ['gateway', 'apt-worker', 'docker-worker', 'scheduler'] as const;

export interface DoctorReport {
  healthy: boolean;
  findings: DoctorFinding[];
}

/**
 * `npm run db -- check`: database, migrations, queue, master key (present, and opening a stored secret), disk, clock,
 * and each service's liveness. Without a database only the checks that need none run.
 */
export async function runDoctor(
  db: Database,
  config: Pick<AppConfig, 'dataDir' | 'masterKey'>,
  opts: Partial<Omit<DoctorContext, 'db' | 'dataDir' | 'masterKeyEnv'>> = {},
): Promise<DoctorReport> {
  const c: DoctorContext = {
    db,
    dataDir: config.dataDir,
    masterKeyEnv: config.masterKey,
    services: opts.services ?? PRODUCT_SERVICES,
    heartbeatDir: opts.heartbeatDir ?? tmpdir(),
    minFreeBytes: opts.minFreeBytes ?? 1 << 30,
    maxClockSkewMs: opts.maxClockSkewMs ?? 5_000,
    now: opts.now ?? Date.now,
  };
  const database = await checkDatabase(c);
  const findings = [database];
  if (database.status === 'ok') findings.push(await checkMigrations(c), await checkQueue(c), await checkMasterKey(c));
  findings.push(checkDisk(c));
  if (database.status === 'ok') findings.push(await checkClock(c), ...(await checkServices(c)));
  return { healthy: findings.every((f) => f.status === 'ok'), findings };
}

export function formatDoctorReport(r: DoctorReport): string[] {
  const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;
  const lines = r.findings.flatMap((f) => [
    `${mark[f.status]}  ${f.check.padEnd(22)} ${f.detail}`,
    ...(f.remedy ? [`      ${''.padEnd(22)} → ${f.remedy}`] : []),
  ]);
  lines.push(
    '',
    r.healthy ? 'All is well.' : `${r.findings.filter((f) => f.status !== 'ok').length} problem(s) found.`,
  );
  return lines;
}
