import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@su/contracts';
import {
  Database,
  hardwareRow,
  JobsRepository,
  machineFactsRow,
  MachineEventsRepository,
  MachineInventoryRepository,
  metricsRow,
  ProbeRecordRepository,
  RawArtifactsRepository,
  stateFromProbeRow,
  type ProbeRecord,
} from '@su/db';
import { createTestDatabase, type TestDatabase } from '@su/testing';
import { recordHostMetrics } from './host-metrics.recorder.ts';
import { parseProbe } from './probe.parser.ts';
import { probeRecordOf } from './probe-record.ts';

// The probe's record in one statement (ADR 0056) against the transaction it replaces, on a real PostgreSQL: two
// machines go through the same probes, one written the old way (the old handler's transaction, statement by statement,
// through Prisma), one by ProbeRecordRepository; every row they own must then be the same, ids and write times aside.

let tdb: TestDatabase;
let db: Database;
const actor: Actor = { type: 'system', id: 'probe-record-test' };
const THRESHOLD = 90;

const section = (name: string, body: string) => `\n@@su:${name}@@\n${body}`;

/** A probe's output; `srv` is the data disk's use; `partial`: cut short, without the load and the memory. */
function probeOutput(v: { srv: number; partial?: boolean }): string {
  const used = v.srv * 1_000_000_000;
  return (
    section(
      'os-release',
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian',
    ) +
    section('hostname', 'nas') +
    section('uname', '6.1.0-27-amd64\nx86_64') +
    section('detect-virt', 'kvm') +
    section('cpuinfo', 'model name\t: AMD EPYC 7302P 16-Core Processor') +
    section('nproc', '4') +
    (v.partial ? '' : section('meminfo', 'MemTotal:        8048576 kB\nMemAvailable:    6036432 kB')) +
    section(
      'df',
      'Filesystem     Type     1-blocks        Used   Available Capacity Mounted on\n' +
        '/dev/vda1      ext4  20957446144  9957446144 10000000000      50% /\n' +
        `/dev/vdb1      ext4 100000000000 ${used} ${100_000_000_000 - used}      ${v.srv}% /srv/my data`,
    ) +
    (v.partial ? '' : section('loadavg', '0.52 0.40 0.31 1/123 4567')) +
    section('boot-id', '6f1c1c1e-1b2a-4e63-9a55-0d3b2a4c5d6e') +
    section('uptime', '12345.67 23456.78') +
    section('docker', 'Docker version 20.10.24+dfsg1, build 297e128') +
    section('apt', 'usable') +
    (v.partial ? '' : section('end', ''))
  );
}

/** The handler's transaction before ADR 0056, statement by statement, with the same values. */
async function recordTheOldWay(r: ProbeRecord): Promise<string> {
  const { machineId, probe } = r;
  return db.transaction(async (tx) => {
    const rawArtifactId = await new RawArtifactsRepository(tx).insertRawLog(machineId, r.jobId, r.rawLog);
    const id = await new MachineInventoryRepository(tx).insertSnapshot({
      rawArtifactId,
      machineId,
      kind: 'machine_probe',
      status: r.snapshot.status,
      payload: probe,
      importantJson: r.snapshot.importantJson,
      sourceJobId: r.jobId,
    });
    const hw = hardwareRow(id, probe);
    await tx.machineHardware.upsert({ where: { machineId }, create: { machineId, ...hw }, update: hw });
    const metrics = metricsRow(id, probe);
    await tx.machineMetricsLatest.upsert({ where: { machineId }, create: { machineId, ...metrics }, update: metrics });
    if (r.hostMetrics) await recordHostMetrics(tx, machineId, 'probe', r.hostMetrics, r.diskThresholdPercent);
    await tx.machine.update({ where: { id: machineId }, data: machineFactsRow(probe) });
    const state = stateFromProbeRow(probe, r.machineStatus, r.diskThresholdPercent);
    await tx.machineState.upsert({ where: { machineId }, create: { machineId, ...state }, update: state });
    await new MachineEventsRepository(tx).insert({ ...r.event, machineId, payload: { snapshotId: id } });
    return id;
  });
}

