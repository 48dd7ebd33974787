import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export interface ImportantMessageInput {
  machineId: string;
  source: 'apt' | 'docker' | 'post_install' | 'ssh' | 'system';
  category: string;
  severity: 'info' | 'warning' | 'error';
  message: string;
  /** Same key on a later run: the existing row's last_seen_at moves instead of a new row. */
  dedupKey: string;
  packageName?: string | null;
  component?: string | null;
  snapshotId?: string | null;
  executionId?: string | null;
  rawLineRef?: string | null;
  payload?: Prisma.InputJsonValue;
}

export function importantMessageRow(m: ImportantMessageInput) {
  return {
    machineId: m.machineId,
    source: m.source,
    category: m.category,
    severity: m.severity,
    message: m.message,
    dedupKey: m.dedupKey,
    packageName: m.packageName ?? null,
    component: m.component ?? null,
    snapshotId: m.snapshotId ?? null,
    executionId: m.executionId ?? null,
    rawLineRef: m.rawLineRef ?? null,
    ...(m.payload === undefined ? {} : { payload: m.payload }),
  };
}

export class ImportantMessagesRepository {
  constructor(private readonly db: DbClient) {}

  async upsert(m: ImportantMessageInput): Promise<void> {
    const now = new Date();
    await this.db.importantMessage.upsert({
      where: { machineId_dedupKey: { machineId: m.machineId, dedupKey: m.dedupKey } },
      create: importantMessageRow(m),
      // A notice seen again is news again: un-acknowledge it.
      update: {
        lastSeenAt: now,
        message: m.message,
        severity: m.severity,
        acknowledged: false,
        acknowledgedAt: null,
        acknowledgedBy: null,
        resolvedAt: null,
      },
    });
  }

  /**
   * Messages about a state of the machine (a held or kept-back package) that the latest analysis no longer sees:
   * resolved, not left open. Only the given categories, and only the keys not seen this time.
   */
  async resolveGone(machineId: string, categories: readonly string[], seenKeys: readonly string[]): Promise<number> {
    const res = await this.db.importantMessage.updateMany({
      where: {
        machineId,
        category: { in: [...categories] },
        resolvedAt: null,
        dedupKey: { notIn: [...seenKeys] },
      },
      data: { resolvedAt: new Date() },
    });
    return res.count;
  }

  /** The dedup keys of the machine's open (unresolved) messages of one category. */
  async openKeys(machineId: string, category: string): Promise<string[]> {
    const rows = await this.db.importantMessage.findMany({
      where: { machineId, category, resolvedAt: null },
      select: { dedupKey: true },
    });
    return rows.flatMap((r) => (r.dedupKey === null ? [] : [r.dedupKey]));
  }

  async listByMachine(machineId: string, limit: number, includeAcknowledged: boolean) {
    const rows = await this.db.importantMessage.findMany({
      where: { machineId, ...(includeAcknowledged ? {} : { acknowledged: false, resolvedAt: null }) },
      orderBy: { lastSeenAt: 'desc' },
      take: limit,
    });
    return rows.map((r) => ({
      id: r.id,
      source: r.source,
      category: r.category,
      severity: r.severity,
      packageName: r.packageName,
      message: r.message,
      rawLineRef: r.rawLineRef,
      snapshotId: r.snapshotId,
      executionId: r.executionId,
      firstSeenAt: r.firstSeenAt.toISOString(),
      lastSeenAt: r.lastSeenAt.toISOString(),
      acknowledged: r.acknowledged,
      acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null,
      acknowledgedBy: r.acknowledgedBy,
      resolvedAt: r.resolvedAt?.toISOString() ?? null,
    }));
  }

  async acknowledge(machineId: string, id: string, by: string): Promise<boolean> {
    const res = await this.db.importantMessage.updateMany({
      where: { id, machineId },
      data: { acknowledged: true, acknowledgedAt: new Date(), acknowledgedBy: by },
    });
    return res.count === 1;
  }
}
