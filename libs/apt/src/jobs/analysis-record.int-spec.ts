import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AptPackage, AptSnapshotDetail, SnapshotStatus, UpdateSnapshot } from '@su/contracts';
import { machineStatusAfter } from '@su/contracts';
import {
  AptAnalysisRepository,
  AptPackagesRepository,
  Database,
  ExecutionsRepository,
  ImportantMessagesRepository,
  JobsRepository,
  MachineEventsRepository,
  MachineInventoryRepository,
  MachinesRepository,
  MachineStateRepository,
  RawArtifactsRepository,
  type Tx,
} from '@su/db';
import { PACKAGE_CHANGING_ACTIONS } from '@su/contracts';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import type { AptMessage } from '../apt-messages.extractor.ts';
import { analysisSummary } from './analysis-summary.ts';
import { analysisRecordRows, type AnalysisOutcome } from './analysis-record.ts';
import { saveErrors, saveMessages } from './apt-results.writer.ts';
import { STATE_CATEGORIES } from './held-messages.ts';

// The analysis' record in one statement (ADR 0057) against the Prisma transaction it replaced, on a real PostgreSQL:
// two machines seeded alike, one written the old way and one the new, must hold the same rows, trigger effects
// included; and a record that fails leaves nothing behind.
let tdb: TestDatabase;
let db: Database;

/** The record as AptAnalyzeHandler wrote it before ADR 0057: one Prisma transaction, the plan last. */
async function oldRecord(tx: Tx, r: AnalysisOutcome): Promise<string> {
  const { machineId, jobId, detail, status, messages, securityCount } = r;
  const rawArtifactId = await new RawArtifactsRepository(tx).insertRawLog(machineId, jobId, r.raw);
  const id = await new MachineInventoryRepository(tx).insertSnapshot({
    machineId,
    kind: 'apt_update_analyze',
    status,
    payload: r.snapshot as object,
    importantJson: {
      status,
      count: detail.count,
      security: securityCount,
      rebootRequired: detail.rebootRequired,
      keptBack: (detail.keptBack ?? []).map((p) => p.name),
      held: detail.held ?? [],
      heldCount: detail.heldCount ?? 0,
      heldSecurity: detail.heldSecurityCount ?? 0,
      phased: detail.phasedCount ?? 0,
      rebootAfterApply: detail.rebootAfterApply ?? false,
      errors: (detail.errors ?? []).map((e) => e.kind),
    },
    sourceJobId: jobId,
    rawArtifactId,
  });
  await saveErrors(tx, machineId, { snapshotId: id }, detail.errors ?? []);
  await saveMessages(tx, machineId, { snapshotId: id, rawArtifactId }, messages);
  await new ImportantMessagesRepository(tx).resolveGone(
    machineId,
    STATE_CATEGORIES,
    messages.map((m) => m.dedupKey),
  );
  const lastApply = await new ExecutionsRepository(tx).latestApply(machineId);
  const standing =
    status !== 'error' && lastApply?.status === 'error'
      ? { kind: lastApply.errorKind ?? 'apt_error', message: lastApply.errorMessage ?? '' }
      : null;
  await new MachineStateRepository(tx).recordAptAnalysis(machineId, {
    status,
    updates: detail.count,
    security: securityCount,
    held: detail.heldCount ?? 0,
    heldSecurity: detail.heldSecurityCount ?? 0,
    phased: detail.phasedCount ?? 0,
    rebootRequired: detail.rebootRequired,
    rebootAfterApply: detail.rebootAfterApply ?? false,
    firstError: detail.errors?.[0] ? { kind: detail.errors[0].kind, message: detail.errors[0].message } : null,
    standingError: standing,
    machineStatus: machineStatusAfter({ kind: 'reached' }),
  });
  await new MachineEventsRepository(tx).insert({
    machineId,
    eventType: 'apt.analyzed',
    severity: status === 'error' ? 'error' : status === 'warning' ? 'warning' : 'info',
    actor: { type: 'system', id: `job:${jobId}` },
    jobId,
    message: analysisSummary(detail, securityCount),
    payload: { snapshotId: id, status },
  });
  const keptBack = detail.keptBack ?? [];
  const plan = [
    ...detail.packages,
    ...(detail.installed ?? []),
    ...(detail.removed ?? []),
    ...keptBack.filter((k) => !detail.packages.some((p) => p.name === k.name)),
    ...(detail.heldPackages ?? []).filter((h) => !keptBack.some((k) => k.name === h.name)),
  ];
  await new AptPackagesRepository(tx).replaceCurrentPlanned(
    machineId,
    id,
    plan.map((p) => ({ mode: 'dist_upgrade', ...plannedFields(p) })),
  );
  return id;
}

