import { randomUUID } from 'node:crypto';
import type { AptProxyMode, AptProxySetting } from '@su/contracts';
import type { Database } from '../database.ts';
import type { PlannedRow } from './apt-packages.repository.ts';
import { UNFINISHED_APPLY } from './executions.repository.ts';
import type { RawLogFile } from './raw-artifacts.repository.ts';

/** What an analysis reads before it runs: the machine's APT settings, its unfinished applies, its latest apply. */
export interface AnalysisStartingPoint {
  proxy: AptProxySetting;
  osFamily: string;
  /** Applies that never finished, with the before-state each kept (oldest first). */
  unfinished: { id: string; beforeState: unknown }[];
  /** The latest finished apply (or repair) among `actions`: its failure stays on the tile until one succeeds. */
  lastApply: { status: string; errorKind: string | null; errorMessage: string | null } | null;
}

export interface AnalysisErrorRow {
  kind: string;
  severity: string;
  message: string;
  remediation: string | null;
  importantLines: string[];
}

export interface AnalysisMessageRow {
  category: string;
  severity: string;
  message: string;
  dedupKey: string;
  packageName: string | null;
  /** 1-based line in the raw log: the message links to it when the log was kept. */
  lineNo: number;
}

/** The tile's APT columns as the analysis leaves them (the error shown is decided by the caller). */
export interface AnalysisTileRow {
  status: string;
  updates: number;
  security: number;
  held: number;
  heldSecurity: number;
  phased: number;
  rebootRequired: boolean;
  rebootAfterApply: boolean;
  machineStatus: string;
  shownError: { kind: string; message: string | null } | null;
}

/** Everything one analysis writes down, decided by its handler. */
export interface AnalysisRecordRows {
  machineId: string;
  jobId: string;
  raw: RawLogFile | null;
  snapshot: { status: string; payload: object; important: object };
  errors: AnalysisErrorRow[];
  messages: AnalysisMessageRow[];
  /** Open messages of these categories whose key this analysis did not see are resolved. */
  resolveCategories: readonly string[];
  tile: AnalysisTileRow;
  event: { severity: string; message: string };
  plan: PlannedRow[];
}

/**
 * The APT analysis' database work in two statements on the pool (ADR 0057): one read before the machine is asked,
 * one write once it answered. A pass analyses every machine: the Prisma transaction of 12–15 round trips this
 * replaces was most of the worker's database cost per analysis, which is paid per statement (ADR 0049, 0054).
 */
export class AptAnalysisRepository {
  constructor(private readonly db: Database) {}

  async startingPoint(machineId: string, applyActions: readonly string[]): Promise<AnalysisStartingPoint> {
    const { rows } = await this.db.pool.query<{
      apt_proxy_mode: string | null;
      apt_proxy_url: string | null;
      os_family: string | null;
      unfinished: { id: string; beforeState: unknown }[];
      last_apply: AnalysisStartingPoint['lastApply'];
    }>({
      name: 'su_analysis_starting_point',
      text: `SELECT m.apt_proxy_mode, m.apt_proxy_url, m.os_family,
              (SELECT coalesce(jsonb_agg(jsonb_build_object('id', e.id, 'beforeState', e.result -> 'beforeState')
                                         ORDER BY e.started_at), '[]')
                 FROM executions e
                WHERE e.machine_id = x.id AND ${UNFINISHED_APPLY}) AS unfinished,
              (SELECT jsonb_build_object('status', a.status, 'errorKind', a.error_kind, 'errorMessage', a.error_message)
                 FROM executions a
                WHERE a.machine_id = x.id AND a.status <> 'running' AND a.action = ANY($2::text[])
                ORDER BY a.started_at DESC LIMIT 1) AS last_apply
         FROM (SELECT $1::uuid AS id) x LEFT JOIN machines m ON m.id = x.id`,
      values: [machineId, [...applyActions]],
    });
    const r = rows[0];
    return {
      proxy: r?.apt_proxy_mode
        ? { mode: r.apt_proxy_mode as AptProxyMode, url: r.apt_proxy_url }
        : { mode: 'direct', url: null },
      osFamily: r?.os_family && r.os_family !== 'unknown' ? r.os_family : 'debian',
      unfinished: r?.unfinished ?? [],
      lastApply: r?.last_apply ?? null,
    };
  }

