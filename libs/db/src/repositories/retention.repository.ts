import type { DbClient } from '../database.ts';

/** The rows a clean-up pass selects (ids), with the files they own and the rows' own size. */
export interface RetentionSelection {
  executions: string[];
  snapshots: string[];
  reports: { id: string; path: string }[];
  rawArtifacts: { id: string; path: string; bytes: number | null }[];
  machineEvents: number;
  auditRows: number;
  liveEvents: number;
  /** host_metrics rows that go: samples folded into hourly rows, and hourly rows past their age (ADR 0044). */
  hostMetrics: number;
  /** Web terminal rows that go (ADR 0043): closed sessions past their age, input lines past theirs or of a going session. */
  terminalSessions: number;
  terminalCommands: number;
  rowBytes: number;
}

export interface RetentionCutoffs {
  keepLast: number;
  historyBefore: Date;
  rawBefore: Date;
  reportsBefore: Date;
  eventsBefore: Date;
  auditBefore: Date;
  liveBefore: Date;
  hostMetricsRawBefore: Date;
  hostMetricsHourlyBefore: Date;
  terminalSessionsBefore: Date;
  terminalCommandsBefore: Date;
}

/**
 * The clean-up's queries (ADR 0035). Selection first, in the transaction that deletes: executions and snapshots past
 * both rules, then reports and raw logs that no kept row references. A snapshot an approval is bound to, or that
 * the tiles' hardware and metrics point at, is never selected.
 */
export class RetentionRepository {
  constructor(private readonly db: DbClient) {}