function plannedFields(p: AptPackage) {
  const { name, arch, currentVersion, targetVersion, origin, operation, security, keptBack, held, phased, dedupKey } =
    p;
  return { name, arch, currentVersion, targetVersion, origin, operation, security, keptBack, held, phased, dedupKey };
}

function pkg(name: string, over: Partial<AptPackage> = {}): AptPackage {
  const p: AptPackage = {
    name,
    arch: 'amd64',
    currentVersion: '1.0',
    targetVersion: '1.1',
    origin: 'Debian:12/stable',
    originName: 'Debian',
    suite: 'stable',
    operation: 'upgrade',
    security: false,
    keptBack: false,
    held: false,
    phased: false,
    dedupKey: '',
    ...over,
  };
  return { ...p, dedupKey: `debian|${name}|${p.currentVersion}|${p.targetVersion}|${p.origin}` };
}

function msg(category: string, key: string, message: string, lineNo: number): AptMessage {
  return {
    category: category as AptMessage['category'],
    severity: 'warning',
    packageName: key,
    message,
    lineNo,
    dedupKey: `${category}|${key}`,
  };
}

const DETAIL: AptSnapshotDetail = {
  enabled: true,
  count: 2,
  rebootRequired: true,
  packages: [pkg('openssl', { security: true, origin: 'Debian-Security:12/stable-security' }), pkg('curl')],
  installed: [pkg('linux-image-6.1.0-30-amd64', { operation: 'install', currentVersion: null })],
  removed: [pkg('old-lib', { operation: 'remove', targetVersion: null })],
  keptBack: [pkg('nginx', { keptBack: true })],
  held: ['postgresql-15'],
  heldPackages: [pkg('postgresql-15', { held: true })],
  heldCount: 1,
  heldSecurityCount: 0,
  phasedCount: 0,
  rebootAfterApply: true,
  errors: [
    {
      source: 'apt',
      kind: 'missing_key',
      severity: 'warning',
      message: 'NO_PUBKEY 1234',
      remediation: 'Import the key.',
      importantLines: ['W: GPG error: NO_PUBKEY 1234'],
    },
    { source: 'apt', kind: 'release_expired', severity: 'warning', message: 'Release file expired' },
  ],
};

function outcome(
  machineId: string,
  jobId: string,
  detail: AptSnapshotDetail,
  status: SnapshotStatus,
  withLog: boolean,
  messages: AptMessage[],
): AnalysisOutcome {
  const snapshot: UpdateSnapshot = {
    schemaVersion: 1,
    kind: 'apt_update_analyze',
    machineId: 'the same payload on both machines',
    hostname: 'h',
    os: { family: 'debian', version: '12' },
    checkedAt: '2026-11-30T12:00:00.000Z',
    status,
    apt: detail,
    errors: detail.errors ?? [],
    rawHints: { logImportantLines: ['W: something'] },
  };
  const raw = withLog
    ? { path: `/var/lib/su/raw/${jobId}.log`, bytes: 4321, sha256: 'ab'.repeat(32), truncated: false }
    : null;
  const securityCount = detail.packages.filter((p) => p.security).length;
  return { machineId, jobId, raw, snapshot, detail, status, messages, securityCount };
}

