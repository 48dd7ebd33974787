import { NotFoundException, type INestApplication } from '@nestjs/common';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { TokenEndWatcher, UpgradeAuthenticator } from '@su/auth';
import { refuseUpgrade } from '@su/http';
import { initialSize, TerminalSessionsService } from '@su/terminal';

const TERMINAL_PATH = /^\/api\/v1\/machines\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/terminal$/i;

/**
 * The web terminal's WebSocket (ADR 0043) on the gateway's HTTP server: `GET /api/v1/machines/{id}/terminal` with
 * `Upgrade: websocket` (`?cols=&rows=` the first size). An upgrade never reaches Nest's router, so the global rule is
 * applied here by UpgradeAuthenticator (scope `terminal` or admin) before the handshake completes; refusals are
 * problem details with their status. Any other upgrade is answered 404.
 */
export function attachTerminalUpgrade(app: INestApplication): void {
  const server = app.getHttpServer() as Server;
  const auth = app.get(UpgradeAuthenticator);
  const terminals = app.get(TerminalSessionsService);
  const tokens = app.get(TokenEndWatcher);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void upgrade(req, socket, head).catch((e: unknown) => refuseUpgrade(socket, e));
  });

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const machineId = TERMINAL_PATH.exec(url.pathname)?.[1];
    if (!machineId || req.method !== 'GET') throw new NotFoundException('no WebSocket here');
    const { principal, token } = await auth.authorizeMachineAct(req, { scope: 'terminal', machineId });
    await terminals.checkOpenable(machineId);
    terminals.accept(req, socket, head, machineId, {
      actor: { type: principal.type, id: principal.id, label: principal.label },
      clientAddress: req.socket.remoteAddress ?? null,
      size: initialSize(url.searchParams),
      watchTokenEnd: (onEnd) => {
        const sub = tokens.ended(token, principal).subscribe({ next: onEnd });
        return () => sub.unsubscribe();
      },
    });
  }
}