  /**
   * The snapshot with its raw log, errors and messages, the tile, the event and the plan, in one statement (one
   * implicit transaction: all or nothing), the plan last. Returns the snapshot's id.
   */
  async record(r: AnalysisRecordRows): Promise<string> {
    const snapshotId = randomUUID();
    const rawId = r.raw ? randomUUID() : null;
    await this.db.pool.query({
      name: 'su_analysis_record',
      text: RECORD_SQL,
      values: recordParams(r, snapshotId, rawId),
    });
    return snapshotId;
  }
}

/**
 * The plan is the main statement and every other part is read to its end before it (`done`): the plan's trigger,
 * which locks the fleet's shared pending-update groups (ADR 0054), is then queued after the others' (the tile's
 * included) and fires last; the commit follows the statement with no round trip in between.
 */
const RECORD_SQL = `WITH raw AS (
     INSERT INTO raw_artifacts (id, machine_id, kind, path, bytes, sha256, redacted, metadata_json)
     SELECT $3::uuid, $1::uuid, 'raw_log', f.path, f.bytes, f.sha256, true,
            jsonb_build_object('truncated', f.truncated, 'jobId', $2::uuid::text)
       FROM jsonb_to_recordset($4::jsonb) AS f(path TEXT, bytes BIGINT, sha256 TEXT, truncated BOOLEAN)
     RETURNING 1
   ), snap AS (
     INSERT INTO snapshots (id, machine_id, kind, status, payload, important_json, source_job_id, raw_artifact_id)
     VALUES ($5::uuid, $1::uuid, 'apt_update_analyze', $6, $7::jsonb, $8::jsonb, $2::uuid, $3::uuid)
     RETURNING 1
   ), errs AS (
     INSERT INTO apt_errors (machine_id, snapshot_id, kind, severity, message, remediation, important_lines_json)
     SELECT $1::uuid, $5::uuid, e.kind, e.severity, e.message, e.remediation, e."importantLines"
       FROM jsonb_to_recordset($9::jsonb) AS e(kind TEXT, severity TEXT, message TEXT, remediation TEXT,
                                                "importantLines" JSONB)
     RETURNING 1
   ), msgs AS (
     INSERT INTO important_messages (machine_id, source, category, severity, message, dedup_key, package_name,
                                     snapshot_id, raw_line_ref)
     SELECT $1::uuid, 'apt', m.category, m.severity, m.message, m."dedupKey", m."packageName", $5::uuid,
            $3::uuid::text || '#' || m."lineNo"
       FROM jsonb_to_recordset($10::jsonb) AS m(category TEXT, severity TEXT, message TEXT, "dedupKey" TEXT,
                                                 "packageName" TEXT, "lineNo" INT)
     -- A notice seen again is news again: un-acknowledged, reopened.
     ON CONFLICT (machine_id, dedup_key) DO UPDATE
       SET last_seen_at = now(), message = EXCLUDED.message, severity = EXCLUDED.severity, acknowledged = false,
           acknowledged_at = NULL, acknowledged_by = NULL, resolved_at = NULL
     RETURNING 1
   ), gone AS (
     -- Disjoint from msgs' rows: only keys this analysis did not see (NULL keys only when it saw none, as before).
     UPDATE important_messages SET resolved_at = now()
      WHERE machine_id = $1::uuid AND category = ANY($11::text[]) AND resolved_at IS NULL
        AND dedup_key <> ALL($12::text[])
     RETURNING 1
   ), tile AS (
     INSERT INTO machine_state (machine_id, apt_status, apt_updates_count, apt_security_count, apt_held_count,
                                apt_held_security_count, apt_phased_count, apt_reboot_required,
                                apt_reboot_after_apply, apt_last_analyze_at, status, last_error_kind,
                                last_error_message, updated_at)
     VALUES ($1::uuid, $13, $14, $15, $16, $17, $18, $19, $20, now(), $21, $22, $23, now())
     ON CONFLICT (machine_id) DO UPDATE
       SET apt_status = EXCLUDED.apt_status, apt_updates_count = EXCLUDED.apt_updates_count,
           apt_security_count = EXCLUDED.apt_security_count, apt_held_count = EXCLUDED.apt_held_count,
           apt_held_security_count = EXCLUDED.apt_held_security_count,
           apt_phased_count = EXCLUDED.apt_phased_count, apt_reboot_required = EXCLUDED.apt_reboot_required,
           apt_reboot_after_apply = EXCLUDED.apt_reboot_after_apply, apt_last_analyze_at = now(),
           status = EXCLUDED.status, last_error_kind = EXCLUDED.last_error_kind,
           last_error_message = EXCLUDED.last_error_message, updated_at = now()
     RETURNING 1
   ), ev AS (
     INSERT INTO machine_events (machine_id, event_type, severity, actor_type, actor_id, job_id, message, payload)
     VALUES ($1::uuid, 'apt.analyzed', $24, 'system', 'job:' || $2::uuid::text, $2::uuid, $25,
             jsonb_build_object('snapshotId', $5::uuid, 'status', $6::text))
     RETURNING 1
   ), retired AS (
     -- The INSERT below does not see these rows: only the old plan goes.
     UPDATE apt_planned_packages SET is_current = false WHERE machine_id = $1::uuid AND is_current
     RETURNING 1
   ), done AS (
     SELECT count(*) AS n FROM (SELECT * FROM raw UNION ALL SELECT * FROM snap UNION ALL SELECT * FROM errs
                                UNION ALL SELECT * FROM msgs UNION ALL SELECT * FROM gone UNION ALL
                                SELECT * FROM tile UNION ALL SELECT * FROM ev UNION ALL SELECT * FROM retired) w
   )
   INSERT INTO apt_planned_packages (snapshot_id, machine_id, mode, name, arch, current_version, target_version,
                                     origin, operation, security, kept_back, held, phased, dedup_key, is_current)
   SELECT $5::uuid, $1::uuid, p.mode, p.name, p.arch, p."currentVersion", p."targetVersion", p.origin, p.operation,
          p.security, p."keptBack", p.held, p.phased, p."dedupKey", true
     FROM jsonb_to_recordset($26::jsonb) AS p(mode TEXT, name TEXT, arch TEXT, "currentVersion" TEXT,
          "targetVersion" TEXT, origin TEXT, operation TEXT, security BOOLEAN, "keptBack" BOOLEAN, held BOOLEAN,
          phased BOOLEAN, "dedupKey" TEXT)
    WHERE (SELECT n FROM done) >= 0`;