  async executions(c: RetentionCutoffs): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM (
        SELECT e.id, e.started_at, row_number() OVER (PARTITION BY e.machine_id ORDER BY e.started_at DESC) AS rn
        FROM executions e WHERE e.status <> 'running') x
      WHERE x.rn > ${c.keepLast} AND x.started_at < ${c.historyBefore}
        AND NOT EXISTS (SELECT 1 FROM action_requests r WHERE r.execution_id = x.id)`;
    return rows.map((r) => r.id);
  }

  async snapshots(c: RetentionCutoffs): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      SELECT id::text FROM (
        SELECT s.id, s.created_at,
               row_number() OVER (PARTITION BY s.machine_id, s.kind ORDER BY s.created_at DESC) AS rn
        FROM snapshots s) x
      WHERE x.rn > ${c.keepLast} AND x.created_at < ${c.historyBefore}
        AND NOT EXISTS (SELECT 1 FROM action_requests r WHERE r.snapshot_id = x.id)
        AND NOT EXISTS (SELECT 1 FROM machine_hardware h WHERE h.probe_snapshot_id = x.id)
        AND NOT EXISTS (SELECT 1 FROM machine_metrics_latest m WHERE m.snapshot_id = x.id)`;
    return rows.map((r) => r.id);
  }

  /** Old, unpinned reports that no execution outside `goingExecutions` points at. */
  async reports(before: Date, goingExecutions: string[]): Promise<{ id: string; path: string }[]> {
    return this.db.$queryRaw<{ id: string; path: string }[]>`
      SELECT r.id::text, r.path FROM reports r
      WHERE r.created_at < ${before} AND NOT r.pinned
        AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.report_id = r.id AND NOT (e.id::text = ANY(${goingExecutions})))`;
  }

  /** Old (or expired), unpinned raw logs that no kept execution or snapshot points at. */
  async rawArtifacts(
    before: Date,
    going: { executions: string[]; snapshots: string[] },
  ): Promise<{ id: string; path: string; bytes: number | null }[]> {
    return this.db.$queryRaw<{ id: string; path: string; bytes: number | null }[]>`
      SELECT a.id::text, a.path, a.bytes::float8 AS bytes FROM raw_artifacts a
      WHERE (a.created_at < ${before} OR a.expires_at < now()) AND NOT a.pinned
        AND NOT EXISTS (SELECT 1 FROM executions e
                        WHERE e.raw_artifact_id = a.id AND NOT (e.id::text = ANY(${going.executions})))
        AND NOT EXISTS (SELECT 1 FROM snapshots s
                        WHERE s.raw_artifact_id = a.id AND NOT (s.id::text = ANY(${going.snapshots})))`;
  }

  /** Counts of the age-only categories. */
  async ageCounts(c: RetentionCutoffs): Promise<{ machineEvents: number; auditRows: number; liveEvents: number }> {
    const [r] = await this.db.$queryRaw<{ machineEvents: number; auditRows: number; liveEvents: number }[]>`
      SELECT (SELECT count(*)::int FROM machine_events WHERE machine_id IS NOT NULL AND created_at < ${c.eventsBefore})
               AS "machineEvents",
             (SELECT count(*)::int FROM machine_events WHERE machine_id IS NULL AND created_at < ${c.auditBefore})
               + (SELECT count(*)::int FROM mcp_audit_log WHERE created_at < ${c.auditBefore}) AS "auditRows",
             (SELECT count(*)::int FROM live_events WHERE created_at < ${c.liveBefore}) AS "liveEvents"`;
    return r ?? { machineEvents: 0, auditRows: 0, liveEvents: 0 };
  }

  /** The selected rows' own size in the database (pg_column_size of each row). */
  async rowBytes(
    s: Omit<RetentionSelection, 'rowBytes' | 'hostMetrics' | 'terminalSessions' | 'terminalCommands'>,
    c: RetentionCutoffs,
  ): Promise<number> {
    const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
    const [r] = await this.db.$queryRaw<{ bytes: number }[]>`
      SELECT (
        coalesce((SELECT sum(pg_column_size(e.*)) FROM executions e WHERE e.id::text = ANY(${s.executions})), 0)
        + coalesce((SELECT sum(pg_column_size(x.*)) FROM snapshots x WHERE x.id::text = ANY(${s.snapshots})), 0)
        + coalesce((SELECT sum(pg_column_size(x.*)) FROM reports x WHERE x.id::text = ANY(${ids(s.reports)})), 0)
        + coalesce((SELECT sum(pg_column_size(x.*)) FROM raw_artifacts x WHERE x.id::text = ANY(${ids(s.rawArtifacts)})), 0)
        + coalesce((SELECT sum(pg_column_size(x.*)) FROM machine_events x
                    WHERE (x.machine_id IS NOT NULL AND x.created_at < ${c.eventsBefore})
                       OR (x.machine_id IS NULL AND x.created_at < ${c.auditBefore})), 0)
        + coalesce((SELECT sum(pg_column_size(x.*)) FROM mcp_audit_log x WHERE x.created_at < ${c.auditBefore}), 0)
        + coalesce((SELECT sum(pg_column_size(x.*)) FROM live_events x WHERE x.created_at < ${c.liveBefore}), 0)
      )::float8 AS bytes`;
    return r?.bytes ?? 0;
  }

  /** Deletes the selection; children that cascade (apt packages, important messages' links) go with them. */
  async deleteSelection(s: RetentionSelection, c: RetentionCutoffs): Promise<void> {
    const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
    await this.db.$executeRaw`DELETE FROM executions WHERE id::text = ANY(${s.executions})`;
    await this.db.$executeRaw`DELETE FROM snapshots WHERE id::text = ANY(${s.snapshots})`;
    await this.db.$executeRaw`DELETE FROM reports WHERE id::text = ANY(${ids(s.reports)})`;
    await this.db.$executeRaw`DELETE FROM raw_artifacts WHERE id::text = ANY(${ids(s.rawArtifacts)})`;
    await this.db.$executeRaw`DELETE FROM machine_events
      WHERE (machine_id IS NOT NULL AND created_at < ${c.eventsBefore}) OR (machine_id IS NULL AND created_at < ${c.auditBefore})`;
    await this.db.$executeRaw`DELETE FROM mcp_audit_log WHERE created_at < ${c.auditBefore}`;
    await this.db.$executeRaw`DELETE FROM live_events WHERE created_at < ${c.liveBefore}`;
  }

  async insertRun(r: { mode: string; trigger: string }): Promise<string> {
    return (await this.db.cleanupRun.create({ data: { ...r, status: 'running' }, select: { id: true } })).id;
  }

  async finishRun(
    id: string,
    r: { status: string; counts: Record<string, number>; bytes: number; result: Record<string, unknown> },
  ): Promise<void> {
    await this.db.cleanupRun.update({
      where: { id },
      data: {
        status: r.status,
        finishedAt: new Date(),
        deletedCountsJson: r.counts,
        bytesReclaimed: BigInt(Math.round(r.bytes)),
        resultJson: r.result as object,
      },
    });
  }

  async lastScheduledStart(): Promise<Date | null> {
    const r = await this.db.cleanupRun.findFirst({
      where: { trigger: 'scheduled' },
      orderBy: { startedAt: 'desc' },
      select: { startedAt: true },
    });
    return r?.startedAt ?? null;
  }

  async runs(limit: number) {
    return this.db.cleanupRun.findMany({ orderBy: { startedAt: 'desc' }, take: limit });
  }
}
