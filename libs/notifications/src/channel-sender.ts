import nodemailer from 'nodemailer';
import type { ChannelKind, NotificationMessage } from '@su/contracts';
import { formatHttpDelivery, isHttpChannel, type FormatContext } from './channel-formats.ts';

/**
 * A failed attempt, described without the request: a URL may carry a token (Telegram, Discord), so the log says
 * what went wrong (status, error code), never where to.
 */
export class DeliveryError extends Error {}

type Settings = Record<string, unknown>;

function describe(e: unknown): string {
  const err = e as { name?: string; code?: string; cause?: { code?: string }; responseCode?: number };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'timed out';
  const code = err?.cause?.code ?? err?.code;
  if (err?.responseCode) return `SMTP ${err.responseCode}`;
  return code ? `connection failed (${code})` : 'connection failed';
}

async function sendHttp(
  kind: Parameters<typeof formatHttpDelivery>[0],
  m: NotificationMessage,
  config: Settings,
  secrets: Settings,
  ctx: FormatContext & { timeoutMs: number },
): Promise<void> {
  const req = formatHttpDelivery(kind, m, config, secrets, ctx);
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      redirect: 'error',
      signal: AbortSignal.timeout(ctx.timeoutMs),
    });
  } catch (e) {
    throw new DeliveryError(describe(e));
  }
  // The body is read and dropped so the connection is reused; only the status is recorded.
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new DeliveryError(`HTTP ${res.status}`);
}

async function sendEmail(m: NotificationMessage, c: Settings, s: Settings, timeoutMs: number): Promise<void> {
  const username = typeof c.username === 'string' ? c.username : undefined;
  const password = typeof s.password === 'string' ? s.password : undefined;
  const transport = nodemailer.createTransport({
    host: String(c.host),
    port: Number(c.port),
    secure: c.secure === true,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    ...(username && password ? { auth: { user: username, pass: password } } : {}),
  });
  try {
    await transport.sendMail({
      from: String(c.from),
      to: (c.to as string[]).join(', '),
      subject: `[system-update] ${m.title}`,
      text: `${m.body}\n\n${m.at}`,
    });
  } catch (e) {
    throw new DeliveryError(describe(e));
  } finally {
    transport.close();
  }
}

/** Delivers one message on one channel; throws DeliveryError (a safe description) when it did not go through. */
export async function sendOnChannel(
  kind: ChannelKind,
  m: NotificationMessage,
  config: Settings,
  secrets: Settings,
  ctx: FormatContext & { timeoutMs: number },
): Promise<void> {
  if (isHttpChannel(kind)) return sendHttp(kind, m, config, secrets, ctx);
  return sendEmail(m, config, secrets, ctx.timeoutMs);
}
