import type { MachineScope } from '@su/contracts';
import type { DbClient } from '../database.ts';
import { machineScopeSql } from './machine-scope.repository.ts';

export interface SnapshotView {
  id: string;
  machineId: string;
  kind: string;
  schemaVersion: number;
  status: string;
  createdAt: string;
  sourceJobId: string | null;
  payload?: unknown;
  importantJson: unknown;
}

export class SnapshotsRepository {
  constructor(private readonly db: DbClient) {}

  /**
   * Fleet view of APT sources: each machine's repositories from its latest analysis, with their flags (older suite,
   * third-party, unsigned).
   */
  /** Each machine's APT sources from its latest analysis; with `scope`, only the machines it admits. */
  async latestRepositories(
    scope?: MachineScope | null,
  ): Promise<{ machineId: string; machineName: string; analysedAt: string; repositories: unknown }[]> {
    const inScope = machineScopeSql(scope, 1);
    const rows = await this.db.$queryRawUnsafe<
      { machine_id: string; name: string; created_at: Date; repositories: unknown }[]
    >(
      `SELECT DISTINCT ON (s.machine_id) s.machine_id, m.name, s.created_at, s.payload->'apt'->'repositories' AS repositories
         FROM snapshots s JOIN machines m ON m.id = s.machine_id AND m.deleted_at IS NULL
        WHERE s.kind = 'apt_update_analyze' AND ${inScope.sql}
        ORDER BY s.machine_id, s.created_at DESC`,
      ...inScope.params,
    );
    return rows.map((r) => ({
      machineId: r.machine_id,
      machineName: r.name,
      analysedAt: r.created_at.toISOString(),
      repositories: r.repositories ?? [],
    }));
  }

  async latest(machineId: string, kind: string): Promise<SnapshotView | null> {
    const r = await this.db.snapshot.findFirst({ where: { machineId, kind }, orderBy: { createdAt: 'desc' } });
    return (
      r && {
        id: r.id,
        machineId: r.machineId,
        kind: r.kind,
        schemaVersion: r.schemaVersion,
        status: r.status,
        createdAt: r.createdAt.toISOString(),
        sourceJobId: r.sourceJobId,
        payload: r.payload,
        importantJson: r.importantJson,
      }
    );
  }

  /** History without the full payloads (they can be large); fetch one snapshot for its payload. */
  async list(machineId: string, kind: string | undefined, limit: number): Promise<SnapshotView[]> {
    const rows = await this.db.snapshot.findMany({
      where: { machineId, ...(kind ? { kind } : {}) },
      orderBy: { createdAt: 'desc' },
      take: limit,
      select: {
        id: true,
        machineId: true,
        kind: true,
        schemaVersion: true,
        status: true,
        createdAt: true,
        sourceJobId: true,
        importantJson: true,
      },
    });
    return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
  }
}