function recordParams(r: AnalysisRecordRows, snapshotId: string, rawId: string | null): unknown[] {
  const t = r.tile;
  return [
    r.machineId,
    r.jobId,
    rawId,
    JSON.stringify(r.raw ? [r.raw] : []),
    snapshotId,
    r.snapshot.status,
    JSON.stringify(r.snapshot.payload),
    JSON.stringify(r.snapshot.important),
    JSON.stringify(r.errors),
    JSON.stringify(onePerKey(r.messages)),
    [...r.resolveCategories],
    r.messages.map((m) => m.dedupKey),
    t.status,
    t.updates,
    t.security,
    t.held,
    t.heldSecurity,
    t.phased,
    t.rebootRequired,
    t.rebootAfterApply,
    t.machineStatus,
    t.shownError?.kind ?? null,
    t.shownError?.message ?? null,
    r.event.severity,
    r.event.message,
    JSON.stringify(r.plan),
  ];
}

/**
 * One row per dedup key, as successive upserts would leave it: created from the first, its message and severity the
 * last's. (One INSERT … ON CONFLICT cannot touch a row twice.)
 */
function onePerKey(messages: AnalysisMessageRow[]): AnalysisMessageRow[] {
  const byKey = new Map<string, AnalysisMessageRow>();
  for (const m of messages) {
    const first = byKey.get(m.dedupKey);
    byKey.set(m.dedupKey, first ? { ...first, message: m.message, severity: m.severity } : m);
  }
  return [...byKey.values()];
}
