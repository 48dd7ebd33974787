import type { DbClient } from '../database.ts';

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
