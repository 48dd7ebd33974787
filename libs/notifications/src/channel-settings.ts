import { z } from 'zod';
import type { ChannelKind } from '@su/contracts';

// What each channel kind needs: its shown settings (`config`) and its write-only secrets. A URL that carries a
// token (Discord's and Slack's webhook URLs) is a secret.

const httpUrl = z
  .string()
  .max(2048)
  .url()
  .refine((v) => /^https?:\/\//i.test(v), 'must be an http:// or https:// URL');
const text = (max: number) => z.string().min(1).max(max);
const address = z.string().max(320).email();

export const CHANNEL_SETTINGS = {
  ntfy: {
    config: z.strictObject({ url: httpUrl, topic: z.string().regex(/^[\w-]{1,64}$/, 'letters, digits, - and _') }),
    secrets: z.strictObject({ token: text(512).optional() }),
  },
  gotify: {
    config: z.strictObject({ url: httpUrl, priority: z.number().int().min(0).max(10).optional() }),
    secrets: z.strictObject({ token: text(512) }),
  },
  discord: { config: z.strictObject({}), secrets: z.strictObject({ webhookUrl: httpUrl }) },
  slack: { config: z.strictObject({}), secrets: z.strictObject({ webhookUrl: httpUrl }) },
  telegram: {
    config: z.strictObject({
      chatId: z.string().regex(/^(-?\d{1,20}|@\w{4,64})$/, 'a numeric chat id or @channel'),
      /** Telegram's Bot API by default; a compatible server otherwise. */
      apiUrl: httpUrl.optional(),
    }),
    secrets: z.strictObject({ botToken: z.string().regex(/^\d{1,20}:[\w-]{20,100}$/, 'a bot token (id:secret)') }),
  },
  webhook: {
    config: z.strictObject({ url: httpUrl }),
    secrets: z.strictObject({ signingSecret: z.string().min(32).max(512) }),
  },
  email: {
    config: z.strictObject({
      host: z.string().regex(/^[A-Za-z0-9.-]{1,253}$|^\[[0-9a-fA-F:]+\]$/, 'a host name or address'),
      port: z.number().int().min(1).max(65535),
      /** TLS from the first byte (465); otherwise STARTTLS when the server offers it. */
      secure: z.boolean().optional(),
      username: text(320).optional(),
      from: address,
      to: z.array(address).min(1).max(20),
    }),
    secrets: z.strictObject({ password: text(1024).optional() }),
  },
} as const satisfies Record<ChannelKind, { config: z.ZodType; secrets: z.ZodType }>;

export type ChannelConfig<K extends ChannelKind> = z.infer<(typeof CHANNEL_SETTINGS)[K]['config']>;
export type ChannelSecrets<K extends ChannelKind> = z.infer<(typeof CHANNEL_SETTINGS)[K]['secrets']>;

export interface FieldError {
  field: string;
  reasons: string[];
}

/** Validates `value` against a kind's schema; the errors name the field under `prefix` (never echo the value). */
export function checkSettings(
  schema: z.ZodType,
  value: unknown,
  prefix: 'config' | 'secrets',
): { ok: true; value: Record<string, unknown> } | { ok: false; errors: FieldError[] } {
  const res = schema.safeParse(value ?? {});
  if (res.success) return { ok: true, value: res.data as Record<string, unknown> };
  const byField = new Map<string, string[]>();
  for (const issue of res.error.issues) {
    const path = issue.path.length ? `${prefix}.${issue.path.join('.')}` : prefix;
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => `${path}.${k}`) : [path];
    const reason = issue.code === 'unrecognized_keys' ? 'is not a setting of this kind' : issue.message;
    for (const k of keys) byField.set(k, [...(byField.get(k) ?? []), reason]);
  }
  return { ok: false, errors: [...byField].map(([field, reasons]) => ({ field, reasons })) };
}
