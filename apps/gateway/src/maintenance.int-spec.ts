import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@su/config';
import { CleanupService } from '@su/maintenance';
import { SchedulerModule, startSchedulerServices } from '@su/scheduler';
import { CapturingLogger, gatewayPerFile } from './test/gateway.harness.ts';

// Retention and clean-up runs, and system metrics (issue 16, ADR 0035), on a database seeded with a year of history
// for two machines: a dry run, an apply that deletes exactly what the dry run said (rows and files), a second dry run
// that finds nothing; then the scheduler's daily run and its system-metrics samples at a 1-second interval.

const t = gatewayPerFile();
const DAY = 86_400_000;
const DAYS = 365;
let scheduler: INestApplicationContext | undefined;

afterAll(async () => {
  await scheduler?.close();
});

interface Seeded {
  files: { path: string; day: number; pinned: boolean }[];
  pinnedArtifact: string;
  boundSnapshot: string;
}

/** One execution (with its raw log), one analysis snapshot and one timeline event per machine and day; a report a week. */
async function seedYear(machineIds: string[]): Promise<Seeded> {
  const now = Date.now();
  const files: Seeded['files'] = [];
  const ex: unknown[][] = [[], [], [], [], []];
  const raw: unknown[][] = [[], [], [], [], []];
  const rep: unknown[][] = [[], [], [], []];
  for (const m of machineIds) {
    const dir = join(t.gw.dataDir, 'artifacts', 'raw', m);
    mkdirSync(dir, { recursive: true });
    mkdirSync(join(t.gw.dataDir, 'reports', m), { recursive: true });
    for (let d = 0; d < DAYS; d++) {
      // An hour past the day, so no row sits on a cut-off.
      const at = new Date(now - d * DAY - 3_600_000).toISOString();
      const [exId, rawId] = [randomUUID(), randomUUID()];
      const rawPath = join(dir, `${rawId}.log`);
      writeFileSync(rawPath, 'x'.repeat(1000));
      files.push({ path: rawPath, day: d, pinned: false });
      raw.forEach((col, i) => col.push([rawId, m, rawPath, at, false][i]));
      let reportId: string | null = null;
      if (d % 7 === 0) {
        reportId = randomUUID();
        const reportPath = join(t.gw.dataDir, 'reports', m, `${exId}.md`);
        writeFileSync(reportPath, '# report\n'.repeat(50));
        files.push({ path: reportPath, day: d, pinned: false });
        rep.forEach((col, i) => col.push([reportId, m, reportPath, at][i]));
      }
      ex.forEach((col, i) => col.push([exId, m, at, rawId, reportId][i]));
    }
  }
  await t.db.query(
    `INSERT INTO raw_artifacts (id, machine_id, kind, path, bytes, created_at, pinned)
     SELECT a, b, 'raw_log', c, 1000, d::timestamptz, e FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::bool[]) AS x(a, b, c, d, e)`,
    raw,
  );
  await t.db.query(
    `INSERT INTO reports (id, machine_id, kind, title, path, created_at)
     SELECT a, b, 'apt_apply', 'report', c, d::timestamptz FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS x(a, b, c, d)`,
    rep,
  );
  await t.db.query(
    `INSERT INTO executions (id, machine_id, action, mode, started_at, finished_at, status, raw_artifact_id, report_id)
     SELECT a, b, 'apt_upgrade', 'apply', c::timestamptz, c::timestamptz, 'ok', d, e
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[]) AS x(a, b, c, d, e)`,
    ex,
  );
  await t.db.query(
    `INSERT INTO snapshots (machine_id, kind, created_at, status, payload)
     SELECT m, 'apt_update_analyze', now() - (d || ' days')::interval - interval '1 hour', 'ok', '{}'::jsonb
     FROM unnest($1::uuid[]) m, generate_series(0, ${DAYS - 1}) d`,
    [machineIds],
  );
  await t.db.query(
    `INSERT INTO machine_events (machine_id, event_type, created_at, message)
     SELECT m, 'apt.analyzed', now() - (d || ' days')::interval - interval '1 hour', 'seeded'
     FROM unnest($1::uuid[]) m, generate_series(0, ${DAYS - 1}) d`,
    [machineIds],
  );
  await t.db.query(
    `INSERT INTO machine_events (machine_id, event_type, created_at, message)
     SELECT NULL, 'user.login', now() - (d || ' days')::interval - interval '1 hour', 'seeded audit'
     FROM generate_series(0, 2 * ${DAYS} - 1) d`,
  );
  await t.db.query(
    `INSERT INTO live_events (type, created_at, payload)
     SELECT 'job.status', now() - (h || ' hours')::interval - interval '30 minutes', '{}'::jsonb FROM generate_series(0, 24 * 14) h`,
  );
  // Two years of web terminal sessions on the first machine, one a day, closed, two logged lines each; and a session
  // still open since long ago (its gateway alive: heartbeat fresh), with one old line.
  await t.db.query(
    `WITH s AS (
       INSERT INTO ssh_terminal_sessions (machine_id, opened_by_type, opened_by_id, opened_by_label, ssh_username,
         status, end_reason, input_logging, opened_at, closed_at, duration_ms)
       SELECT $1::uuid, 'user', 'u', 'admin', 'admin', 'closed', 'user_closed', true, at, at + interval '10 minutes', 600000
       FROM (SELECT now() - (d || ' days')::interval - interval '1 hour' AS at FROM generate_series(0, 2 * ${DAYS} - 1) d) x
       RETURNING id, opened_at)
     INSERT INTO ssh_terminal_commands (session_id, seq, line, entered_at)
     SELECT s.id, n, 'uptime', s.opened_at + interval '1 minute' FROM s, generate_series(1, 2) n`,
    [machineIds[0]],
  );
  await t.db.query(
    `WITH s AS (
       INSERT INTO ssh_terminal_sessions (machine_id, opened_by_type, opened_by_id, opened_by_label, ssh_username,
         input_logging, opened_at, heartbeat_at)
       VALUES ($1::uuid, 'user', 'u', 'admin', 'admin', true, now() - interval '400 days', now() + interval '1 hour')
       RETURNING id, opened_at)
     INSERT INTO ssh_terminal_commands (session_id, seq, line, entered_at) SELECT id, 1, 'top', opened_at FROM s`,
    [machineIds[0]],
  );
  // A raw log pinned by a person (kept whatever its age), and an old snapshot an approval is bound to.
  const [pinned] = await t.db.query(
    `UPDATE raw_artifacts SET pinned = true WHERE id = (SELECT raw_artifact_id FROM executions
       WHERE machine_id = $1 ORDER BY started_at LIMIT 1) RETURNING id, path`,
    [machineIds[0]],
  );
  files.find((f) => f.path === pinned.path)!.pinned = true;
  await t.db.query(`UPDATE executions SET raw_artifact_id = NULL WHERE raw_artifact_id = $1`, [pinned.id]);
  const [bound] = await t.db.query(
    `SELECT id FROM snapshots WHERE machine_id = $1 ORDER BY created_at LIMIT 1`,
    [machineIds[1]],
  );
  await t.db.query(
    `INSERT INTO action_requests (machine_id, requested_by_type, action, status, snapshot_id)
     VALUES ($1, 'user', 'apt_upgrade', 'rejected', $2)`,
    [machineIds[1], bound.id],
  );
  return { files, pinnedArtifact: pinned.id, boundSnapshot: bound.id };
}

