import type { DbClient } from '../database.ts';

/** What an SSH session reports about the raw log it wrote (already redacted). */
export interface RawLogFile {
  path: string;
  bytes: number;
  sha256: string;
  truncated: boolean;
}

export function rawLogRow(machineId: string, jobId: string, raw: RawLogFile) {
  return {
    machineId,
    kind: 'raw_log',
    path: raw.path,
    bytes: BigInt(raw.bytes),
    sha256: raw.sha256,
    redacted: true,
    metadataJson: { truncated: raw.truncated, jobId },
  };
}

export class RawArtifactsRepository {
  constructor(private readonly db: DbClient) {}

  /** Records a job's raw log; null when the session kept none. */
  async insertRawLog(machineId: string, jobId: string, raw: RawLogFile | null): Promise<string | null> {
    if (!raw) return null;
    const row = await this.db.rawArtifact.create({ data: rawLogRow(machineId, jobId, raw), select: { id: true } });
    return row.id;
  }

  /** A machine's raw log (redacted when written), unless retention deleted it. */
  async findRawLog(machineId: string, id: string): Promise<{ path: string } | null> {
    return this.db.rawArtifact.findFirst({
      where: { id, machineId, kind: 'raw_log', deletedAt: null },
      select: { path: true },
    });
  }
}
