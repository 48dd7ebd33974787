import { createHmac, timingSafeEqual } from 'node:crypto';

// The webhook channel's signature (docs/notifications-webhook.md). The receiver recomputes
// HMAC-SHA256(secret, `${timestamp}.${body}`) over the raw body, refuses a timestamp outside its tolerance, and
// refuses a delivery id it has already accepted: a captured request replayed later fails one of the two.

export const SIGNATURE_HEADER = 'x-su-signature';
export const TIMESTAMP_HEADER = 'x-su-timestamp';
export const DELIVERY_HEADER = 'x-su-delivery';

/** `v1=<hex>` over `${timestamp}.${body}` (timestamp: Unix seconds as sent in X-SU-Timestamp). */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export type WebhookCheck = { ok: true } | { ok: false; reason: 'bad_signature' | 'stale' | 'replayed' | 'missing' };

/**
 * What a receiver does (exported for receivers written in TypeScript, and for the tests): signature first, then the
 * timestamp window, then the delivery id against those already seen (kept at least as long as the window).
 */
export function verifyWebhook(
  secret: string,
  req: { signature?: string; timestamp?: string; deliveryId?: string; body: string },
  opts: { nowSeconds: number; toleranceSeconds: number; seen: Set<string> },
): WebhookCheck {
  const { signature, timestamp, deliveryId, body } = req;
  if (!signature || !timestamp || !deliveryId || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing' };
  const expected = Buffer.from(webhookSignature(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  if (Math.abs(opts.nowSeconds - Number(timestamp)) > opts.toleranceSeconds) return { ok: false, reason: 'stale' };
  if (opts.seen.has(deliveryId)) return { ok: false, reason: 'replayed' };
  opts.seen.add(deliveryId);
  return { ok: true };
}