async function machine(): Promise<string> {
  const id = randomUUID();
  await new MachinesRepository(db.prisma).create(
    { id, name: id.slice(0, 8), hostname: '127.0.0.1', port: 22, username: 'u' },
    null,
  );
  // A failed apply whose error stands on the tile until one succeeds; a notice that will be gone; an acknowledged
  // and resolved one the first analysis sees again.
  await tdb.query(
    `INSERT INTO executions (machine_id, action, mode, status, started_at, error_kind, error_message)
     VALUES ($1, 'apt_upgrade', 'dist_upgrade', 'error', now() - interval '1 hour', 'dpkg_interrupted', 'dpkg was interrupted')`,
    [id],
  );
  await tdb.query(
    `INSERT INTO important_messages (machine_id, source, category, severity, message, dedup_key, first_seen_at, last_seen_at)
     VALUES ($1, 'apt', 'held', 'info', 'libfoo is held', 'held|libfoo', now() - interval '1 day', now() - interval '1 day'),
            ($1, 'apt', 'kept_back', 'info', 'nginx kept back', 'kept_back|nginx', now() - interval '1 day', now() - interval '1 day')`,
    [id],
  );
  await tdb.query(
    `UPDATE important_messages SET acknowledged = true, acknowledged_at = now(), acknowledged_by = 'admin', resolved_at = now()
      WHERE machine_id = $1 AND dedup_key = 'kept_back|nginx'`,
    [id],
  );
  return id;
}

async function job(machineId: string): Promise<string> {
  const id = randomUUID();
  await new JobsRepository(db.prisma).insert({
    id,
    kind: 'apt.update_analyze',
    machineId,
    requestedBy: { type: 'system', id: 'test' },
    payload: {},
  });
  return id;
}

/** Every row the record touches for one machine, ids and times replaced by what they stand for. */
async function rowsOf(machineId: string) {
  const snaps = await tdb.query<{ id: string; raw_artifact_id: string | null; source_job_id: string }>(
    `SELECT id, raw_artifact_id, source_job_id FROM snapshots WHERE machine_id = $1 ORDER BY created_at, id`,
    [machineId],
  );
  const jobs = await tdb.query<{ id: string }>(`SELECT id FROM jobs WHERE machine_id = $1 ORDER BY created_at, id`, [
    machineId,
  ]);
  const names = new Map<string, string>([[machineId, 'M']]);
  snaps.forEach((s, i) => names.set(s.id, `snapshot${i}`));
  jobs.forEach((j, i) => names.set(j.id, `job${i}`));
  const raws = await tdb.query<{ id: string }>(
    `SELECT id FROM raw_artifacts WHERE machine_id = $1 ORDER BY created_at, id`,
    [machineId],
  );
  raws.forEach((r, i) => names.set(r.id, `raw${i}`));
  const named = (v: unknown): unknown =>
    JSON.parse(
      JSON.stringify(v ?? null).replace(
        /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
        (id) => names.get(id) ?? 'other',
      ),
    );
  const q = async (sql: string) => named(await tdb.query(sql, [machineId])) as Record<string, unknown>[];
  return {
    raw: await q(
      `SELECT kind, path ~ 'raw' AS path, bytes::int, sha256, redacted, metadata_json FROM raw_artifacts WHERE machine_id = $1 ORDER BY created_at, id`,
    ),
    snapshots: await q(
      `SELECT id, kind, schema_version, status, payload, important_json, raw_artifact_id, source_job_id FROM snapshots WHERE machine_id = $1 ORDER BY created_at, id`,
    ),
    errors: await q(
      `SELECT snapshot_id, execution_id, kind, severity, message, remediation, important_lines_json FROM apt_errors WHERE machine_id = $1 ORDER BY created_at, kind`,
    ),
    messages:
      await q(`SELECT source, category, severity, package_name, component, message, dedup_key, raw_line_ref, snapshot_id, execution_id,
                              last_seen_at > now() - interval '1 hour' AS seen_now, acknowledged, acknowledged_at IS NOT NULL AS acked_at,
                              acknowledged_by, resolved_at IS NOT NULL AS resolved, payload
                         FROM important_messages WHERE machine_id = $1 ORDER BY dedup_key`),
    state:
      await q(`SELECT status, apt_status, apt_updates_count, apt_security_count, apt_held_count, apt_held_security_count,
                           apt_reboot_required, apt_phased_count, apt_reboot_after_apply, apt_last_analyze_at IS NOT NULL AS analyzed,
                           last_error_kind, last_error_message FROM machine_state WHERE machine_id = $1`),
    events:
      await q(`SELECT event_type, severity, actor_type, actor_id, snapshot_id, execution_id, job_id, message, payload
                       FROM machine_events WHERE machine_id = $1 ORDER BY created_at, id`),
    plan: await q(`SELECT snapshot_id, mode, name, arch, current_version, target_version, origin, operation, security, kept_back,
                          held, phased, dedup_key, is_current FROM apt_planned_packages p WHERE machine_id = $1
                   ORDER BY (SELECT s.created_at FROM snapshots s WHERE s.id = p.snapshot_id), name, operation`),
    pending:
      await q(`SELECT dedup_key, held, security, name, current_version, target_version, origin FROM pending_update_members
                       WHERE machine_id = $1 ORDER BY dedup_key, held`),
    live: await q(
      `SELECT type, count(*)::int AS n FROM live_events WHERE machine_id = $1 AND type <> 'job.status' GROUP BY type ORDER BY type`,
    ),
  };
}

