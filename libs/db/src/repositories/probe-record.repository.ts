import { randomUUID } from 'node:crypto';
import type { HostMetricsSample, MachineProbe, MachineStatus } from '@su/contracts';
import type { Database } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { hostMetricRow } from './host-metrics.repository.ts';
import { importantMessageRow, type ImportantMessageInput } from './important-messages.repository.ts';
import { machineEventRow, type NewMachineEvent } from './machine-events.repository.ts';
import { snapshotRow } from './machine-inventory.repository.ts';
import { hardwareRow, machineFactsRow, metricsRow, stateFromProbeRow } from './probe-rows.ts';
import { rawLogRow, type RawLogFile } from './raw-artifacts.repository.ts';

/** Everything a probe learnt, as its caller decided to keep it. */
export interface ProbeRecord {
  machineId: string;
  jobId: string;
  /** The session's raw log, when it kept one. */
  rawLog: RawLogFile | null;
  probe: MachineProbe;
  snapshot: { status: string; importantJson: Prisma.InputJsonValue };
  machineStatus: MachineStatus;
  diskThresholdPercent: number;
  /** A host_metrics row, when the probe read every value one needs. */
  hostMetrics: HostMetricsSample | null;
  /**
   * Conditions of the machine (the full disks): each message raised unless one is already open for its key in its
   * category (an acknowledged one stays acknowledged); the open ones of `categories` not raised again are resolved.
   */
  conditions: { categories: string[]; raised: ImportantMessageInput[] };
  /** The machine's event; its payload names the snapshot. */
  event: Omit<NewMachineEvent, 'machineId' | 'payload'>;
}

/**
 * A probe's record in ONE statement (ADR 0056): the raw log, the snapshot, machine_hardware, machine_metrics_latest,
 * host_metrics, the disk messages, the machine's columns, machine_state and the event, each a data-modifying CTE fed
 * from one jsonb parameter. One round trip instead of a transaction of ten; all or nothing as a statement is. The
 * values are the ones the Prisma writes used (the same row functions); the AFTER triggers (tiles, live events,
 * foreign keys) run once the statement has written every table, as they ran at the old transaction's statements.
 * Not for a caller's transaction: the statement is its own.
 */
export class ProbeRecordRepository {
  constructor(private readonly db: Database) {}

  /** Writes the record; returns the snapshot's id. */
  async record(r: ProbeRecord): Promise<string> {
    // Ids chosen here so that the rows referring to each other need no RETURNING between the CTEs.
    const snapshotId = randomUUID();
    const rawArtifactId = r.rawLog ? randomUUID() : null;
    const { machineId, probe } = r;
    const doc = {
      raw: r.rawLog ? [{ id: rawArtifactId, ...rawLogRow(machineId, r.jobId, r.rawLog) }] : [],
      snapshot: {
        id: snapshotId,
        ...snapshotRow({
          machineId,
          kind: 'machine_probe',
          status: r.snapshot.status,
          payload: probe,
          importantJson: r.snapshot.importantJson,
          sourceJobId: r.jobId,
          rawArtifactId,
        }),
      },
      hardware: hardwareRow(snapshotId, probe),
      metrics: metricsRow(snapshotId, probe),
      hostMetrics: r.hostMetrics ? [hostMetricRow(machineId, 'probe', r.hostMetrics)] : [],
      categories: r.conditions.categories,
      raised: r.conditions.raised.map(importantMessageRow),
      machine: machineFactsRow(probe),
      state: stateFromProbeRow(probe, r.machineStatus, r.diskThresholdPercent),
      event: machineEventRow({ ...r.event, machineId, payload: { snapshotId } }),
    };
    // On the pool, not through Prisma, and named: each connection parses and plans the statement once (ADR 0056).
    await this.db.pool.query({ name: 'su_probe_record', text: RECORD, values: [asJson(doc), machineId] });
    return snapshotId;
  }
}