const tableCounts = async () =>
  (
    await t.db.query(`SELECT
      (SELECT count(*)::int FROM executions) AS executions, (SELECT count(*)::int FROM snapshots) AS snapshots,
      (SELECT count(*)::int FROM reports) AS reports, (SELECT count(*)::int FROM raw_artifacts) AS "rawArtifacts",
      (SELECT count(*)::int FROM machine_events WHERE machine_id IS NOT NULL) AS "machineEvents",
      (SELECT count(*)::int FROM machine_events WHERE machine_id IS NULL)
        + (SELECT count(*)::int FROM mcp_audit_log) AS "auditRows",
      (SELECT count(*)::int FROM live_events) AS "liveEvents",
      (SELECT count(*)::int FROM host_metrics) AS "hostMetrics",
      (SELECT count(*)::int FROM ssh_terminal_sessions) AS "terminalSessions",
      (SELECT count(*)::int FROM ssh_terminal_commands) AS "terminalCommands"`)
  )[0] as Record<string, number>;

describe('retention and clean-up', () => {
  let seeded: Seeded;
  let machineIds: string[];

  it('a dry run reports counts and bytes; the apply deletes exactly those, rows and files; a second finds nothing', async () => {
    machineIds = [];
    for (const name of ['keep-a', 'keep-b']) {
      const r = await t.gw.api('POST', '/api/v1/machines', { body: { name, hostname: '127.0.0.1', port: 1, username: 'u' } });
      expect(r.status, r.text).toBe(201);
      machineIds.push(r.body.id);
    }
    seeded = await seedYear(machineIds);
    const before = await tableCounts();

    const dry = await t.gw.api('POST', '/api/v1/maintenance/cleanup', { body: { mode: 'dry_run' } });
    expect(dry.status, dry.text).toBe(201);
    expect(dry.body.error).toBeNull();
    expect(dry.body).toMatchObject({ mode: 'dry_run', status: 'ok', trigger: 'manual' });
    // Defaults: history kept 90 days (or the last 20), raw logs 30 days unless a kept execution points at them.
    // Days 90..364 of two machines, less the snapshot an approval is bound to.
    expect(dry.body.counts.executions).toBe(2 * (DAYS - 90));
    expect(dry.body.counts.snapshots).toBe(2 * (DAYS - 90) - 1);
    expect(dry.body.counts.rawArtifacts).toBe(2 * (DAYS - 90) - 1); // the pinned one stays
    expect(dry.body.counts.reports).toBe(2 * seeded.files.filter((f) => f.day >= 90 && f.path.endsWith('.md')).length / 2);
    expect(dry.body.counts.machineEvents).toBe(2 * (DAYS - 180));
    expect(dry.body.counts.auditRows).toBe(2 * DAYS - 365);
    expect(dry.body.counts.liveEvents).toBe(24 * 14 + 1 - 168);
    // Terminal: closed sessions past a year go with their lines; lines past 90 days go (the open session's too).
    expect(dry.body.counts.terminalSessions).toBe(2 * DAYS - 365);
    expect(dry.body.counts.terminalCommands).toBe(2 * (2 * DAYS - 90) + 1);
    const goingFiles = seeded.files.filter((f) => f.day >= 90 && !f.pinned);
    const expectedFileBytes = goingFiles.reduce((a, f) => a + (f.path.endsWith('.md') ? 450 : 1000), 0);
    expect(dry.body.bytes.files).toBe(expectedFileBytes);
    expect(dry.body.bytes.rows).toBeGreaterThan(0);
    expect(await tableCounts()).toEqual(before);
    expect(seeded.files.every((f) => existsSync(f.path))).toBe(true);

    const apply = await t.gw.api('POST', '/api/v1/maintenance/cleanup', { body: { mode: 'apply' } });
    expect(apply.body.status).toBe('ok');
    expect(apply.body.counts).toEqual(dry.body.counts);
    expect(apply.body.bytes.files).toBe(dry.body.bytes.files);
    const after = await tableCounts();
    for (const [k, n] of Object.entries(dry.body.counts)) expect(before[k]! - after[k]!, k).toBe(n);
    for (const f of seeded.files) expect(existsSync(f.path), `${f.path} (day ${f.day})`).toBe(f.day < 90 || f.pinned);

    // What the rules keep: everything younger than 90 days, the pinned log, the bound snapshot, the open session.
    const kept = await t.db.query(
      `SELECT (SELECT count(*)::int FROM executions WHERE started_at > now() - interval '90 days') AS young,
              (SELECT count(*)::int FROM raw_artifacts WHERE id = $1) AS pinned,
              (SELECT count(*)::int FROM snapshots WHERE id = $2) AS bound,
              (SELECT count(*)::int FROM ssh_terminal_sessions WHERE status = 'open') AS "openSession",
              (SELECT count(*)::int FROM ssh_terminal_commands) AS "youngLines"`,
      [seeded.pinnedArtifact, seeded.boundSnapshot],
    );
    expect(kept[0]).toEqual({ young: 2 * 90, pinned: 1, bound: 1, openSession: 1, youngLines: 2 * 90 });

    const again = await t.gw.api('POST', '/api/v1/maintenance/cleanup', { body: { mode: 'dry_run' } });
    expect(Object.values(again.body.counts).every((n) => n === 0)).toBe(true);
    expect(again.body.bytes.files).toBe(0);
    console.log(
      `[cleanup] a year of 2 machines: ${JSON.stringify(apply.body.counts)}, files ${apply.body.bytes.files} B, rows ${apply.body.bytes.rows} B`,
    );
  }, 120_000);

  it('the scheduler runs the clean-up as its daily task and samples system metrics at its interval', async () => {
    const env = {
      DATABASE_URL: t.db.url,
      SU_DATA_DIR: t.gw.dataDir,
      SU_LEADER_RETRY_SECONDS: '0.2',
      SU_CLEANUP_INTERVAL_HOURS: '24',
      SU_SYSTEM_METRICS_SECONDS: '1',
    };
    const config = loadConfig(env);
    scheduler = await NestFactory.createApplicationContext(
      SchedulerModule.forRoot({ service: 'scheduler', config, databaseUrl: t.db.url }),
      { logger: new CapturingLogger() },
    );
    await startSchedulerServices(scheduler, config);
    const deadline = Date.now() + 60_000;
    let runs: any[] = [];
    let samples: any[] = [];
    while (Date.now() < deadline && (runs.length === 0 || samples.length < 4)) {
      await new Promise((r) => setTimeout(r, 250));
      runs = (await t.gw.api('GET', '/api/v1/maintenance/cleanup/runs')).body.filter((r: any) => r.trigger === 'scheduled');
      samples = (await t.gw.api('GET', '/api/v1/maintenance/system-metrics')).body;
    }
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ mode: 'apply', status: 'ok' });
    expect(Object.values(runs[0].counts).every((n) => n === 0)).toBe(true);

    expect(samples.length).toBeGreaterThanOrEqual(4);
    const times = samples.map((s) => Date.parse(s.createdAt)).sort();
    const gaps = times.slice(1).map((x, i) => x - times[i]!);
    // One sample per tick: distinct instants (the gaps are logged, not asserted: a loaded machine stretches them).
    for (const g of gaps) expect(g).toBeGreaterThan(0);
    const s = samples[0];
    expect(s.machinesCount).toBe(2);
    expect(s.jobsRunning).toBe(0);
    expect(s.dbBytes).toBeGreaterThan(1_000_000);
    expect(s.dataDirBytes).toBeGreaterThan(0);
    expect(s.memoryRssBytes).toBeGreaterThan(10_000_000);
    expect(s.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(s.services.map((x: any) => x.service)).toContain('scheduler');
    console.log(`[system-metrics] ${samples.length} samples, gaps ${gaps.join(', ')} ms; latest ${JSON.stringify(s)}`);

    // Only one daily run, however often the task is checked.
    await scheduler.get(CleanupService).runIfDue(24 * 3_600_000);
    const after = (await t.gw.api('GET', '/api/v1/maintenance/cleanup/runs')).body.filter((r: any) => r.trigger === 'scheduled');
    expect(after).toHaveLength(1);
  }, 90_000);

  it('the terminal rules are part of the retention settings: a PUT without them keeps them, a bad one names its field', async () => {
    const ret = await t.gw.api('GET', '/api/v1/maintenance/retention');
    expect(ret.body.terminal).toEqual({ sessionsDays: 365, commandsDays: 90 });
    const put = await t.gw.api('PUT', '/api/v1/maintenance/retention', {
      body: { ...ret.body, terminal: { sessionsDays: 30, commandsDays: 7 } },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.body.terminal).toEqual({ sessionsDays: 30, commandsDays: 7 });
    const { terminal: _t, ...without } = put.body;
    const kept = await t.gw.api('PUT', '/api/v1/maintenance/retention', { body: without });
    expect(kept.body.terminal).toEqual({ sessionsDays: 30, commandsDays: 7 });
    // The shorter rule applies at the next pass: lines older than 7 days go.
    const dry = await t.gw.api('POST', '/api/v1/maintenance/cleanup', { body: { mode: 'dry_run' } });
    expect(dry.body.counts.terminalCommands).toBe(2 * (90 - 7));
    expect(dry.body.counts.terminalSessions).toBe(365 - 30);
    const bad = await t.gw.api('PUT', '/api/v1/maintenance/retention', {
      body: { ...ret.body, terminal: { sessionsDays: 0, commandsDays: 7 } },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain('sessionsDays');
    await t.gw.api('PUT', '/api/v1/maintenance/retention', { body: ret.body });
  });
});
