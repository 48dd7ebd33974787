import type { DbClient } from '../database.ts';

export interface LiveEventView {
  id: string;
  createdAt: string;
  type: string;
  machineId: string | null;
  jobId: string | null;
  payload: unknown;
}

export class LiveEventsRepository {
  constructor(private readonly db: DbClient) {}

  /** A live event not raised by a trigger (e.g. an apply's progress), NOTIFYed like the others (su_live_event). */
  async publish(type: string, machineId: string | null, jobId: string | null, payload: object): Promise<void> {
    await this.db.$executeRawUnsafe(
      `SELECT su_live_event($1, $2::uuid, $3::uuid, $4::jsonb)`,
      type,
      machineId,
      jobId,
      JSON.stringify(payload),
    );
  }

  /**
   * Events after `id` (up to `upTo` when given), oldest first (replay for Last-Event-ID, and catching up after a
   * notification).
   */
  async after(id: bigint, limit: number, upTo?: bigint): Promise<LiveEventView[]> {
    const rows = await this.db.liveEvent.findMany({
      where: { id: upTo === undefined ? { gt: id } : { gt: id, lte: upTo } },
      orderBy: { id: 'asc' },
      take: limit,
    });
    return rows.map((r) => ({
      id: r.id.toString(),
      createdAt: r.createdAt.toISOString(),
      type: r.type,
      machineId: r.machineId,
      jobId: r.jobId,
      payload: r.payload,
    }));
  }

  async lastId(): Promise<bigint> {
    const r = await this.db.liveEvent.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
    return r?.id ?? 0n;
  }

  /** Retention: a client that reconnects with an older Last-Event-ID gets what is left (and reloads its state). */
  async deleteOlderThan(before: Date): Promise<number> {
    return (await this.db.liveEvent.deleteMany({ where: { createdAt: { lt: before } } })).count;
  }
}
