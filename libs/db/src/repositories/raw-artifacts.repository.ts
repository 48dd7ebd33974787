import type { DbClient } from '../database.ts';

export class RawArtifactsRepository {
  constructor(private readonly db: DbClient) {}

  async insert(a: {
    machineId: string | null;
    kind: string;
    path: string;
    bytes: number;
    sha256: string;
    truncated: boolean;
    jobId: string | null;
  }): Promise<string> {
    const row = await this.db.rawArtifact.create({
      data: {
        machineId: a.machineId,
        kind: a.kind,
        path: a.path,
        bytes: BigInt(a.bytes),
        sha256: a.sha256,
        redacted: true,
        metadataJson: { truncated: a.truncated, jobId: a.jobId },
      },
      select: { id: true },
    });
    return row.id;
  }

  async listPaths(): Promise<{ id: string; path: string; sha256: string | null }[]> {
    return this.db.rawArtifact.findMany({ where: { deletedAt: null }, select: { id: true, path: true, sha256: true } });
  }
}