/** Each round: the old way on one machine, the new way on the other, and the same rows on both. */
async function round(
  a: string,
  b: string,
  detail: AptSnapshotDetail,
  status: SnapshotStatus,
  withLog: boolean,
  messages: AptMessage[],
) {
  await db.transaction(async (tx) => oldRecord(tx, outcome(a, await job(a), detail, status, withLog, messages)));
  const repo = new AptAnalysisRepository(db);
  const { lastApply } = await repo.startingPoint(b, PACKAGE_CHANGING_ACTIONS);
  await repo.record(analysisRecordRows(outcome(b, await job(b), detail, status, withLog, messages), lastApply));
  const [old, now] = [await rowsOf(a), await rowsOf(b)];
  expect(now).toEqual(old);
  return now;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = Database.connect({ url: tdb.url });
});

afterAll(async () => {
  await db.close();
  await tdb.drop();
});

describe('the analysis record in one statement', () => {
  it('writes what the Prisma transaction wrote: errors, messages that reopen and resolve, an unchanged plan', async () => {
    const [a, b] = [await machine(), await machine()];
    // First analysis: a warning with two errors, a kept-back notice seen again, a new held notice seen twice, a
    // notice of no state category; the seeded held notice is gone.
    const first = [
      msg('kept_back', 'nginx', 'nginx kept back', 3),
      msg('held', 'postgresql-15', 'postgresql-15 is held', 5),
      msg('held', 'postgresql-15', 'postgresql-15 is held (again)', 9),
      msg('notice', 'mirror', 'mirror is slow', 12),
    ];
    const r1 = await round(a, b, DETAIL, 'warning', true, first);
    expect(r1.errors).toHaveLength(2);
    expect(r1.messages).toEqual([
      expect.objectContaining({ dedup_key: 'held|libfoo', resolved: true, seen_now: false }),
      expect.objectContaining({
        dedup_key: 'held|postgresql-15',
        message: 'postgresql-15 is held (again)',
        raw_line_ref: 'raw0#5',
        resolved: false,
      }),
      expect.objectContaining({
        dedup_key: 'kept_back|nginx',
        acknowledged: false,
        acked_at: false,
        resolved: false,
        seen_now: true,
      }),
      expect.objectContaining({ dedup_key: 'notice|mirror', resolved: false }),
    ]);
    expect(r1.state).toEqual([
      expect.objectContaining({ last_error_kind: 'dpkg_interrupted', apt_updates_count: 2, apt_security_count: 1 }),
    ]);
    expect(r1.plan).toHaveLength(6);
    expect(r1.pending.length).toBeGreaterThan(0);
    expect(r1.live).toContainEqual({ type: 'machine.state', n: expect.any(Number) });

    // Second analysis, the plan unchanged, no raw log, an error status: the held and kept-back notices it no longer
    // sees are resolved, the other stays open; the tile shows the analysis' own first error.
    const r2 = await round(a, b, DETAIL, 'error', false, [msg('notice', 'mirror', 'mirror is slow', 2)]);
    expect(r2.plan.filter((p) => p.is_current)).toHaveLength(6);
    expect(r2.messages).toEqual([
      expect.objectContaining({ dedup_key: 'held|libfoo', resolved: true }),
      expect.objectContaining({ dedup_key: 'held|postgresql-15', resolved: true }),
      expect.objectContaining({ dedup_key: 'kept_back|nginx', resolved: true }),
      expect.objectContaining({
        dedup_key: 'notice|mirror',
        resolved: false,
        raw_line_ref: 'raw0#12',
        snapshot_id: 'snapshot0',
      }),
    ]);
    expect(r2.state).toEqual([expect.objectContaining({ apt_status: 'error', last_error_kind: 'missing_key' })]);
    expect(r2.pending).toEqual(r1.pending);

    // An analysis with nothing to report: no errors, no messages, an empty plan; the standing apply error shows.
    const clean: AptSnapshotDetail = { enabled: true, count: 0, rebootRequired: false, packages: [] };
    const r3 = await round(a, b, clean, 'ok', true, []);
    expect(r3.pending).toEqual([]);
    expect(r3.state).toEqual([expect.objectContaining({ apt_status: 'ok', last_error_kind: 'dpkg_interrupted' })]);
  });

  it('leaves nothing half-written when the statement fails', async () => {
    const m = await machine();
    const repo = new AptAnalysisRepository(db);
    await repo.record(
      analysisRecordRows(outcome(m, await job(m), DETAIL, 'warning', true, [msg('held', 'x', 'x is held', 1)]), null),
    );
    const before = await rowsOf(m);
    const rows = analysisRecordRows(
      outcome(m, await job(m), { ...DETAIL, packages: [pkg('zlib')] }, 'ok', true, [
        msg('kept_back', 'y', 'y kept back', 2),
      ]),
      null,
    );
    // The last error breaks a NOT NULL column: the statement fails after the raw log, snapshot and messages parts.
    const broken = { ...rows, errors: [...rows.errors, { ...rows.errors[0]!, message: null as unknown as string }] };
    await expect(repo.record(broken)).rejects.toThrow(/null value/);
    expect(await rowsOf(m)).toEqual(before);
  });

  it('fires the plan’s triggers (the pending-update groups’ locks) after every other part’s', async () => {
    const m = await machine();
    await tdb.query(`CREATE TABLE trigger_order (n BIGSERIAL, tbl TEXT, op TEXT)`);
    await tdb.query(`CREATE FUNCTION log_trigger_order() RETURNS TRIGGER AS $$
                     BEGIN INSERT INTO trigger_order (tbl, op) VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END;
                     $$ LANGUAGE plpgsql`);
    for (const t of [
      'machine_state',
      'machine_events',
      'snapshots',
      'apt_errors',
      'important_messages',
      'apt_planned_packages',
    ])
      await tdb.query(
        `CREATE TRIGGER zz_order AFTER INSERT OR UPDATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION log_trigger_order()`,
      );
    try {
      const rows = analysisRecordRows(
        outcome(m, await job(m), DETAIL, 'warning', true, [msg('held', 'x', 'x is held', 1)]),
        null,
      );
      await new AptAnalysisRepository(db).record(rows);
      const order = await tdb.query<{ tbl: string; op: string }>(`SELECT tbl, op FROM trigger_order ORDER BY n`);
      const firstPlan = order.findIndex((o) => o.tbl === 'apt_planned_packages');
      expect(firstPlan).toBeGreaterThan(0);
      expect(order.slice(firstPlan).every((o) => o.tbl === 'apt_planned_packages')).toBe(true);
      expect(new Set(order.slice(0, firstPlan).map((o) => o.tbl))).toEqual(
        new Set(['machine_state', 'machine_events', 'snapshots', 'apt_errors', 'important_messages']),
      );
    } finally {
      for (const t of [
        'machine_state',
        'machine_events',
        'snapshots',
        'apt_errors',
        'important_messages',
        'apt_planned_packages',
      ])
        await tdb.query(`DROP TRIGGER zz_order ON ${t}`);
    }
  });
});