async function machine(name: string): Promise<string> {
  const [m] = await tdb.query<{ id: string }>(
    `INSERT INTO machines (name, hostname, username) VALUES ($1, '127.0.0.1', 'admin') RETURNING id::text`,
    [name],
  );
  return m!.id;
}

async function job(machineId: string | null): Promise<string> {
  const id = randomUUID();
  await new JobsRepository(db.prisma).insert({ id, kind: 'machine.probe', machineId, requestedBy: actor, payload: {} });
  return id;
}

const q = (sql: string, id: string) => tdb.query<Record<string, unknown>>(sql, [id]);

/**
 * Every row the record writes for one machine, as text with its ids named by role (the machine `M`, its snapshots
 * `S0`, `S1`…, its raw logs `R0`…) and without the times of the writes themselves (created_at, updated_at,
 * first/last_seen_at, acknowledged_at, resolved_at: each path takes its own clock; the last two are kept as set or
 * not).
 */
async function rowsOf(machineId: string, name: string): Promise<string> {
  const rows = {
    raw: await q(
      `SELECT id, kind, path, bytes::text, sha256, pinned, redacted, retention_policy, metadata_json, deleted_at
         FROM raw_artifacts WHERE machine_id = $1 ORDER BY created_at, id`,
      machineId,
    ),
    snapshots: await q(
      `SELECT id, kind, schema_version, status, payload, important_json, raw_artifact_id, source_job_id
         FROM snapshots WHERE machine_id = $1 ORDER BY created_at, id`,
      machineId,
    ),
    hardware: await q(
      `SELECT probe_snapshot_id, cpu_model, cpu_cores, memory_bytes::text, gpus_json, disks_json, network_json,
              firmware_json, warnings_json FROM machine_hardware WHERE machine_id = $1`,
      machineId,
    ),
    metrics: await q(
      `SELECT snapshot_id, collected_at, cpu_load1, cpu_load5, cpu_cores, memory_total_bytes::text,
              memory_used_bytes::text, memory_available_bytes::text, memory_used_percent, filesystems_json,
              root_used_percent, boot_id, uptime_seconds, warnings_json FROM machine_metrics_latest WHERE machine_id = $1`,
      machineId,
    ),
    history: await q(
      `SELECT collected_at, source, cpu_load1, cpu_load5, cpu_load15, cpu_cores, memory_total_bytes::text,
              memory_used_bytes::text, memory_used_percent, root_used_percent, disk_max_used_percent, filesystems_json,
              uptime_seconds, samples FROM host_metrics WHERE machine_id = $1 ORDER BY collected_at, id`,
      machineId,
    ),
    messages: await q(
      `SELECT source, category, severity, package_name, component, message, dedup_key, raw_line_ref, snapshot_id,
              execution_id, acknowledged, acknowledged_by, acknowledged_at IS NOT NULL AS acknowledged_set,
              resolved_at IS NOT NULL AS resolved, payload FROM important_messages WHERE machine_id = $1
        ORDER BY dedup_key`,
      machineId,
    ),
    machine: await q(
      `SELECT os_family, os_version, os_codename, arch, machine_kind, virtualization, last_seen_at
         FROM machines WHERE id = $1`,
      machineId,
    ),
    state: await q(
      `SELECT to_jsonb(s) - 'machine_id' - 'updated_at' AS s FROM machine_state s WHERE machine_id = $1`,
      machineId,
    ),
    events: await q(
      `SELECT event_type, severity, actor_type, actor_id, snapshot_id, execution_id, job_id, message, payload
         FROM machine_events WHERE machine_id = $1 ORDER BY created_at, id`,
      machineId,
    ),
    // The triggers' effects: the live events the machine's rows raised, and the tile's view of the machine.
    live: await q(`SELECT type, job_id, payload FROM live_events WHERE machine_id = $1 ORDER BY id`, machineId),
    view: await q(
      `SELECT v::jsonb - 'createdAt' - 'updatedAt' #- '{state,updatedAt}' #- '{hardware,updatedAt}' AS v
         FROM su_machine_view(ARRAY[$1::uuid]) x(machine_id, v)`,
      machineId,
    ),
  };
  let text = JSON.stringify(rows).replaceAll(machineId, 'M').replaceAll(name, 'NAME');
  rows.snapshots.forEach((s, i) => (text = text.replaceAll(String(s['id']), `S${i}`)));
  rows.raw.forEach((r, i) => (text = text.replaceAll(String(r['id']), `R${i}`)));
  return text;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = Database.connect({ url: tdb.url, maxConnections: 4 });
});

