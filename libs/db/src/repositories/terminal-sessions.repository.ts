import type { TerminalCommandView, TerminalSessionView } from '@su/contracts';
import type { DbClient } from '../database.ts';

const SESSION_SELECT = {
  id: true,
  machineId: true,
  openedByType: true,
  openedById: true,
  openedByLabel: true,
  clientAddress: true,
  sshUsername: true,
  status: true,
  endReason: true,
  closedByLabel: true,
  inputLogging: true,
  hostKeyFingerprint: true,
  openedAt: true,
  closedAt: true,
  durationMs: true,
  machine: { select: { name: true } },
} as const;

type SessionRow = {
  id: string;
  machineId: string;
  openedByType: string;
  openedById: string;
  openedByLabel: string;
  clientAddress: string | null;
  sshUsername: string;
  status: string;
  endReason: string | null;
  closedByLabel: string | null;
  inputLogging: boolean;
  hostKeyFingerprint: string | null;
  openedAt: Date;
  closedAt: Date | null;
  durationMs: number | null;
  machine: { name: string };
};

function viewOf(r: SessionRow): TerminalSessionView {
  return {
    id: r.id,
    machineId: r.machineId,
    machineName: r.machine.name,
    openedBy: { type: r.openedByType, id: r.openedById, label: r.openedByLabel },
    clientAddress: r.clientAddress,
    sshUsername: r.sshUsername,
    status: r.status === 'open' ? 'open' : 'closed',
    endReason: r.endReason,
    closedBy: r.closedByLabel,
    inputLogging: r.inputLogging,
    hostKeyFingerprint: r.hostKeyFingerprint,
    openedAt: r.openedAt.toISOString(),
    closedAt: r.closedAt?.toISOString() ?? null,
    durationMs: r.durationMs,
  };
}

/** `ssh_terminal_sessions` and `ssh_terminal_commands` (ADR 0043). */
export class TerminalSessionsRepository {
  constructor(private readonly db: DbClient) {}

  async open(input: {
    machineId: string;
    openedBy: { type: string; id: string; label: string };
    clientAddress: string | null;
    sshUsername: string;
    inputLogging: boolean;
    hostKeyFingerprint: string | null;
  }): Promise<{ id: string; openedAt: Date }> {
    return this.db.sshTerminalSession.create({
      data: {
        machineId: input.machineId,
        openedByType: input.openedBy.type,
        openedById: input.openedBy.id,
        openedByLabel: input.openedBy.label,
        clientAddress: input.clientAddress,
        sshUsername: input.sshUsername,
        inputLogging: input.inputLogging,
        hostKeyFingerprint: input.hostKeyFingerprint,
      },
      select: { id: true, openedAt: true },
    });
  }

  /** Closes an open session once (a second close, from another path, changes nothing). */
  async close(id: string, endReason: string, closedByLabel: string | null, now = new Date()): Promise<boolean> {
    const rows = await this.db.$executeRaw`
      UPDATE ssh_terminal_sessions
         SET status = 'closed', end_reason = ${endReason}, closed_by_label = ${closedByLabel}, closed_at = ${now},
             duration_ms = GREATEST(0, (EXTRACT(EPOCH FROM (${now}::timestamptz - opened_at)) * 1000)::int)
       WHERE id = ${id}::uuid AND status = 'open'`;
    return rows > 0;
  }

  async addCommand(sessionId: string, seq: number, entry: { line: string | null; hidden: boolean }): Promise<void> {
    await this.db.sshTerminalCommand.create({ data: { sessionId, seq, line: entry.line, hidden: entry.hidden } });
  }

  async find(id: string): Promise<TerminalSessionView | null> {
    const r = await this.db.sshTerminalSession.findUnique({ where: { id }, select: SESSION_SELECT });
    return r ? viewOf(r) : null;
  }

  async list(filter: {
    machineId?: string;
    status?: 'open' | 'closed';
    limit: number;
  }): Promise<TerminalSessionView[]> {
    const rows = await this.db.sshTerminalSession.findMany({
      where: {
        ...(filter.machineId ? { machineId: filter.machineId } : {}),
        ...(filter.status ? { status: filter.status } : {}),
      },
      orderBy: { openedAt: 'desc' },
      take: filter.limit,
      select: SESSION_SELECT,
    });
    return rows.map(viewOf);
  }

  async commands(sessionId: string): Promise<TerminalCommandView[]> {
    const rows = await this.db.sshTerminalCommand.findMany({
      where: { sessionId },
      orderBy: { seq: 'asc' },
      select: { seq: true, line: true, hidden: true, enteredAt: true },
    });
    return rows.map((r) => ({ ...r, enteredAt: r.enteredAt.toISOString() }));
  }

  /** Whether the session is still open (a session another gateway holds watches this for an admin's close). */
  async isOpen(id: string): Promise<boolean> {
    const r = await this.db.sshTerminalSession.findUnique({ where: { id }, select: { status: true } });
    return r?.status === 'open';
  }
}
