import type { ChannelKind, NotificationMessage } from '@su/contracts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from './webhook-signature.ts';

/** One HTTP request that delivers a message. Built without I/O, so each format is tested alone. */
export interface HttpDelivery {
  url: string;
  headers: Record<string, string>;
  body: string;
}

type Settings = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const JSON_TYPE = { 'content-type': 'application/json' };
const trimSlash = (u: string) => u.replace(/\/+$/, '');

const NTFY_PRIORITY = { info: '3', warning: '4', error: '5' } as const;
const GOTIFY_PRIORITY = { info: 4, warning: 6, error: 8 } as const;

/** ntfy: the text as the body, the title and priority as headers (https://docs.ntfy.sh/publish/). */
function ntfy(m: NotificationMessage, c: Settings, s: Settings): HttpDelivery {
  const token = str(s.token);
  return {
    url: `${trimSlash(str(c.url))}/${str(c.topic)}`,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      // Header values must be Latin-1: a non-ASCII title goes RFC 2047-encoded, which ntfy decodes.
      title: /^[\x20-\x7e]*$/.test(m.title) ? m.title : `=?UTF-8?B?${Buffer.from(m.title).toString('base64')}?=`,
      priority: NTFY_PRIORITY[m.severity],
      tags: m.kind,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: m.body,
  };
}

/** Gotify: POST /message with the application token in a header (not the query, which ends up in access logs). */
function gotify(m: NotificationMessage, c: Settings, s: Settings): HttpDelivery {
  const priority = typeof c.priority === 'number' ? c.priority : GOTIFY_PRIORITY[m.severity];
  return {
    url: `${trimSlash(str(c.url))}/message`,
    headers: { ...JSON_TYPE, 'x-gotify-key': str(s.token) },
    body: JSON.stringify({ title: m.title, message: m.body, priority }),
  };
}

/** Discord's webhook (`content`, 2,000 characters at most). */
function discord(m: NotificationMessage, _c: Settings, s: Settings): HttpDelivery {
  return {
    url: str(s.webhookUrl),
    headers: JSON_TYPE,
    body: JSON.stringify({ content: `**${m.title}**\n${m.body}`.slice(0, 2000), allowed_mentions: { parse: [] } }),
  };
}

/** Slack's incoming webhook (also Mattermost's and Rocket.Chat's): `text`. */
function slack(m: NotificationMessage, _c: Settings, s: Settings): HttpDelivery {
  return { url: str(s.webhookUrl), headers: JSON_TYPE, body: JSON.stringify({ text: `*${m.title}*\n${m.body}` }) };
}

/** Telegram's Bot API sendMessage, plain text (no parse_mode, so nothing in a name is read as markup). */
function telegram(m: NotificationMessage, c: Settings, s: Settings): HttpDelivery {
  const api = trimSlash(str(c.apiUrl) || 'https://api.telegram.org');
  return {
    url: `${api}/bot${str(s.botToken)}/sendMessage`,
    headers: JSON_TYPE,
    body: JSON.stringify({ chat_id: str(c.chatId), text: `${m.title}\n\n${m.body}`.slice(0, 4096) }),
  };
}

/** The generic webhook: the message as JSON, signed (webhook-signature.ts). */
function webhook(m: NotificationMessage, c: Settings, s: Settings, ctx: FormatContext): HttpDelivery {
  const body = JSON.stringify({ deliveryId: ctx.deliveryId, ...m });
  return {
    url: str(c.url),
    headers: {
      ...JSON_TYPE,
      [TIMESTAMP_HEADER]: String(ctx.nowSeconds),
      [DELIVERY_HEADER]: ctx.deliveryId,
      [SIGNATURE_HEADER]: webhookSignature(str(s.signingSecret), ctx.nowSeconds, body),
    },
    body,
  };
}

export interface FormatContext {
  deliveryId: string;
  nowSeconds: number;
}

const FORMATS = { ntfy, gotify, discord, slack, telegram, webhook } as const;

export type HttpChannelKind = keyof typeof FORMATS;

export function isHttpChannel(kind: ChannelKind): kind is HttpChannelKind {
  return Object.hasOwn(FORMATS, kind);
}

/** The HTTP request that delivers `m` on a channel of `kind` (every kind but e-mail). */
export function formatHttpDelivery(
  kind: HttpChannelKind,
  m: NotificationMessage,
  config: Settings,
  secrets: Settings,
  ctx: FormatContext,
): HttpDelivery {
  return FORMATS[kind](m, config, secrets, ctx);
}
