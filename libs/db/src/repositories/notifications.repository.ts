import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export interface ChannelRow {
  id: string;
  name: string;
  kind: string;
  enabled: boolean;
  configJson: unknown;
  encSecrets: string | null;
  createdAt: Date;
  updatedAt: Date;
  rules: { id: string; event: string; enabled: boolean; threshold: number | null }[];
}

export interface NewChannel {
  id: string;
  name: string;
  kind: string;
  enabled: boolean;
  config: Prisma.InputJsonValue;
  encSecrets: string | null;
}

export interface RuleInput {
  event: string;
  enabled: boolean;
  threshold: number | null;
}

export interface NewNotificationEvent {
  kind: string;
  dedupKey: string;
  machineId: string | null;
  title: string;
  body: string;
  payload?: Prisma.InputJsonValue;
}

/** A delivery with what sending it needs. */
export interface DeliveryWork {
  id: string;
  status: string;
  attempts: number;
  isTest: boolean;
  channel: { id: string; kind: string; enabled: boolean; configJson: unknown; encSecrets: string | null };
  event: { kind: string; title: string; body: string; machineId: string | null; createdAt: Date } | null;
  createdAt: Date;
}

export interface DeliveryRow {
  id: string;
  channelId: string;
  eventId: string | null;
  isTest: boolean;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  nextAttemptAt: Date | null;
  event: { kind: string; title: string } | null;
}

const RULES = { select: { id: true, event: true, enabled: true, threshold: true }, orderBy: { event: 'asc' } } as const;

/** Channels, rules, detected events and the delivery log (ADR 0035). */
export class NotificationsRepository {
  constructor(private readonly db: DbClient) {}

  async createChannel(c: NewChannel, rules: RuleInput[]): Promise<void> {
    await this.db.notificationChannel.create({
      data: {
        id: c.id,
        name: c.name,
        kind: c.kind,
        enabled: c.enabled,
        configJson: c.config,
        encSecrets: c.encSecrets,
        rules: { create: rules },
      },
    });
  }

  async updateChannel(
    id: string,
    patch: { name?: string; enabled?: boolean; config?: Prisma.InputJsonValue; encSecrets?: string | null },
  ): Promise<boolean> {
    const r = await this.db.notificationChannel.updateMany({
      where: { id },
      data: {
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
        ...(patch.config === undefined ? {} : { configJson: patch.config }),
        ...(patch.encSecrets === undefined ? {} : { encSecrets: patch.encSecrets }),
      },
    });
    return r.count === 1;
  }

  /** Replaces the channel's rules with `rules`. */
  async setRules(channelId: string, rules: RuleInput[]): Promise<void> {
    await this.db.notificationRule.deleteMany({ where: { channelId } });
    if (rules.length) await this.db.notificationRule.createMany({ data: rules.map((r) => ({ ...r, channelId })) });
  }

  async deleteChannel(id: string): Promise<boolean> {
    return (await this.db.notificationChannel.deleteMany({ where: { id } })).count === 1;
  }

  async channel(id: string): Promise<ChannelRow | null> {
    return this.db.notificationChannel.findUnique({ where: { id }, include: { rules: RULES } });
  }

  async channels(): Promise<ChannelRow[]> {
    return this.db.notificationChannel.findMany({ orderBy: { createdAt: 'asc' }, include: { rules: RULES } });
  }

  /** The enabled channels with an enabled rule for `event`, and that rule's threshold. */
  async listeners(event: string): Promise<{ channelId: string; threshold: number | null }[]> {
    const rules = await this.db.notificationRule.findMany({
      where: { event, enabled: true, channel: { enabled: true } },
      select: { channelId: true, threshold: true },
    });
    return rules;
  }

  /** The event's id, or null when the same fact (dedup key) was recorded before. */
  async insertEvent(e: NewNotificationEvent): Promise<string | null> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      INSERT INTO notification_events (kind, dedup_key, machine_id, title, body, payload)
      VALUES (${e.kind}, ${e.dedupKey}, ${e.machineId}::uuid, ${e.title}, ${e.body},
              ${e.payload === undefined ? null : JSON.stringify(e.payload)}::jsonb)
      ON CONFLICT (dedup_key) DO NOTHING RETURNING id::text`;
    return rows[0]?.id ?? null;
  }

  async createDelivery(d: { id: string; eventId: string | null; channelId: string; isTest: boolean }): Promise<void> {
    await this.db.notificationDelivery.create({ data: d });
  }

  async deliveryWork(id: string): Promise<DeliveryWork | null> {
    return this.db.notificationDelivery.findUnique({
      where: { id },
      select: {
        id: true,
        status: true,
        attempts: true,
        isTest: true,
        createdAt: true,
        channel: { select: { id: true, kind: true, enabled: true, configJson: true, encSecrets: true } },
        event: { select: { kind: true, title: true, body: true, machineId: true, createdAt: true } },
      },
    });
  }

  async markDelivered(id: string): Promise<void> {
    await this.db.notificationDelivery.update({
      where: { id },
      data: { status: 'delivered', attempts: { increment: 1 }, deliveredAt: new Date(), lastError: null, nextAttemptAt: null },
    });
  }

  /** A failed attempt: `retrying` until `nextAttemptAt`, or `failed` for good (nextAttemptAt null). */
  async markAttemptFailed(id: string, error: string, nextAttemptAt: Date | null): Promise<void> {
    await this.db.notificationDelivery.update({
      where: { id },
      data: { status: nextAttemptAt ? 'retrying' : 'failed', attempts: { increment: 1 }, lastError: error, nextAttemptAt },
    });
  }

  async deliveries(filter: { channelId?: string; limit: number }): Promise<DeliveryRow[]> {
    return this.db.notificationDelivery.findMany({
      where: filter.channelId ? { channelId: filter.channelId } : {},
      orderBy: { createdAt: 'desc' },
      take: filter.limit,
      include: { event: { select: { kind: true, title: true } } },
    });
  }
}
