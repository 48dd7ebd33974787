import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export interface NewSnapshot {
  machineId: string;
  kind: string;
  status: string;
  payload: Prisma.InputJsonValue;
  importantJson?: Prisma.InputJsonValue;
  sourceJobId: string | null;
  rawArtifactId?: string | null;
}

export function snapshotRow(s: NewSnapshot) {
  return {
    machineId: s.machineId,
    kind: s.kind,
    status: s.status,
    payload: s.payload,
    ...(s.importantJson === undefined ? {} : { importantJson: s.importantJson }),
    sourceJobId: s.sourceJobId,
    rawArtifactId: s.rawArtifactId ?? null,
  };
}

/** A job's snapshot (a docker scan or check, an analysis); a probe's is written by ProbeRecordRepository. */
export class MachineInventoryRepository {
  constructor(private readonly db: DbClient) {}

  async insertSnapshot(s: NewSnapshot): Promise<string> {
    const row = await this.db.snapshot.create({ data: snapshotRow(s), select: { id: true } });
    return row.id;
  }
}
