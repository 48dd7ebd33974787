import { asMachineStatus, type MachineScope, type MachineView } from '@su/contracts';
import type { DbClient } from '../database.ts';
import { machineScopeSql } from './machine-scope.repository.ts';

/** A timestamp as JavaScript's `toISOString()` writes it (UTC, milliseconds, `Z`); NULL stays NULL. */
const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The machine view (`MachineView`) built by PostgreSQL as one JSON object per row: the tile list is one set-based
 * query (machines joined to their one-row state, credentials, hardware and latest metrics, tags as a sub-array)
 * instead of an ORM include per relation and a mapping per row in JavaScript. Credentials give only whether each
 * secret exists: the encrypted values never leave the database.
 */
const VIEW = `json_build_object(
  'id', m.id, 'name', m.name, 'hostname', m.hostname, 'port', m.port, 'username', m.username,
  'osFamily', m.os_family, 'osVersion', m.os_version, 'osCodename', m.os_codename, 'arch', m.arch,
  'machineKind', m.machine_kind, 'virtualization', m.virtualization, 'status', coalesce(s.status, 'unknown'),
  'notes', m.notes, 'aptProxy', json_build_object('mode', m.apt_proxy_mode, 'url', m.apt_proxy_url),
  'tags', ARRAY(SELECT t.name FROM machine_tags mt JOIN tags t ON t.id = mt.tag_id
                 WHERE mt.machine_id = m.id ORDER BY t.name COLLATE "C"),
  'credentials', CASE WHEN c.machine_id IS NOT NULL THEN json_build_object(
    'authMethod', c.auth_method, 'sudoMode', c.sudo_mode, 'hasPassword', c.enc_password IS NOT NULL,
    'hasPrivateKey', c.enc_private_key IS NOT NULL, 'hasKeyPassphrase', c.enc_key_passphrase IS NOT NULL,
    'hasSudoPassword', c.enc_sudo_password IS NOT NULL, 'status', c.status, 'updatedAt', ${iso('c.updated_at')}) END,
  'state', CASE WHEN s.machine_id IS NOT NULL THEN json_build_object(
    'status', s.status, 'aptStatus', s.apt_status, 'aptUpdatesCount', s.apt_updates_count,
    'aptSecurityCount', s.apt_security_count, 'aptHeldCount', s.apt_held_count,
    'aptHeldSecurityCount', s.apt_held_security_count, 'aptPhasedCount', s.apt_phased_count,
    'aptRebootRequired', s.apt_reboot_required, 'aptRebootAfterApply', s.apt_reboot_after_apply,
    'aptLastAnalyzeAt', ${iso('s.apt_last_analyze_at')}, 'dockerStatus', s.docker_status,
    'dockerUpdatesCount', s.docker_updates_count, 'dockerInstalled', s.docker_installed,
    'dockerStacksCount', s.docker_stacks_count, 'dockerAlertsOpen', s.docker_alerts_open,
    'dockerLastScanAt', ${iso('s.docker_last_scan_at')}, 'dockerLastCheckAt', ${iso('s.docker_last_check_at')},
    'aptUsable', s.apt_usable, 'lastProbeAt', ${iso('s.last_probe_at')}, 'blocked', s.blocked,
    'blockedReason', s.blocked_reason, 'runningJobId', s.running_job_id, 'lastErrorKind', s.last_error_kind,
    'lastErrorMessage', s.last_error_message, 'updatedAt', ${iso('s.updated_at')}) END,
  'bootstrapStatus', (SELECT b.status FROM machine_bootstrap_state b WHERE b.machine_id = m.id),
  'hardware', CASE WHEN h.machine_id IS NOT NULL THEN json_build_object(
    'cpuModel', h.cpu_model, 'cpuCores', h.cpu_cores, 'memoryBytes', h.memory_bytes::float8,
    'hardwareModel', h.firmware_json ->> 'hardwareModel', 'updatedAt', ${iso('h.updated_at')}) END,
  'metrics', CASE WHEN ml.machine_id IS NOT NULL THEN json_build_object(
    'collectedAt', ${iso('ml.collected_at')}, 'cpuLoad1', ml.cpu_load1, 'cpuLoad5', ml.cpu_load5,
    'memoryUsedPercent', ml.memory_used_percent, 'rootUsedPercent', ml.root_used_percent,
    'filesystems', (SELECT coalesce(json_agg(json_build_object('mount', f -> 'mount', 'usedPercent', f -> 'usedPercent',
                                                              'sizeBytes', f -> 'sizeBytes')), '[]')
                      FROM jsonb_array_elements(ml.filesystems_json) f),
    'bootId', ml.boot_id, 'uptimeSeconds', ml.uptime_seconds) END,
  'createdAt', ${iso('m.created_at')}, 'updatedAt', ${iso('m.updated_at')}, 'lastSeenAt', ${iso('m.last_seen_at')})`;

/** A machine's one-row parts, joined to `machines m`. */
const PARTS = `LEFT JOIN machine_state s ON s.machine_id = m.id
  LEFT JOIN machine_credentials c ON c.machine_id = m.id
  LEFT JOIN machine_hardware h ON h.machine_id = m.id
  LEFT JOIN machine_metrics_latest ml ON ml.machine_id = m.id`;

/** A stored status outside today's vocabulary reads as `unknown`, as everywhere else. */
function checked(v: MachineView): MachineView {
  v.status = asMachineStatus(v.status);
  if (v.state) v.state.status = asMachineStatus(v.state.status);
  return v;
}

/** One machine's view (deleted machines have none). */
export async function machineView(db: DbClient, id: string): Promise<MachineView | null> {
  const rows = await db.$queryRawUnsafe<{ v: MachineView }[]>(
    `SELECT ${VIEW} AS v FROM machines m ${PARTS} WHERE m.id = $1::uuid AND m.deleted_at IS NULL`,
    id,
  );
  return rows[0] ? checked(rows[0].v) : null;
}

export interface MachineViewFilter {
  tag?: string | undefined;
  scope?: MachineScope | null | undefined;
}

/** The condition of a list (not deleted, the tag, the caller's scope) and its parameters, numbered from $1. */
function listCondition(f: MachineViewFilter): { sql: string; params: unknown[] } {
  const scope = machineScopeSql(f.scope, 2);
  return {
    sql: `m.deleted_at IS NULL
      AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM machine_tags mt JOIN tags t ON t.id = mt.tag_id
                                        WHERE mt.machine_id = m.id AND t.name = $1::text))
      AND ${scope.sql}`,
    params: [f.tag ?? null, ...scope.params],
  };
}

/** A page of views, by name then id (the order the list always had), and the count of the whole list. */
export async function machineViewPage(
  db: DbClient,
  f: MachineViewFilter & { limit: number; offset: number },
): Promise<{ items: MachineView[]; total: number }> {
  const where = listCondition(f);
  const next = where.params.length + 1;
  const [rows, count] = await Promise.all([
    db.$queryRawUnsafe<{ v: MachineView }[]>(
      // The page's ids first (the name index), then only its rows joined and built: not the fleet's.
      `SELECT ${VIEW} AS v
         FROM (SELECT m.id FROM machines m WHERE ${where.sql}
                ORDER BY m.name, m.id LIMIT $${next}::int OFFSET $${next + 1}::int) page
         JOIN machines m ON m.id = page.id ${PARTS}
        ORDER BY m.name, m.id`,
      ...where.params,
      f.limit,
      f.offset,
    ),
    db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM machines m WHERE ${where.sql}`,
      ...where.params,
    ),
  ]);
  return { items: rows.map((r) => checked(r.v)), total: count[0]?.n ?? 0 };
}
