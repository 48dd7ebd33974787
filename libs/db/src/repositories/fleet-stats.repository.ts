import type { DbClient } from '../database.ts';

export interface FleetDay {
  /** The day (UTC), YYYY-MM-DD. */
  day: string;
  /** Pending and security updates of the fleet that day: each machine's latest analysis up to the day's end. */
  pending: number;
  security: number;
  /** Jobs that finished that day, by outcome. */
  ok: number;
  failed: number;
  cancelled: number;
}

export interface MachineHistoryPoint {
  at: string;
  pending: number;
  security: number;
}

export interface RebootDuration {
  at: string;
  seconds: number;
}

/** Read-only aggregates over the data already kept (snapshots, jobs, executions) for the UI's charts. */
export class FleetStatsRepository {
  constructor(private readonly db: DbClient) {}

  async fleetDays(days: number): Promise<FleetDay[]> {
    return this.db.$queryRawUnsafe<FleetDay[]>(
      `WITH d AS (
         SELECT generate_series(date_trunc('day', now() AT TIME ZONE 'UTC') - ($1::int - 1) * interval '1 day',
                                date_trunc('day', now() AT TIME ZONE 'UTC'), interval '1 day') AS day
       )
       SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
              COALESCE(u.pending, 0)::int AS pending, COALESCE(u.security, 0)::int AS security,
              COALESCE(j.ok, 0)::int AS ok, COALESCE(j.failed, 0)::int AS failed,
              COALESCE(j.cancelled, 0)::int AS cancelled
       FROM d
       LEFT JOIN LATERAL (
         SELECT sum((s.important_json->>'count')::int) AS pending, sum((s.important_json->>'security')::int) AS security
         FROM (SELECT DISTINCT ON (sn.machine_id) sn.important_json
               FROM snapshots sn JOIN machines m ON m.id = sn.machine_id AND m.deleted_at IS NULL
               WHERE sn.kind = 'apt_update_analyze' AND sn.status <> 'error'
                 AND sn.created_at < (d.day + interval '1 day') AT TIME ZONE 'UTC'
               ORDER BY sn.machine_id, sn.created_at DESC) s
       ) u ON true
       LEFT JOIN LATERAL (
         SELECT count(*) FILTER (WHERE status IN ('ok', 'warning')) AS ok,
                count(*) FILTER (WHERE status = 'error') AS failed,
                count(*) FILTER (WHERE status IN ('cancelled', 'skipped')) AS cancelled
         FROM jobs
         WHERE finished_at >= d.day AT TIME ZONE 'UTC' AND finished_at < (d.day + interval '1 day') AT TIME ZONE 'UTC'
       ) j ON true
       ORDER BY d.day`,
      days,
    );
  }

  async machineUpdates(machineId: string, limit: number): Promise<MachineHistoryPoint[]> {
    return this.db.$queryRawUnsafe<MachineHistoryPoint[]>(
      `SELECT * FROM (
         SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at,
                COALESCE((important_json->>'count')::int, 0) AS pending,
                COALESCE((important_json->>'security')::int, 0) AS security
         FROM snapshots
         WHERE machine_id = $1::uuid AND kind = 'apt_update_analyze' AND status <> 'error'
         ORDER BY created_at DESC LIMIT $2) s
       ORDER BY at`,
      machineId,
      limit,
    );
  }

  async rebootDurations(machineId: string, limit: number): Promise<RebootDuration[]> {
    return this.db.$queryRawUnsafe<RebootDuration[]>(
      `SELECT * FROM (
         SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at,
                round(extract(epoch FROM finished_at - started_at))::int AS seconds
         FROM executions
         WHERE machine_id = $1::uuid AND action = 'reboot_verified' AND status = 'ok' AND finished_at IS NOT NULL
         ORDER BY started_at DESC LIMIT $2) r
       ORDER BY at`,
      machineId,
      limit,
    );
  }
}
