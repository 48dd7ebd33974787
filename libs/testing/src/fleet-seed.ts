/**
 * A realistic fleet written straight into the database (browser tests and `npm run bench -- web`): `count` machines
 * named `node-0001`…, a mix of Debian/Ubuntu/Proxmox/Raspberry Pi OS and of machine kinds, five tags, and a derived
 * state spread the way a homelab's looks (most up to date, some with updates, a few with security updates, reboots
 * pending, errors, a blocked host key). Deterministic: machine i always gets the same state. Hosts are loopback
 * addresses on port 1: anything that tries to reach one fails at once, without leaving the machine. Two weeks of
 * analyses and jobs behind it feed the charts.
 */
export type SqlRunner = (sql: string, params?: unknown[]) => Promise<unknown>;

const OS = `(ARRAY['debian','ubuntu','debian','proxmox','raspbian'])[1 + i % 5]`;
const VERSION = `(ARRAY['12','24.04','13','8.4','12'])[1 + i % 5]`;
const CODENAME = `(ARRAY['bookworm','noble','trixie','bookworm','bookworm'])[1 + i % 5]`;
const KIND = `(ARRAY['vm','lxc','physical','proxmox_host','raspberry_pi','vm','lxc'])[1 + i % 7]`;

export async function seedFleet(run: SqlRunner, count: number, prefix = 'node', history = true): Promise<void> {
  await run(
    `INSERT INTO machines (name, hostname, port, username, os_family, os_version, os_codename, arch, machine_kind)
     SELECT format('%s-%s', $1::text, lpad(i::text, 4, '0')), format('127.20.%s.%s', i / 250, i % 250 + 1), 1, 'admin',
            ${OS}, ${VERSION}, ${CODENAME}, CASE WHEN i % 5 = 4 THEN 'arm64' ELSE 'amd64' END, ${KIND}
     FROM generate_series(1, $2::int) AS i`,
    [prefix, count],
  );
  await run(
    `INSERT INTO tags (name) SELECT unnest(ARRAY['web','db','prod','lab','edge']) ON CONFLICT (name) DO NOTHING`,
  );
  await run(
    `INSERT INTO machine_tags (machine_id, tag_id)
     SELECT m.id, t.id FROM machines m
     JOIN LATERAL (SELECT substring(m.name from '(\\d+)$')::int AS i) n ON true
     JOIN tags t ON t.name = (ARRAY['web','db','prod','lab','edge'])[1 + n.i % 5]
               OR (t.name = 'prod' AND n.i % 3 = 0)
     WHERE m.name LIKE $1 || '-%'
     ON CONFLICT DO NOTHING`,
    [prefix],
  );
  await run(
    `INSERT INTO machine_state (machine_id, status, apt_updates_count, apt_security_count, apt_reboot_required,
                                apt_last_analyze_at, last_probe_at, blocked, blocked_reason, last_error_kind,
                                last_error_message)
     SELECT m.id,
            CASE WHEN n.i % 37 = 0 THEN 'offline' WHEN n.i % 41 = 0 THEN 'error' ELSE 'online' END,
            CASE WHEN n.i % 3 = 0 THEN 1 + n.i % 17 ELSE 0 END,
            CASE WHEN n.i % 9 = 0 THEN 1 + n.i % 4 ELSE 0 END,
            n.i % 11 = 0,
            now() - make_interval(mins => n.i % 300), now() - make_interval(mins => n.i % 120),
            n.i % 97 = 0, CASE WHEN n.i % 97 = 0 THEN 'host key changed: approve the new key if expected' END,
            CASE WHEN n.i % 41 = 0 THEN 'apt_lock_busy' WHEN n.i % 37 = 0 THEN 'unreachable' END,
            CASE WHEN n.i % 41 = 0 THEN 'another package manager holds the lock' END
     FROM machines m JOIN LATERAL (SELECT substring(m.name from '(\\d+)$')::int AS i) n ON true
     WHERE m.name LIKE $1 || '-%'
     ON CONFLICT (machine_id) DO NOTHING`,
    [prefix],
  );
  if (history) await seedHistory(run, prefix);
}