/** $1: the document built by `record`; $2: the machine's id. Each CTE writes one table from its part of $1. */
const RECORD = `
  WITH d AS MATERIALIZED (SELECT $1::jsonb AS j, $2::uuid AS m),
  raw AS (
    INSERT INTO raw_artifacts (id, machine_id, kind, path, bytes, sha256, redacted, metadata_json)
    SELECT x.id, d.m, x.kind, x.path, x.bytes, x.sha256, x.redacted, x."metadataJson"
      FROM d, jsonb_to_recordset(d.j->'raw') AS x(id UUID, kind TEXT, path TEXT, bytes BIGINT, sha256 TEXT,
           redacted BOOLEAN, "metadataJson" JSONB)
  ),
  snap AS (
    INSERT INTO snapshots (id, machine_id, kind, status, payload, important_json, source_job_id, raw_artifact_id)
    SELECT x.id, d.m, x.kind, x.status, x.payload, x."importantJson", x."sourceJobId", x."rawArtifactId"
      FROM d, jsonb_to_record(d.j->'snapshot') AS x(id UUID, kind TEXT, status TEXT, payload JSONB,
           "importantJson" JSONB, "sourceJobId" UUID, "rawArtifactId" UUID)
  ),
  hw AS (
    INSERT INTO machine_hardware AS t (machine_id, probe_snapshot_id, cpu_model, cpu_cores, memory_bytes,
                                       disks_json, firmware_json, warnings_json)
    SELECT d.m, x."probeSnapshotId", x."cpuModel", x."cpuCores", x."memoryBytes", x."disksJson",
           x."firmwareJson", x."warningsJson"
      FROM d, jsonb_to_record(d.j->'hardware') AS x("probeSnapshotId" UUID, "cpuModel" TEXT, "cpuCores" INT,
           "memoryBytes" BIGINT, "disksJson" JSONB, "firmwareJson" JSONB, "warningsJson" JSONB)
    ON CONFLICT (machine_id) DO UPDATE SET probe_snapshot_id = excluded.probe_snapshot_id,
      cpu_model = excluded.cpu_model, cpu_cores = excluded.cpu_cores, memory_bytes = excluded.memory_bytes,
      disks_json = excluded.disks_json, firmware_json = excluded.firmware_json,
      warnings_json = excluded.warnings_json, updated_at = now()
  ),
  metrics AS (
    INSERT INTO machine_metrics_latest AS t (machine_id, snapshot_id, collected_at, cpu_load1, cpu_load5,
      cpu_cores, memory_total_bytes, memory_used_bytes, memory_available_bytes, memory_used_percent,
      filesystems_json, root_used_percent, boot_id, uptime_seconds, warnings_json)
    SELECT d.m, x."snapshotId", x."collectedAt", x."cpuLoad1", x."cpuLoad5", x."cpuCores", x."memoryTotalBytes",
           x."memoryUsedBytes", x."memoryAvailableBytes", x."memoryUsedPercent", x."filesystemsJson",
           x."rootUsedPercent", x."bootId", x."uptimeSeconds", x."warningsJson"
      FROM d, jsonb_to_record(d.j->'metrics') AS x("snapshotId" UUID, "collectedAt" TIMESTAMPTZ,
           "cpuLoad1" FLOAT8, "cpuLoad5" FLOAT8, "cpuCores" INT, "memoryTotalBytes" BIGINT,
           "memoryUsedBytes" BIGINT, "memoryAvailableBytes" BIGINT, "memoryUsedPercent" FLOAT8,
           "filesystemsJson" JSONB, "rootUsedPercent" FLOAT8, "bootId" TEXT, "uptimeSeconds" FLOAT8,
           "warningsJson" JSONB)
    ON CONFLICT (machine_id) DO UPDATE SET snapshot_id = excluded.snapshot_id,
      collected_at = excluded.collected_at, cpu_load1 = excluded.cpu_load1, cpu_load5 = excluded.cpu_load5,
      cpu_cores = excluded.cpu_cores, memory_total_bytes = excluded.memory_total_bytes,
      memory_used_bytes = excluded.memory_used_bytes, memory_available_bytes = excluded.memory_available_bytes,
      memory_used_percent = excluded.memory_used_percent, filesystems_json = excluded.filesystems_json,
      root_used_percent = excluded.root_used_percent, boot_id = excluded.boot_id,
      uptime_seconds = excluded.uptime_seconds, warnings_json = excluded.warnings_json
  ),
  history AS (
    INSERT INTO host_metrics (machine_id, collected_at, source, cpu_load1, cpu_load5, cpu_load15, cpu_cores,
      memory_total_bytes, memory_used_bytes, memory_used_percent, root_used_percent, disk_max_used_percent,
      filesystems_json, uptime_seconds)
    SELECT d.m, x."collectedAt", x.source, x."cpuLoad1", x."cpuLoad5", x."cpuLoad15", x."cpuCores",
           x."memoryTotalBytes", x."memoryUsedBytes", x."memoryUsedPercent", x."rootUsedPercent",
           x."diskMaxUsedPercent", x."filesystemsJson", x."uptimeSeconds"
      FROM d, jsonb_to_recordset(d.j->'hostMetrics') AS x("collectedAt" TIMESTAMPTZ, source TEXT,
           "cpuLoad1" FLOAT8, "cpuLoad5" FLOAT8, "cpuLoad15" FLOAT8, "cpuCores" INT, "memoryTotalBytes" BIGINT,
           "memoryUsedBytes" BIGINT, "memoryUsedPercent" FLOAT8, "rootUsedPercent" FLOAT8,
           "diskMaxUsedPercent" FLOAT8, "filesystemsJson" JSONB, "uptimeSeconds" FLOAT8)
  ),
  raised AS (
    -- A message already open for its key in its category is left as it is; a resolved one is news again.
    INSERT INTO important_messages AS t (machine_id, source, category, severity, message, dedup_key,
      package_name, component, snapshot_id, execution_id, raw_line_ref, payload)
    SELECT d.m, x.source, x.category, x.severity, x.message, x."dedupKey", x."packageName", x.component,
           x."snapshotId", x."executionId", x."rawLineRef", x.payload
      FROM d, jsonb_to_recordset(d.j->'raised') AS x(source TEXT, category TEXT, severity TEXT, message TEXT,
           "dedupKey" TEXT, "packageName" TEXT, component TEXT, "snapshotId" UUID, "executionId" UUID,
           "rawLineRef" TEXT, payload JSONB)
    ON CONFLICT (machine_id, dedup_key) DO UPDATE SET last_seen_at = now(), message = excluded.message,
      severity = excluded.severity, acknowledged = false, acknowledged_at = NULL, acknowledged_by = NULL,
      resolved_at = NULL
    WHERE t.resolved_at IS NOT NULL OR t.category <> excluded.category
  ),
  resolved AS (
    -- Disjoint from the raised keys: no row is written twice by the statement.
    UPDATE important_messages t SET resolved_at = now() FROM d
     WHERE t.machine_id = d.m AND t.resolved_at IS NULL
       AND t.category IN (SELECT jsonb_array_elements_text(d.j->'categories'))
       AND t.dedup_key <> ALL (ARRAY(SELECT x->>'dedupKey' FROM jsonb_array_elements(d.j->'raised') x))
  ),
  facts AS (
    UPDATE machines t SET os_family = x."osFamily", os_version = x."osVersion", os_codename = x."osCodename",
           arch = x.arch, machine_kind = x."machineKind", virtualization = x.virtualization,
           last_seen_at = x."lastSeenAt", updated_at = now()
      FROM d, jsonb_to_record(d.j->'machine') AS x("osFamily" TEXT, "osVersion" TEXT, "osCodename" TEXT,
           arch TEXT, "machineKind" TEXT, virtualization TEXT, "lastSeenAt" TIMESTAMPTZ)
     WHERE t.id = d.m
  ),
  state AS (
    INSERT INTO machine_state AS t (machine_id, status, docker_installed, apt_usable, last_probe_at,
      metrics_last_collected_at, cpu_load1, memory_used_percent, root_used_percent, disk_warnings_count,
      last_error_kind, last_error_message)
    SELECT d.m, x.status, x."dockerInstalled", x."aptUsable", x."lastProbeAt", x."metricsLastCollectedAt",
           x."cpuLoad1", x."memoryUsedPercent", x."rootUsedPercent", x."diskWarningsCount", x."lastErrorKind",
           x."lastErrorMessage"
      FROM d, jsonb_to_record(d.j->'state') AS x(status TEXT, "dockerInstalled" BOOLEAN, "aptUsable" BOOLEAN,
           "lastProbeAt" TIMESTAMPTZ, "metricsLastCollectedAt" TIMESTAMPTZ, "cpuLoad1" FLOAT8,
           "memoryUsedPercent" FLOAT8, "rootUsedPercent" FLOAT8, "diskWarningsCount" INT,
           "lastErrorKind" TEXT, "lastErrorMessage" TEXT)
    ON CONFLICT (machine_id) DO UPDATE SET status = excluded.status,
      docker_installed = excluded.docker_installed, apt_usable = excluded.apt_usable,
      last_probe_at = excluded.last_probe_at, metrics_last_collected_at = excluded.metrics_last_collected_at,
      cpu_load1 = excluded.cpu_load1, memory_used_percent = excluded.memory_used_percent,
      root_used_percent = excluded.root_used_percent, disk_warnings_count = excluded.disk_warnings_count,
      last_error_kind = excluded.last_error_kind, last_error_message = excluded.last_error_message,
      updated_at = now()
  )
  INSERT INTO machine_events (machine_id, event_type, severity, actor_type, actor_id, job_id, message, payload)
  SELECT d.m, x."eventType", x.severity, x."actorType", x."actorId", x."jobId", x.message, x.payload
    FROM d, jsonb_to_record(d.j->'event') AS x("eventType" TEXT, severity TEXT, "actorType" TEXT,
         "actorId" TEXT, "jobId" UUID, message TEXT, payload JSONB)`;

/** The document as jsonb text: BigInt columns as their digits (jsonb_to_record reads them back as BIGINT). */
function asJson(doc: unknown): string {
  return JSON.stringify(doc, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
