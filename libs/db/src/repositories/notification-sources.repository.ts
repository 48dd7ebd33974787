import type { DbClient } from '../database.ts';

export interface FinishedRunRow {
  id: string;
  scheduleId: string;
  scheduleName: string;
  status: string;
  reason: string | null;
  notifyOn: unknown;
  finishedAt: Date;
  machineCount: number;
  failedMachines: number;
}

export interface MachineFactRow {
  id: string;
  machineId: string | null;
  machineName: string | null;
  createdAt: Date;
  detail: string | null;
}

export interface MachineMarkRow {
  machineId: string;
  machineName: string;
  securityCount: number;
  rebootRequired: boolean;
  markedSecurity: number | null;
  markedReboot: boolean | null;
}

/**
 * What the notification dispatcher reads to find events worth telling (ADR 0035). It only reads the tables other
 * parts write; the facts it derives are recorded in notification_events.
 */
export class NotificationSourcesRepository {
  constructor(private readonly db: DbClient) {}

  /** Schedule runs that ended since `since`, with their schedule's `notify_on`. */
  async finishedRuns(since: Date): Promise<FinishedRunRow[]> {
    return this.db.$queryRaw<FinishedRunRow[]>`
      SELECT r.id::text AS "id", r.schedule_id::text AS "scheduleId", s.name AS "scheduleName", r.status,
             r.reason, s.notify_on_json AS "notifyOn", r.finished_at AS "finishedAt", r.machine_count AS "machineCount",
             (SELECT count(*)::int FROM schedule_run_machines m WHERE m.run_id = r.id AND m.status = 'error')
               AS "failedMachines"
      FROM schedule_runs r JOIN schedules s ON s.id = r.schedule_id
      WHERE r.finished_at >= ${since} AND r.status IN ('ok', 'partial', 'error')
      ORDER BY r.finished_at`;
  }

  /** Machine events of one type since `since` (host_key.changed), with the machine's name. */
  async machineEvents(eventType: string, since: Date): Promise<MachineFactRow[]> {
    return this.db.$queryRaw<MachineFactRow[]>`
      SELECT e.id::text AS "id", e.machine_id::text AS "machineId", m.name AS "machineName",
             e.created_at AS "createdAt", e.message AS "detail"
      FROM machine_events e LEFT JOIN machines m ON m.id = e.machine_id
      WHERE e.event_type = ${eventType} AND e.created_at >= ${since}
      ORDER BY e.created_at`;
  }

  /** Action requests waiting for a person, created since `since`. */
  async pendingRequests(since: Date): Promise<MachineFactRow[]> {
    return this.db.$queryRaw<MachineFactRow[]>`
      SELECT r.id::text AS "id", r.machine_id::text AS "machineId", m.name AS "machineName",
             r.created_at AS "createdAt", r.summary AS "detail"
      FROM action_requests r LEFT JOIN machines m ON m.id = r.machine_id
      WHERE r.status = 'pending' AND r.created_at >= ${since}
      ORDER BY r.created_at`;
  }

  /** Each machine's security count and reboot flag beside what was last told about it. */
  async machineMarks(): Promise<MachineMarkRow[]> {
    return this.db.$queryRaw<MachineMarkRow[]>`
      SELECT s.machine_id::text AS "machineId", m.name AS "machineName", s.apt_security_count AS "securityCount",
             s.apt_reboot_required AS "rebootRequired", k.security_count AS "markedSecurity",
             k.reboot_required AS "markedReboot"
      FROM machine_state s JOIN machines m ON m.id = s.machine_id
      LEFT JOIN notification_machine_marks k ON k.machine_id = s.machine_id`;
  }

  /**
   * Per machine, the error kinds of its last `n` finished jobs (newest first): n unreachable ones in a row make the
   * machine unreachable for n checks.
   */
  async lastJobErrors(n: number): Promise<{ machineId: string; machineName: string; kinds: (string | null)[]; jobIds: string[] }[]> {
    return this.db.$queryRaw<{ machineId: string; machineName: string; kinds: (string | null)[]; jobIds: string[] }[]>`
      SELECT j.machine_id::text AS "machineId", min(m.name) AS "machineName",
             array_agg(j.error_kind ORDER BY j.finished_at DESC) AS "kinds",
             array_agg(j.id::text ORDER BY j.finished_at DESC) AS "jobIds"
      FROM (SELECT id, machine_id, error_kind, finished_at,
                   row_number() OVER (PARTITION BY machine_id ORDER BY finished_at DESC) AS rn
            FROM jobs WHERE machine_id IS NOT NULL AND finished_at IS NOT NULL
              AND status IN ('ok', 'warning', 'error')) j
      JOIN machines m ON m.id = j.machine_id
      WHERE j.rn <= ${n}
      GROUP BY j.machine_id`;
  }

  async setMark(
    machineId: string,
    mark: { securityCount: number; rebootRequired: boolean },
  ): Promise<void> {
    await this.db.notificationMachineMark.upsert({
      where: { machineId },
      create: { machineId, ...mark },
      update: mark,
    });
  }
}
