import type { DbClient } from '../database.ts';

export interface NewDockerImageEvent {
  executionId: string | null;
  machineId: string;
  stackId: string | null;
  serviceName: string | null;
  imageRef: string | null;
  fromRef?: string | null;
  fromImageId: string | null;
  toImageId: string | null;
  fromDigest: string | null;
  toDigest: string | null;
  operation: 'pulled' | 'recreated' | 'rolled_back' | 'pruned';
  bytesReclaimed?: number | null;
}

export interface DockerImageEventView extends Omit<NewDockerImageEvent, 'bytesReclaimed'> {
  id: string;
  bytesReclaimed: number | null;
  dedupKey: string | null;
  createdAt: string;
}

/** Seed 004 §6: image + from/to digest, or from/to image id when a digest is missing. */
export function dockerDedupKey(e: NewDockerImageEvent): string | null {
  if (!e.imageRef) return null;
  return e.fromDigest && e.toDigest
    ? `${e.imageRef}|${e.fromDigest}|${e.toDigest}`
    : `${e.imageRef}|${e.fromImageId ?? ''}|${e.toImageId ?? ''}`;
}

export class DockerImageEventsRepository {
  constructor(private readonly db: DbClient) {}

  async insertMany(events: readonly NewDockerImageEvent[]): Promise<void> {
    if (!events.length) return;
    await this.db.dockerImageEvent.createMany({
      data: events.map((e) => ({
        executionId: e.executionId,
        machineId: e.machineId,
        stackId: e.stackId,
        serviceName: e.serviceName,
        imageRef: e.imageRef,
        fromRef: e.fromRef ?? null,
        fromImageId: e.fromImageId,
        toImageId: e.toImageId,
        fromDigest: e.fromDigest,
        toDigest: e.toDigest,
        operation: e.operation,
        bytesReclaimed: e.bytesReclaimed === undefined || e.bytesReclaimed === null ? null : BigInt(e.bytesReclaimed),
        dedupKey: dockerDedupKey(e),
      })),
    });
  }

  async listByMachine(machineId: string, limit: number): Promise<DockerImageEventView[]> {
    const rows = await this.db.dockerImageEvent.findMany({
      where: { machineId },
      orderBy: { createdAt: 'desc' },
      take: limit,
    });
    return rows.map((r) => ({
      id: r.id,
      executionId: r.executionId,
      machineId: r.machineId,
      stackId: r.stackId,
      serviceName: r.serviceName,
      imageRef: r.imageRef,
      fromRef: r.fromRef,
      fromImageId: r.fromImageId,
      toImageId: r.toImageId,
      fromDigest: r.fromDigest,
      toDigest: r.toDigest,
      operation: r.operation as NewDockerImageEvent['operation'],
      bytesReclaimed: r.bytesReclaimed === null ? null : Number(r.bytesReclaimed),
      dedupKey: r.dedupKey,
      createdAt: r.createdAt.toISOString(),
    }));
  }
}
