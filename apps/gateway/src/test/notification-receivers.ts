import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { verifyWebhook } from '@su/notifications';

// Real receivers on 127.0.0.1 for the notification tests: an ntfy-compatible server, a webhook receiver that checks
// the signature and refuses a replay, an SMTP server, and one that always answers 503.

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface HttpReceiver {
  url: string;
  received: Received[];
  close: () => Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const closing = (server: Server) => () =>
  new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });

/** Answers each POST with `status(req)`; records every request. */
export async function httpReceiver(status: (r: Received) => number = () => 200): Promise<HttpReceiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString(), at: Date.now() };
      received.push(r);
      res.writeHead(status(r), { 'content-type': 'application/json' }).end('{}');
    });
  });
  return { url: await listen(server), received, close: closing(server) };
}

export interface WebhookReceiver extends HttpReceiver {
  accepted: Received[];
  refused: { reason: string; request: Received }[];
  /** Sends a captured request again, as an attacker who recorded it would. */
  replay: (r: Received) => Promise<number>;
}

/** A webhook receiver as docs/notifications-webhook.md tells receivers to write it (5 minutes' tolerance). */
export async function webhookReceiver(secret: string): Promise<WebhookReceiver> {
  const seen = new Set<string>();
  const accepted: Received[] = [];
  const refused: WebhookReceiver['refused'] = [];
  const h = (r: Received, name: string) => (typeof r.headers[name] === 'string' ? (r.headers[name] as string) : undefined);
  const inner = await httpReceiver((r) => {
    const check = verifyWebhook(
      secret,
      { signature: h(r, 'x-su-signature'), timestamp: h(r, 'x-su-timestamp'), deliveryId: h(r, 'x-su-delivery'), body: r.body },
      { nowSeconds: Math.floor(Date.now() / 1000), toleranceSeconds: 300, seen },
    );
    if (check.ok) {
      accepted.push(r);
      return 200;
    }
    refused.push({ reason: check.reason, request: r });
    return check.reason === 'replayed' ? 409 : 401;
  });
  const replay = async (r: Received) => {
    const headers: Record<string, string> = {};
    for (const k of ['content-type', 'x-su-signature', 'x-su-timestamp', 'x-su-delivery'])
      if (typeof r.headers[k] === 'string') headers[k] = r.headers[k] as string;
    const res = await fetch(`${inner.url}${r.path}`, { method: 'POST', headers, body: r.body });
    return res.status;
  };
  return { ...inner, accepted, refused, replay };
}

export interface SmtpReceiver {
  port: number;
  messages: { from: string; to: string[]; raw: string }[];
  close: () => Promise<void>;
}

/** A local SMTP server (smtp-server) that keeps every message; no TLS, no auth, as a LAN relay might be. */
export async function smtpReceiver(): Promise<SmtpReceiver> {
  const messages: SmtpReceiver['messages'] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, messages, close: () => new Promise<void>((r) => server.close(() => r())) };
}
