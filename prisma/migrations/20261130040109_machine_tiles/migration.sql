-- CreateTable
CREATE TABLE "machine_tiles" (
    "machine_id" UUID NOT NULL,
    "view" TEXT NOT NULL,
    "status" TEXT NOT NULL,

    CONSTRAINT "machine_tiles_pkey" PRIMARY KEY ("machine_id")
);

-- A machine's view (the API's `MachineView`), defined once, here: the tile rows below are built from it and a single
-- machine is read through it. Timestamps as JavaScript's toISOString() writes them; secrets only as has/has-not.
CREATE FUNCTION su_machine_view(p_ids UUID[]) RETURNS TABLE (machine_id UUID, v JSON) AS $$
  SELECT m.id, json_build_object(
  'id', m.id, 'name', m.name, 'hostname', m.hostname, 'port', m.port, 'username', m.username,
  'osFamily', m.os_family, 'osVersion', m.os_version, 'osCodename', m.os_codename, 'arch', m.arch,
  'machineKind', m.machine_kind, 'virtualization', m.virtualization, 'status', coalesce(s.status, 'unknown'),
  'notes', m.notes, 'aptProxy', json_build_object('mode', m.apt_proxy_mode, 'url', m.apt_proxy_url),
  'tags', ARRAY(SELECT t.name FROM machine_tags mt JOIN tags t ON t.id = mt.tag_id
                 WHERE mt.machine_id = m.id ORDER BY t.name COLLATE "C"),
  'credentials', CASE WHEN c.machine_id IS NOT NULL THEN json_build_object(
    'authMethod', c.auth_method, 'sudoMode', c.sudo_mode, 'hasPassword', c.enc_password IS NOT NULL,
    'hasPrivateKey', c.enc_private_key IS NOT NULL, 'hasKeyPassphrase', c.enc_key_passphrase IS NOT NULL,
    'hasSudoPassword', c.enc_sudo_password IS NOT NULL, 'status', c.status, 'updatedAt', to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) END,
  'state', CASE WHEN s.machine_id IS NOT NULL THEN json_build_object(
    'status', s.status, 'aptStatus', s.apt_status, 'aptUpdatesCount', s.apt_updates_count,
    'aptSecurityCount', s.apt_security_count, 'aptHeldCount', s.apt_held_count,
    'aptHeldSecurityCount', s.apt_held_security_count, 'aptPhasedCount', s.apt_phased_count,
    'aptRebootRequired', s.apt_reboot_required, 'aptRebootAfterApply', s.apt_reboot_after_apply,
    'aptLastAnalyzeAt', to_char(s.apt_last_analyze_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'dockerStatus', s.docker_status,
    'dockerUpdatesCount', s.docker_updates_count, 'dockerInstalled', s.docker_installed,
    'dockerStacksCount', s.docker_stacks_count, 'dockerAlertsOpen', s.docker_alerts_open,
    'dockerLastScanAt', to_char(s.docker_last_scan_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'dockerLastCheckAt', to_char(s.docker_last_check_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'aptUsable', s.apt_usable, 'lastProbeAt', to_char(s.last_probe_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'blocked', s.blocked,
    'blockedReason', s.blocked_reason, 'runningJobId', s.running_job_id, 'lastErrorKind', s.last_error_kind,
    'lastErrorMessage', s.last_error_message, 'updatedAt', to_char(s.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) END,
  'bootstrapStatus', (SELECT b.status FROM machine_bootstrap_state b WHERE b.machine_id = m.id),
  'hardware', CASE WHEN h.machine_id IS NOT NULL THEN json_build_object(
    'cpuModel', h.cpu_model, 'cpuCores', h.cpu_cores, 'memoryBytes', h.memory_bytes::float8,
    'hardwareModel', h.firmware_json ->> 'hardwareModel', 'updatedAt', to_char(h.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) END,
  'metrics', CASE WHEN ml.machine_id IS NOT NULL THEN json_build_object(
    'collectedAt', to_char(ml.collected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'cpuLoad1', ml.cpu_load1, 'cpuLoad5', ml.cpu_load5,
    'memoryUsedPercent', ml.memory_used_percent, 'rootUsedPercent', ml.root_used_percent,
    'filesystems', (SELECT coalesce(json_agg(json_build_object('mount', f -> 'mount', 'usedPercent', f -> 'usedPercent',
                                                              'sizeBytes', f -> 'sizeBytes')), '[]')
                      FROM jsonb_array_elements(ml.filesystems_json) f),
    'bootId', ml.boot_id, 'uptimeSeconds', ml.uptime_seconds) END,
  'createdAt', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'updatedAt', to_char(m.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'lastSeenAt', to_char(m.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    FROM machines m
  LEFT JOIN machine_state s ON s.machine_id = m.id
  LEFT JOIN machine_credentials c ON c.machine_id = m.id
  LEFT JOIN machine_hardware h ON h.machine_id = m.id
  LEFT JOIN machine_metrics_latest ml ON ml.machine_id = m.id
   WHERE m.id = ANY(p_ids)
$$ LANGUAGE sql STABLE;

-- The tiles of these machines, rebuilt (machines gone: their tiles go too).
CREATE FUNCTION su_tiles_refresh(p_ids UUID[]) RETURNS VOID AS $$
BEGIN
  INSERT INTO machine_tiles AS t (machine_id, view, status)
  SELECT x.machine_id, x.v::TEXT, x.v ->> 'status' FROM su_machine_view(p_ids) x ORDER BY x.machine_id
  ON CONFLICT (machine_id) DO UPDATE SET view = excluded.view, status = excluded.status;
  DELETE FROM machine_tiles t
   WHERE t.machine_id = ANY(p_ids) AND NOT EXISTS (SELECT 1 FROM machines m WHERE m.id = t.machine_id);
END;
$$ LANGUAGE plpgsql;

-- Statement-level, with transition tables: a bulk write (a fan-out, a seed) is one refresh, not one per row.
-- TG_ARGV[0] names the column holding the machine id ('id' on machines, 'machine_id' on its parts).
CREATE FUNCTION su_tiles_changed() RETURNS TRIGGER AS $$
DECLARE
  ids UUID[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE format('SELECT array_agg(DISTINCT %I) FROM new_rows', TG_ARGV[0]) INTO ids;
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE format('SELECT array_agg(DISTINCT %I) FROM old_rows', TG_ARGV[0]) INTO ids;
  ELSE
    EXECUTE format('SELECT array_agg(DISTINCT x) FROM (SELECT %1$I AS x FROM old_rows UNION SELECT %1$I FROM new_rows) u',
                   TG_ARGV[0]) INTO ids;
  END IF;
  IF ids IS NOT NULL THEN PERFORM su_tiles_refresh(ids); END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DO $$
DECLARE
  t RECORD;
BEGIN
  FOR t IN SELECT * FROM (VALUES ('machines', 'id'), ('machine_state', 'machine_id'),
                                 ('machine_credentials', 'machine_id'), ('machine_hardware', 'machine_id'),
                                 ('machine_metrics_latest', 'machine_id'), ('machine_bootstrap_state', 'machine_id'),
                                 ('machine_tags', 'machine_id')) AS v(tbl, col)
  LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION su_tiles_changed(%L)', t.tbl || '_tiles_ins', t.tbl, t.col);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION su_tiles_changed(%L)', t.tbl || '_tiles_upd', t.tbl, t.col);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION su_tiles_changed(%L)', t.tbl || '_tiles_del', t.tbl, t.col);
  END LOOP;
END;
$$;

-- A renamed tag changes the tiles of the machines carrying it.
CREATE FUNCTION su_tiles_tag_renamed() RETURNS TRIGGER AS $$
BEGIN
  PERFORM su_tiles_refresh(array_agg(machine_id)) FROM machine_tags WHERE tag_id = NEW.id HAVING count(*) > 0;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER "tags_tiles_renamed" AFTER UPDATE OF name ON "tags"
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION su_tiles_tag_renamed();

-- The machines already stored.
SELECT su_tiles_refresh(array_agg(id)) FROM machines HAVING count(*) > 0;
