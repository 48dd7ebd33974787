import type { DbClient } from '../database.ts';

/** approved: trusted for connections. pending: first key waiting for a person. changed: differs from the trusted key.
 * superseded: was trusted, replaced by an approval. rejected: refused by a person. */
export type HostKeyStatus = 'approved' | 'pending' | 'changed' | 'superseded' | 'rejected';

export interface HostKeyView {
  id: string;
  machineId: string;
  hostname: string;
  port: number;
  keyType: string | null;
  fingerprintSha256: string;
  publicKey: string | null;
  status: HostKeyStatus;
  firstSeenAt: string;
  lastSeenAt: string;
  approvedAt: string | null;
  approvedBy: string | null;
}

type Row = Awaited<ReturnType<DbClient['machineHostKey']['findFirstOrThrow']>>;

function toView(r: Row): HostKeyView {
  return {
    id: r.id,
    machineId: r.machineId,
    hostname: r.hostname,
    port: r.port,
    keyType: r.keyType,
    fingerprintSha256: r.fingerprintSha256,
    publicKey: r.publicKey,
    status: r.status as HostKeyStatus,
    firstSeenAt: r.firstSeenAt.toISOString(),
    lastSeenAt: r.lastSeenAt.toISOString(),
    approvedAt: r.approvedAt?.toISOString() ?? null,
    approvedBy: r.approvedBy,
  };
}

export class HostKeysRepository {
  constructor(private readonly db: DbClient) {}

  async listByMachine(machineId: string): Promise<HostKeyView[]> {
    const rows = await this.db.machineHostKey.findMany({ where: { machineId }, orderBy: { firstSeenAt: 'desc' } });
    return rows.map(toView);
  }

  async find(machineId: string, id: string): Promise<HostKeyView | null> {
    const r = await this.db.machineHostKey.findFirst({ where: { id, machineId } });
    return r && toView(r);
  }

  async findByFingerprint(machineId: string, fingerprintSha256: string): Promise<HostKeyView | null> {
    const r = await this.db.machineHostKey.findUnique({
      where: { machineId_fingerprintSha256: { machineId, fingerprintSha256 } },
    });
    return r && toView(r);
  }

  async countApproved(machineId: string): Promise<number> {
    return this.db.machineHostKey.count({ where: { machineId, status: 'approved' } });
  }

  /** Records a key seen for the first time; a concurrent insert of the same key is not an error. */
  async insert(k: {
    machineId: string;
    hostname: string;
    port: number;
    keyType: string;
    fingerprintSha256: string;
    publicKey: string;
    status: HostKeyStatus;
    approvedBy?: string | null;
  }): Promise<HostKeyView> {
    const now = new Date();
    const r = await this.db.machineHostKey.upsert({
      where: { machineId_fingerprintSha256: { machineId: k.machineId, fingerprintSha256: k.fingerprintSha256 } },
      create: {
        ...k,
        approvedBy: k.approvedBy ?? null,
        approvedAt: k.status === 'approved' ? now : null,
      },
      update: { lastSeenAt: now },
    });
    return toView(r);
  }

  /**
   * The key is the machine's approved one: marked seen now, true. One statement, the common verdict of every
   * connection (ADR 0049); false sends the caller to the full verdict.
   */
  async touchIfApproved(machineId: string, fingerprintSha256: string): Promise<boolean> {
    const r = await this.db.machineHostKey.updateMany({
      where: { machineId, fingerprintSha256, status: 'approved' },
      data: { lastSeenAt: new Date() },
    });
    return r.count === 1;
  }

  async touchSeen(id: string): Promise<void> {
    await this.db.machineHostKey.update({ where: { id }, data: { lastSeenAt: new Date() } });
  }

  /** Approves one key; every other approved key of the machine becomes superseded (one trusted key at a time). */
  async approve(machineId: string, id: string, approvedBy: string): Promise<void> {
    await this.db.machineHostKey.updateMany({
      where: { machineId, status: 'approved', NOT: { id } },
      data: { status: 'superseded' },
    });
    await this.db.machineHostKey.update({
      where: { id },
      data: { status: 'approved', approvedAt: new Date(), approvedBy },
    });
  }
}
