import { machineScopeSchema, type MachineScope, type Scope } from '@su/contracts';
import type { DbClient } from '../database.ts';

export interface ApiClientView {
  id: string;
  label: string;
  clientKind: string;
  tokenPrefix: string;
  scopes: Scope[];
  status: string;
  createdBy: string | null;
  createdAt: string;
  lastSeenAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  /** The machines this client may act on; null: every machine. */
  machineScope: MachineScope | null;
}

const select = {
  id: true,
  label: true,
  clientKind: true,
  tokenPrefix: true,
  scopesJson: true,
  status: true,
  createdBy: true,
  createdAt: true,
  lastSeenAt: true,
  expiresAt: true,
  revokedAt: true,
  machineScopeJson: true,
} as const;

type Row = {
  id: string;
  label: string;
  clientKind: string;
  tokenPrefix: string;
  scopesJson: unknown;
  status: string;
  createdBy: string | null;
  createdAt: Date;
  lastSeenAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  machineScopeJson: unknown;
};

/**
 * Read back through its schema: a stored scope that does not parse limits the client to no machine rather than
 * lifting the limit.
 */
function scopeOf(json: unknown): MachineScope | null {
  if (json === null || json === undefined) return null;
  const parsed = machineScopeSchema.safeParse(json);
  return parsed.success ? parsed.data : {};
}

function toView(r: Row): ApiClientView {
  return {
    id: r.id,
    label: r.label,
    clientKind: r.clientKind,
    tokenPrefix: r.tokenPrefix,
    scopes: r.scopesJson as Scope[],
    status: r.status,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    lastSeenAt: r.lastSeenAt?.toISOString() ?? null,
    expiresAt: r.expiresAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
    machineScope: scopeOf(r.machineScopeJson),
  };
}

export class ApiClientsRepository {
  constructor(private readonly db: DbClient) {}

  async create(input: {
    label: string;
    clientKind: string;
    tokenHash: string;
    tokenPrefix: string;
    scopes: Scope[];
    createdBy: string | null;
    expiresAt: Date | null;
    machineScope?: MachineScope | null;
  }): Promise<ApiClientView> {
    const row = await this.db.apiClient.create({
      data: {
        label: input.label,
        clientKind: input.clientKind,
        tokenHash: input.tokenHash,
        tokenPrefix: input.tokenPrefix,
        scopesJson: input.scopes,
        createdBy: input.createdBy,
        expiresAt: input.expiresAt,
        ...(input.machineScope ? { machineScopeJson: machineScopeSchema.parse(input.machineScope) } : {}),
      },
      select,
    });
    return toView(row);
  }

  async list(): Promise<ApiClientView[]> {
    const rows = await this.db.apiClient.findMany({ select, orderBy: { createdAt: 'desc' } });
    return rows.map(toView);
  }

  /** An active, unexpired client for this token hash, or null (revoked and expired tokens authenticate nobody). */
  async findActiveByTokenHash(tokenHash: string, now = new Date()): Promise<ApiClientView | null> {
    const row = await this.db.apiClient.findFirst({
      where: { tokenHash, status: 'active', OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      select,
    });
    return row && toView(row);
  }

  /** The machine scope of a client: null when unscoped; no machine at all when there is no such client. */
  async machineScope(id: string): Promise<MachineScope | null> {
    const row = await this.db.apiClient.findUnique({ where: { id }, select: { machineScopeJson: true } });
    return row ? scopeOf(row.machineScopeJson) : {};
  }

  async touchLastSeen(id: string): Promise<void> {
    await this.db.apiClient.update({ where: { id }, data: { lastSeenAt: new Date() } });
  }

  /** Returns false when there was no active client with this id. */
  async revoke(id: string): Promise<boolean> {
    const res = await this.db.apiClient.updateMany({
      where: { id, status: 'active' },
      data: { status: 'revoked', revokedAt: new Date() },
    });
    return res.count === 1;
  }
}
