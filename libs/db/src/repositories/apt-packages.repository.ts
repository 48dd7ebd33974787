import type { MachineScope } from '@su/contracts';
import type { DbClient } from '../database.ts';
import { machineScopeSql } from './machine-scope.repository.ts';

export interface PlannedRow {
  mode: 'upgrade' | 'dist_upgrade';
  name: string;
  arch: string | null;
  currentVersion: string | null;
  targetVersion: string | null;
  origin: string | null;
  operation: string;
  security: boolean;
  keptBack: boolean;
  held: boolean;
  phased: boolean;
  dedupKey: string;
}

export interface AppliedRow {
  name: string;
  arch: string | null;
  fromVersion: string | null;
  toVersion: string | null;
  operation: string;
  origin: string | null;
  dedupKey: string | null;
}

export interface PendingUpdateGroup {
  dedupKey: string;
  name: string;
  currentVersion: string | null;
  targetVersion: string | null;
  origin: string | null;
  security: boolean;
  /** On hold (apt-mark hold) on these machines: pending, never applied, counted apart. */
  held: boolean;
  machineCount: number;
  machineIds: string[];
}

export class AptPackagesRepository {
  constructor(private readonly db: DbClient) {}

  /** The machine's plan is now this snapshot's: previous rows stay as history, no longer current. */
  async replaceCurrentPlanned(machineId: string, snapshotId: string, rows: PlannedRow[]): Promise<void> {
    // One statement: its pending-group triggers (su_pending_refresh) run once the old rows are retired and the new
    // ones written, and the groups they lock (rows shared by every machine with the same pending package) wait for
    // one round trip less before the commit (ADR 0054). The INSERT does not see the UPDATE's rows: only old ones go.
    await this.db.$executeRaw`
      WITH retired AS (
        UPDATE apt_planned_packages SET is_current = false WHERE machine_id = ${machineId}::uuid AND is_current
      )
      INSERT INTO apt_planned_packages (snapshot_id, machine_id, mode, name, arch, current_version, target_version,
                                        origin, operation, security, kept_back, held, phased, dedup_key, is_current)
      SELECT ${snapshotId}::uuid, ${machineId}::uuid, r.mode, r.name, r.arch, r."currentVersion", r."targetVersion",
             r.origin, r.operation, r.security, r."keptBack", r.held, r.phased, r."dedupKey", true
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(mode TEXT, name TEXT, arch TEXT,
             "currentVersion" TEXT, "targetVersion" TEXT, origin TEXT, operation TEXT, security BOOLEAN,
             "keptBack" BOOLEAN, held BOOLEAN, phased BOOLEAN, "dedupKey" TEXT)`;
  }

  /**
   * What the machine's current plan still has to do once dpkg has `installed` (name → version): the tile's counts
   * right after an apply, before the follow-up analysis. Held and phased packages are not counted, as in an analysis.
   */
  async remainingCounts(
    machineId: string,
    installed: ReadonlyMap<string, string>,
  ): Promise<{ updates: number; security: number; pending: string[] }> {
    const rows = await this.db.aptPlannedPackage.findMany({
      where: { machineId, isCurrent: true, held: false, phased: false, operation: { in: ['upgrade', 'install'] } },
      select: { name: true, targetVersion: true, operation: true, security: true },
    });
    const pending = rows.filter((r) => r.targetVersion === null || installed.get(r.name) !== r.targetVersion);
    return {
      updates: new Set(pending.filter((r) => r.operation === 'upgrade').map((r) => r.name)).size,
      security: new Set(pending.filter((r) => r.security).map((r) => r.name)).size,
      pending: [...new Set(pending.map((r) => r.name))],
    };
  }

  async insertApplied(machineId: string, executionId: string, rows: AppliedRow[]): Promise<void> {
    if (rows.length)
      await this.db.aptAppliedPackage.createMany({ data: rows.map((r) => ({ ...r, machineId, executionId })) });
  }

  async insertErrors(
    machineId: string,
    ref: { snapshotId?: string; executionId?: string },
    errors: {
      kind: string;
      severity: string;
      message: string;
      remediation?: string | null;
      importantLines?: string[];
    }[],
  ): Promise<void> {
    if (!errors.length) return;
    await this.db.aptError.createMany({
      data: errors.map((e) => ({
        machineId,
        snapshotId: ref.snapshotId ?? null,
        executionId: ref.executionId ?? null,
        kind: e.kind,
        severity: e.severity,
        message: e.message,
        remediation: e.remediation ?? null,
        importantLinesJson: e.importantLines ?? [],
      })),
    });
  }

  /**
   * Fleet view: each pending change (same package, same from → to, same origin) with the machines that need it.
   * Served by the (is_current, dedup_key) index; excludes held and kept-back-only noise.
   */
  /** With `scope`, only the machines it admits count (the filter is in the query, before grouping and the limit). */
  async pendingByDedupKey(limit: number, scope?: MachineScope | null): Promise<PendingUpdateGroup[]> {
    const inScope = machineScopeSql(scope, 2);
    const rows = await this.db.$queryRawUnsafe<
      {
        dedup_key: string;
        name: string;
        current_version: string | null;
        target_version: string | null;
        origin: string | null;
        security: boolean;
        held: boolean;
        machine_count: number;
        machine_ids: string[];
      }[]
    >(
      `SELECT p.dedup_key, min(p.name) AS name, min(p.current_version) AS current_version, min(p.target_version) AS target_version,
              min(p.origin) AS origin, bool_or(p.security) AS security, p.held,
              count(DISTINCT p.machine_id)::int AS machine_count, array_agg(DISTINCT p.machine_id::text) AS machine_ids
         FROM apt_planned_packages p JOIN machines m ON m.id = p.machine_id AND m.deleted_at IS NULL
        WHERE p.is_current AND p.operation <> 'remove'
          AND ${inScope.sql}
        GROUP BY p.dedup_key, p.held
        ORDER BY p.held, bool_or(p.security) DESC, count(DISTINCT p.machine_id) DESC, min(p.name)
        LIMIT $1`,
      limit,
      ...inScope.params,
    );
    return rows.map((r) => ({
      dedupKey: r.dedup_key,
      name: r.name,
      currentVersion: r.current_version,
      targetVersion: r.target_version,
      origin: r.origin,
      security: r.security,
      held: r.held,
      machineCount: r.machine_count,
      machineIds: r.machine_ids,
    }));
  }
}
