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
    gatewayId: string;
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
        gatewayId: input.gatewayId,
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

  /**
   * The holding gateway's heartbeat: renews the rows of the sessions it holds and returns those still open (a row
   * closed meanwhile was closed elsewhere: by an administrator through another gateway).
   */
  async heartbeat(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      UPDATE ssh_terminal_sessions SET heartbeat_at = now()
       WHERE id = ANY(${[...ids]}::uuid[]) AND status = 'open'
      RETURNING id::text`;
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Closes, as `gateway_lost`, the open sessions whose heartbeat stopped more than `silentMs` ago (the database's
   * clock, which wrote the heartbeats: gateways on other hosts may disagree): their gateway died without closing them.
   * A session cannot have outlived its gateway's last heartbeat by more than one beat, so that is when it is recorded
   * closed. Returns the rows closed (each once, whichever gateway's sweep got it).
   */
  async closeLost(silentMs: number): Promise<{ id: string; machineId: string; gatewayId: string | null }[]> {
    return this.db.$queryRaw<{ id: string; machineId: string; gatewayId: string | null }[]>`
      UPDATE ssh_terminal_sessions
         SET status = 'closed', end_reason = 'gateway_lost', closed_at = heartbeat_at,
             duration_ms = GREATEST(0, (EXTRACT(EPOCH FROM (heartbeat_at - opened_at)) * 1000)::int)
       WHERE status = 'open' AND heartbeat_at < now() - make_interval(secs => ${silentMs / 1000}::float8)
      RETURNING id::text, machine_id::text AS "machineId", gateway_id AS "gatewayId"`;
  }

  /**
   * Retention (ADR 0035): how many closed sessions opened before `sessionsBefore` would go, and how many input lines
   * (entered before `commandsBefore`, or of a session that goes), with the rows' own size. Open sessions stay.
   */
  async retentionCounts(
    sessionsBefore: Date,
    commandsBefore: Date,
  ): Promise<{ sessions: number; commands: number; bytes: number }> {
    const [r] = await this.db.$queryRaw<{ sessions: number; commands: number; bytes: number }[]>`
      WITH s AS (SELECT x.* FROM ssh_terminal_sessions x WHERE x.status = 'closed' AND x.opened_at < ${sessionsBefore}),
           c AS (SELECT x.* FROM ssh_terminal_commands x
                  WHERE x.entered_at < ${commandsBefore} OR x.session_id IN (SELECT id FROM s))
      SELECT (SELECT count(*)::int FROM s) AS sessions, (SELECT count(*)::int FROM c) AS commands,
             (coalesce((SELECT sum(pg_column_size(s.*)) FROM s), 0)
               + coalesce((SELECT sum(pg_column_size(c.*)) FROM c), 0))::float8 AS bytes`;
    return r ?? { sessions: 0, commands: 0, bytes: 0 };
  }

  /** Deletes what `retentionCounts` counted: old input lines, then old closed sessions (their lines with them). */
  async deleteOlderThan(sessionsBefore: Date, commandsBefore: Date): Promise<void> {
    await this.db.$executeRaw`DELETE FROM ssh_terminal_commands WHERE entered_at < ${commandsBefore}`;
    await this.db.$executeRaw`
      DELETE FROM ssh_terminal_sessions WHERE status = 'closed' AND opened_at < ${sessionsBefore}`;
  }
}
