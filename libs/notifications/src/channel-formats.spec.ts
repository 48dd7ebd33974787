import { describe, expect, it } from 'vitest';
import type { NotificationMessage } from '@su/contracts';
import { formatHttpDelivery } from './channel-formats.ts';
import { CHANNEL_SETTINGS, checkSettings } from './channel-settings.ts';
import { verifyWebhook, webhookSignature } from './webhook-signature.ts';

const m: NotificationMessage = {
  kind: 'host_key_changed',
  title: 'Host key changed on wéb-1',
  body: 'blocked',
  severity: 'error',
  machineId: null,
  at: '2026-11-30T00:00:00.000Z',
};
const ctx = { deliveryId: 'd-1', nowSeconds: 1_800_000_000 };

describe('channel formats', () => {
  it('ntfy: text body, priority header, a non-ASCII title RFC 2047-encoded', () => {
    const r = formatHttpDelivery('ntfy', m, { url: 'http://n/', topic: 'fleet' }, { token: 'tk' }, ctx);
    expect(r.url).toBe('http://n/fleet');
    expect(r.headers).toMatchObject({ priority: '5', authorization: 'Bearer tk', tags: 'host_key_changed' });
    expect(r.headers.title).toBe(`=?UTF-8?B?${Buffer.from(m.title).toString('base64')}?=`);
    expect(r.body).toBe('blocked');
  });

  it('gotify keeps the token out of the URL; telegram sends plain text to the chat', () => {
    const g = formatHttpDelivery('gotify', m, { url: 'http://g' }, { token: 'gt' }, ctx);
    expect(g.url).toBe('http://g/message');
    expect(g.headers['x-gotify-key']).toBe('gt');
    const t = formatHttpDelivery('telegram', m, { chatId: '-100' }, { botToken: '1:abc' }, ctx);
    expect(t.url).toBe('https://api.telegram.org/bot1:abc/sendMessage');
    expect(JSON.parse(t.body)).toEqual({ chat_id: '-100', text: `${m.title}\n\nblocked` });
  });

  it('discord disables mentions; slack uses text', () => {
    const d = formatHttpDelivery('discord', m, {}, { webhookUrl: 'http://d' }, ctx);
    expect(JSON.parse(d.body).allowed_mentions).toEqual({ parse: [] });
    expect(JSON.parse(formatHttpDelivery('slack', m, {}, { webhookUrl: 'http://s' }, ctx).body).text).toContain('blocked');
  });

  it('the webhook is signed over timestamp and body; a replay or a changed body is refused', () => {
    const secret = 's'.repeat(32);
    const r = formatHttpDelivery('webhook', m, { url: 'http://w' }, { signingSecret: secret }, ctx);
    expect(r.headers['x-su-signature']).toBe(webhookSignature(secret, ctx.nowSeconds, r.body));
    const req = { signature: r.headers['x-su-signature'], timestamp: r.headers['x-su-timestamp'], deliveryId: 'd-1' };
    const seen = new Set<string>();
    const opts = { nowSeconds: ctx.nowSeconds + 10, toleranceSeconds: 300, seen };
    expect(verifyWebhook(secret, { ...req, body: r.body }, opts)).toEqual({ ok: true });
    expect(verifyWebhook(secret, { ...req, body: r.body }, opts)).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyWebhook(secret, { ...req, body: `${r.body} ` }, opts)).toEqual({ ok: false, reason: 'bad_signature' });
    const late = { ...opts, nowSeconds: ctx.nowSeconds + 301, seen: new Set<string>() };
    expect(verifyWebhook(secret, { ...req, body: r.body }, late)).toEqual({ ok: false, reason: 'stale' });
  });

  it('settings errors name the field and never the value', () => {
    const res = checkSettings(CHANNEL_SETTINGS.telegram.secrets, { botToken: 'leaky-value' }, 'secrets');
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.errors.map((e) => e.field)).toEqual(['secrets.botToken']);
      expect(JSON.stringify(res.errors)).not.toContain('leaky-value');
    }
  });
});
