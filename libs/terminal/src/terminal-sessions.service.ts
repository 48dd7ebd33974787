import {
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type {
  Actor,
  TerminalCommandView,
  TerminalEndReason,
  TerminalServerMessage,
  TerminalSessionView,
  TerminalSettings,
} from '@su/contracts';
import { Database, MachineEventsRepository, MachineScopeRepository, TerminalSessionsRepository } from '@su/db';
import { MachineConnector, type OpenedMachine } from '@su/machine-access';
import type { TerminalSize } from '@su/ssh';
import { LiveTerminal } from './live-terminal.ts';
import { TERMINAL_CLOSE_CODES, TERMINAL_MAX_MESSAGE_BYTES } from './terminal-protocol.ts';
import { TerminalSettingsService } from './terminal-settings.service.ts';

/** Who opens a terminal, as the gateway's upgrade check established it. */
export interface TerminalOpener {
  actor: { type: 'user' | 'api_client'; id: string; label: string };
  clientAddress: string | null;
  size: TerminalSize;
  /** Calls back once when the opener's token stops authenticating; returns how to stop watching. */
  watchTokenEnd: (onEnd: () => void) => () => void;
}

/**
 * How often this gateway renews the rows of the sessions it holds (their heartbeat), learns which of them an
 * administrator closed through another gateway, and closes the sessions of gateways that died.
 */
const SWEEP_MS = 5_000;
/**
 * An open session whose heartbeat is older than this lost its gateway. Twelve missed beats: a gateway stalled by a
 * loaded host must not see its live sessions taken for lost.
 */
export const TERMINAL_GATEWAY_LOST_AFTER_MS = 60_000;

/**
 * Web SSH terminals (issue 20, ADR 0043): refuses them while the setting is off, opens the SSH session with the
 * stored credentials through the one machine connector (blocked machines and changed host keys refused there), joins
 * it to the browser's WebSocket, records each session, and lets an administrator list and close them.
 */
@Injectable()
export class TerminalSessionsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Terminal');
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: TERMINAL_MAX_MESSAGE_BYTES });
  private readonly live = new Map<string, LiveTerminal>();
  private sweep: NodeJS.Timeout | null = null;
  /** This process's gateway, as recorded on the sessions it holds (a restart is another gateway). */
  readonly gatewayId = `gateway:${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
    @Inject(TerminalSettingsService) private readonly settings: TerminalSettingsService,
  ) {}

  /** At start, and every few seconds: sessions a dead gateway left open are closed at once, not at the next beat. */
  onModuleInit(): void {
    void this.sweepOnce();
    this.sweep = setInterval(() => void this.sweepOnce(), SWEEP_MS);
    this.sweep.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    await Promise.allSettled([...this.live.values()].map((t) => t.end('gateway_stopped', null)));
    this.wss.close();
  }

  /** Refusals that need no network: the feature off (403 `terminal_disabled`), no such machine (404). */
  async checkOpenable(machineId: string): Promise<TerminalSettings> {
    const settings = await this.settings.get();
    if (!settings.enabled)
      throw new ForbiddenException({
        statusCode: 403,
        message: 'the web terminal is disabled (an administrator turns it on: PUT /api/v1/settings/terminal)',
        reason: 'terminal_disabled',
      });
    const target = await new MachineScopeRepository(this.db.prisma).machine(machineId);
    if (target.missing) throw new NotFoundException(`machine ${machineId} not found`);
    return settings;
  }

  /** Completes the WebSocket handshake, then opens the SSH session; a refusal there is told on the socket. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, machineId: string, who: TerminalOpener): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.start(ws, machineId, who));
  }

  list(filter: { machineId?: string; status?: 'open' | 'closed'; limit: number }): Promise<TerminalSessionView[]> {
    return new TerminalSessionsRepository(this.db.prisma).list(filter);
  }

  async find(id: string): Promise<TerminalSessionView> {
    const s = await new TerminalSessionsRepository(this.db.prisma).find(id);
    if (!s) throw new NotFoundException(`terminal session ${id} not found`);
    return s;
  }

  async commands(id: string): Promise<TerminalCommandView[]> {
    await this.find(id);
    return new TerminalSessionsRepository(this.db.prisma).commands(id);
  }

  /** An administrator ends a session: at once when this gateway holds it, else at its holder's next check. */
  async close(id: string, by: Actor): Promise<TerminalSessionView> {
    const session = await this.find(id);
    const label = by.label ?? by.id ?? 'admin';
    const held = this.live.get(id);
    if (held) await held.end('closed_by_admin', label);
    else if (session.status === 'open')
      await new TerminalSessionsRepository(this.db.prisma).close(id, 'closed_by_admin', label);
    return this.find(id);
  }

  private async start(ws: WebSocket, machineId: string, who: TerminalOpener): Promise<void> {
    const settings = await this.settings.get();
    const actor: Actor = who.actor;
    let opened: OpenedMachine | null = null;
    try {
      opened = await this.connector.open(machineId, { actor, purpose: 'terminal', reuse: false });
      const shell = await opened.session.shell(who.size);
      const repo = new TerminalSessionsRepository(this.db.prisma);
      const row = await repo.open({
        machineId,
        openedBy: who.actor,
        clientAddress: who.clientAddress,
        sshUsername: opened.machine.username,
        inputLogging: settings.logInput,
        hostKeyFingerprint: opened.session.hostKey.fingerprintSha256,
        gatewayId: this.gatewayId,
      });
      await this.event(machineId, actor, 'terminal.opened', `web terminal opened by ${who.actor.label}`, row.id);
      this.send(ws, {
        type: 'opened',
        sessionId: row.id,
        inputLogging: settings.logInput,
        idleTimeoutSeconds: settings.idleTimeoutSeconds,
        maxDurationSeconds: settings.maxDurationSeconds,
      });
      this.join(ws, row.id, machineId, opened, shell, settings, who);
    } catch (e) {
      await opened?.session.close();
      this.refuse(ws, e);
      const kind = errorKindOf(e);
      await this.event(machineId, actor, 'terminal.refused', `web terminal refused: ${kind}`, null).catch(() => null);
    }
  }

  private join(
    ws: WebSocket,
    sessionId: string,
    machineId: string,
    opened: OpenedMachine,
    shell: Awaited<ReturnType<OpenedMachine['session']['shell']>>,
    settings: TerminalSettings,
    who: TerminalOpener,
  ): void {
    const repo = new TerminalSessionsRepository(this.db.prisma);
    const stopWatching = who.watchTokenEnd(() => void this.live.get(sessionId)?.end('token_ended', null));
    const terminal = new LiveTerminal({
      sessionId,
      ws,
      shell,
      disconnect: () => opened.session.close(),
      recordLine: settings.logInput ? (seq, line) => repo.addCommand(sessionId, seq, line) : null,
      recordEnd: async (reason: TerminalEndReason, closedBy) => {
        await repo.close(sessionId, reason, closedBy);
        await this.event(machineId, who.actor, 'terminal.closed', `web terminal closed (${reason})`, sessionId);
      },
      idleTimeoutMs: settings.idleTimeoutSeconds * 1000,
      maxDurationMs: settings.maxDurationSeconds * 1000,
      onEnded: () => {
        stopWatching();
        this.live.delete(sessionId);
      },
    });
    this.live.set(sessionId, terminal);
  }

  private refuse(ws: WebSocket, e: unknown): void {
    // Classified errors (SSH, machine access) are written for people; anything else may hold internals.
    const classified = e instanceof Error && typeof (e as { errorKind?: unknown }).errorKind === 'string';
    if (!classified) this.logger.warn(`terminal open failed: ${e instanceof Error ? e.message : String(e)}`);
    const message = classified ? e.message : 'the terminal could not be opened; the fault is logged';
    this.send(ws, { type: 'error', errorKind: errorKindOf(e), message });
    ws.close(TERMINAL_CLOSE_CODES.refused, errorKindOf(e).slice(0, 100));
  }

  private send(ws: WebSocket, msg: TerminalServerMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  }

  private event(machineId: string, actor: Actor, eventType: string, message: string, sessionId: string | null) {
    return new MachineEventsRepository(this.db.prisma).insert({
      machineId,
      eventType,
      actor,
      message,
      payload: { terminalSessionId: sessionId },
    });
  }

  /** One pass: the heartbeat of the sessions held here, then the sessions dead gateways left open. */
  async sweepOnce(): Promise<void> {
    try {
      await this.endClosedElsewhere();
      await this.closeLost();
    } catch (e) {
      // The next pass tries again; a database hiccup must not end live sessions.
      this.logger.warn(`terminal sweep failed: ${(e as Error).message}`);
    }
  }

  /** Renews the rows of the sessions held here; those whose row an administrator closed elsewhere end. */
  private async endClosedElsewhere(): Promise<void> {
    const held = [...this.live.keys()];
    const open = await new TerminalSessionsRepository(this.db.prisma).heartbeat(held);
    for (const id of held) if (!open.has(id)) await this.live.get(id)?.end('closed_by_admin', null);
  }

  /** Open sessions whose gateway stopped beating: closed `gateway_lost`, each told on its machine's timeline. */
  private async closeLost(): Promise<void> {
    const lost = await new TerminalSessionsRepository(this.db.prisma).closeLost(TERMINAL_GATEWAY_LOST_AFTER_MS);
    for (const s of lost) {
      this.logger.warn(`terminal session ${s.id} closed: its gateway (${s.gatewayId ?? 'unknown'}) is gone`);
      const system: Actor = { type: 'system', id: this.gatewayId };
      await this.event(s.machineId, system, 'terminal.closed', 'web terminal closed (gateway_lost)', s.id);
    }
  }
}

function errorKindOf(e: unknown): string {
  const kind = (e as { errorKind?: unknown } | null)?.errorKind;
  return typeof kind === 'string' ? kind : 'terminal_failed';
}