afterAll(async () => {
  await db?.close();
  await tdb?.drop();
});

describe('the probe record in one statement', () => {
  it('writes what the transaction of ten statements wrote, probe after probe, with and without warnings', async () => {
    const old = await machine('probe-old');
    const one = await machine('probe-one');
    const both = async (v: { srv: number; partial?: boolean }, withRawLog = true) => {
      const probe = parseProbe(probeOutput(v), new Date());
      const jobId = await job(null);
      const rawLog = withRawLog
        ? { path: `/tmp/${jobId}.log`, bytes: 1234, sha256: 'ab'.repeat(32), truncated: false }
        : null;
      const of = (machineId: string) =>
        probeRecordOf({ machineId, jobId, actor, rawLog, probe, diskThresholdPercent: THRESHOLD });
      await recordTheOldWay(of(old));
      const snapshotId = await new ProbeRecordRepository(db).record(of(one));
      const [s] = await q(`SELECT machine_id::text FROM snapshots WHERE id = $1::uuid`, snapshotId);
      expect(s?.['machine_id']).toBe(one);
      expect(await rowsOf(one, 'probe-one')).toEqual(await rowsOf(old, 'probe-old'));
      return probe;
    };
    const acknowledge = (machineId: string) =>
      tdb.query(
        `UPDATE important_messages SET acknowledged = true, acknowledged_at = now(), acknowledged_by = 'admin'
          WHERE machine_id = $1`,
        [machineId],
      );

    // A full data disk: a warning, a host_metrics row, a disk message.
    const full = await both({ srv: 95 });
    expect(full.warnings).toEqual(['/srv/my data is 95% full']);
    await acknowledge(old);
    await acknowledge(one);
    // Still full: the acknowledged message stays as it is; no raw log kept this time.
    await both({ srv: 96 }, false);
    // Cut short, the load and memory unread: a warning, no host_metrics row, the disk message left alone.
    const partial = await both({ srv: 50, partial: true });
    expect(partial.warnings).toEqual(['probe output was cut short; some values may be missing']);
    // Clean: no warning, the message resolved; full again: the message opened again, as news.
    const clean = await both({ srv: 50 });
    expect(clean.warnings).toEqual([]);
    await both({ srv: 99 });

    const [counts] = await tdb.query<{ history: number; open: number; snapshots: number; events: number }>(
      `SELECT (SELECT count(*)::int FROM host_metrics WHERE machine_id = $1) AS history,
              (SELECT count(*)::int FROM important_messages WHERE machine_id = $1 AND resolved_at IS NULL
                  AND NOT acknowledged) AS open,
              (SELECT count(*)::int FROM snapshots WHERE machine_id = $1) AS snapshots,
              (SELECT count(*)::int FROM machine_events WHERE machine_id = $1) AS events`,
      [one],
    );
    expect(counts).toEqual({ history: 4, open: 1, snapshots: 5, events: 5 });
  });

  it('leaves nothing half-written when the statement fails', async () => {
    const id = await machine('probe-failed');
    const probe = (srv: number) => parseProbe(probeOutput({ srv }), new Date());
    const rawLog = { path: '/tmp/x.log', bytes: 1, sha256: 'cd'.repeat(32), truncated: false };
    const record = (jobId: string, srv: number) =>
      new ProbeRecordRepository(db).record(
        probeRecordOf({ machineId: id, jobId, actor, rawLog, probe: probe(srv), diskThresholdPercent: THRESHOLD }),
      );
    await record(await job(id), 50);
    const before = await rowsOf(id, 'probe-failed');
    // A job that no longer exists: the snapshot's foreign key fails once every table has been written.
    await expect(record(randomUUID(), 95)).rejects.toThrow(/foreign key/i);
    expect(await rowsOf(id, 'probe-failed')).toEqual(before);
  });
});