const DAYS = 14;

/**
 * Two weeks of history for the charts: one APT analysis per machine and day (its counts drifting towards today's) and
 * one finished job per machine and day, a few of them failed.
 */
export async function seedHistory(run: SqlRunner, prefix: string): Promise<void> {
  const machines = `FROM machines m JOIN machine_state s ON s.machine_id = m.id
     JOIN LATERAL (SELECT substring(m.name from '(\\d+)$')::int AS i) n ON true
     CROSS JOIN generate_series(0, ${DAYS - 1}) AS d
     WHERE m.name LIKE $1 || '-%'`;
  await run(
    `INSERT INTO snapshots (machine_id, kind, status, payload, important_json, created_at)
     SELECT m.id, 'apt_update_analyze', 'ok', '{}',
            jsonb_build_object('count', s.apt_updates_count + (d * (n.i % 3)) / 4,
                               'security', s.apt_security_count + CASE WHEN d > 9 AND n.i % 7 = 0 THEN 1 ELSE 0 END),
            now() - make_interval(days => d, mins => n.i % 600)
     ${machines}`,
    [prefix],
  );
  await run(
    `INSERT INTO jobs (kind, machine_id, status, created_at, started_at, finished_at, error_kind)
     SELECT 'apt.update_analyze', m.id, CASE WHEN (n.i + d) % 17 = 0 THEN 'error' ELSE 'ok' END,
            now() - make_interval(days => d, mins => n.i % 600 + 2), now() - make_interval(days => d, mins => n.i % 600 + 1),
            now() - make_interval(days => d, mins => n.i % 600),
            CASE WHEN (n.i + d) % 17 = 0 THEN 'unreachable' END
     ${machines}`,
    [prefix],
  );
}

/**
 * `perMachine` pending package changes on every machine (benchmarks of the fleet's pending updates), in its latest
 * analysis: drawn from a pool of 300 packages shared across the fleet, as Debian fleets share most of theirs, with
 * three versions in service (so one package is up to three dedup groups) and one package in ten a security update.
 */
export async function seedPendingPackages(run: SqlRunner, perMachine: number, prefix?: string): Promise<void> {
  // With `prefix`, only that batch of seedFleet's machines (the others keep the plan they have).
  await run(
    `INSERT INTO snapshots (machine_id, kind, status, payload, important_json)
     SELECT id, 'apt_update_analyze', 'ok', '{}', '{}' FROM machines WHERE $1::text IS NULL OR name LIKE $1 || '-%'`,
    [prefix ?? null],
  );
  await run(
    `INSERT INTO apt_planned_packages (snapshot_id, machine_id, mode, name, arch, current_version, target_version,
                                       origin, operation, security, dedup_key)
     SELECT s.id, s.machine_id, 'upgrade', p.name, 'amd64', p.cur, p.target, 'Debian', 'upgrade', p.k % 10 = 0,
            format('debian|%s|%s|%s|Debian', p.name, p.cur, p.target)
       FROM (SELECT DISTINCT ON (machine_id) snapshots.id, machine_id, substring(m.name from '(\\d+)$')::int AS i
               FROM snapshots JOIN machines m ON m.id = machine_id
              WHERE kind = 'apt_update_analyze' AND ($2::text IS NULL OR m.name LIKE $2 || '-%')
              ORDER BY machine_id, snapshots.created_at DESC) s
       CROSS JOIN LATERAL (
         SELECT k, format('pkg-%s', k) AS name, format('1.%s.%s-1', k % 7, s.i % 3) AS cur, format('1.%s.3-1', k % 7) AS target
           FROM generate_series(0, $1::int - 1) AS j, LATERAL (SELECT (s.i * 7 + j * 11) % 300 AS k) kk) p`,
    [perMachine, prefix ?? null],
  );
}
