import { randomUUID } from 'node:crypto';
import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type {
  Actor,
  ChannelKind,
  DeliveryStatus,
  NotificationChannelView,
  NotificationDeliveryView,
  NotificationEventKind,
} from '@su/contracts';
import { Database, MachineEventsRepository, NotificationsRepository, type ChannelRow, type Prisma, type Tx } from '@su/db';
import { SecretBox } from '@su/security';
import { CHANNEL_SETTINGS, checkSettings, type FieldError } from './channel-settings.ts';
import { decryptChannelSecrets, encryptChannelSecrets } from './channel-secrets.ts';
import { DeliveryQueue } from './delivery-queue.ts';
import type { CreateChannelDto, NotificationRuleDto, UpdateChannelDto } from './notifications.dto.ts';

function toView(r: ChannelRow, secretsSet: string[]): NotificationChannelView {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as ChannelKind,
    enabled: r.enabled,
    config: r.configJson as Record<string, unknown>,
    secretsSet,
    rules: r.rules.map((x) => ({ ...x, event: x.event as NotificationEventKind })),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const rulesOf = (rules: NotificationRuleDto[] | undefined) => {
  const seen = new Set<string>();
  return (rules ?? [])
    .filter((r) => !seen.has(r.event) && seen.add(r.event))
    .map((r) => ({ event: r.event, enabled: r.enabled ?? true, threshold: r.threshold ?? null }));
};

/**
 * Channels and their rules (the API). Secrets are validated, encrypted at once and never returned: a view lists
 * which are set, by name.
 */
@Injectable()
export class NotificationChannelsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(SecretBox) private readonly box: SecretBox,
    @Inject(DeliveryQueue) private readonly deliveries: DeliveryQueue,
  ) {}

  async list(): Promise<NotificationChannelView[]> {
    const rows = await new NotificationsRepository(this.db.prisma).channels();
    return rows.map((r) => toView(r, this.secretNames(r)));
  }

  async get(id: string): Promise<NotificationChannelView> {
    const r = await this.mustExist(id);
    return toView(r, this.secretNames(r));
  }

  async create(dto: CreateChannelDto, actor: Actor): Promise<NotificationChannelView> {
    const { config, secrets } = this.validated(dto.kind, dto.config, dto.secrets ?? {});
    const id = randomUUID();
    await this.db.transaction(async (tx) => {
      await new NotificationsRepository(tx).createChannel(
        {
          id,
          name: dto.name,
          kind: dto.kind,
          enabled: dto.enabled ?? true,
          config: config as Prisma.InputJsonValue,
          encSecrets: encryptChannelSecrets(this.box, id, secrets),
        },
        rulesOf(dto.rules),
      );
      await this.audit(tx, actor, 'notification.channel_created', `notification channel "${dto.name}" created`, id);
    });
    return this.get(id);
  }

  async update(id: string, dto: UpdateChannelDto, actor: Actor): Promise<NotificationChannelView> {
    const r = await this.mustExist(id);
    const kind = r.kind as ChannelKind;
    const config = dto.config ?? (r.configJson as Record<string, unknown>);
    const secrets = dto.secrets ?? decryptChannelSecrets(this.box, id, r.encSecrets);
    const checked = this.validated(kind, config, secrets);
    await this.db.transaction(async (tx) => {
      await new NotificationsRepository(tx).updateChannel(id, {
        ...(dto.name === undefined ? {} : { name: dto.name }),
        ...(dto.enabled === undefined ? {} : { enabled: dto.enabled }),
        ...(dto.config === undefined ? {} : { config: checked.config as Prisma.InputJsonValue }),
        ...(dto.secrets === undefined ? {} : { encSecrets: encryptChannelSecrets(this.box, id, checked.secrets) }),
      });
      await this.audit(tx, actor, 'notification.channel_updated', `notification channel "${r.name}" updated`, id);
    });
    return this.get(id);
  }

  async setRules(id: string, rules: NotificationRuleDto[], actor: Actor): Promise<NotificationChannelView> {
    const r = await this.mustExist(id);
    await this.db.transaction(async (tx) => {
      await new NotificationsRepository(tx).setRules(id, rulesOf(rules));
      await this.audit(tx, actor, 'notification.rules_set', `notification rules of "${r.name}" set`, id);
    });
    return this.get(id);
  }

  async remove(id: string, actor: Actor): Promise<void> {
    const r = await this.mustExist(id);
    await this.db.transaction(async (tx) => {
      await new NotificationsRepository(tx).deleteChannel(id);
      await this.audit(tx, actor, 'notification.channel_deleted', `notification channel "${r.name}" deleted`, id);
    });
  }

  /** "Send test": a delivery like any other (queued, retried, logged), without an event. */
  async sendTest(id: string, actor: Actor): Promise<{ deliveryId: string }> {
    const r = await this.mustExist(id);
    const deliveryId = await this.db.transaction(async (tx) => {
      const d = await this.deliveries.enqueue(tx, { eventId: null, channelId: id, isTest: true });
      await this.audit(tx, actor, 'notification.test_sent', `test notification sent to "${r.name}"`, id);
      return d;
    });
    return { deliveryId };
  }

  async deliveryLog(filter: { channelId?: string; limit: number }): Promise<NotificationDeliveryView[]> {
    const rows = await new NotificationsRepository(this.db.prisma).deliveries(filter);
    return rows.map((d) => ({
      id: d.id,
      channelId: d.channelId,
      eventId: d.eventId,
      eventKind: d.isTest ? 'test' : (d.event?.kind ?? 'unknown'),
      title: d.isTest ? 'Test notification' : (d.event?.title ?? ''),
      isTest: d.isTest,
      status: d.status as DeliveryStatus,
      attempts: d.attempts,
      lastError: d.lastError,
      createdAt: d.createdAt.toISOString(),
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    }));
  }

  private validated(kind: ChannelKind, config: unknown, secrets: unknown) {
    const c = checkSettings(CHANNEL_SETTINGS[kind].config, config, 'config');
    const s = checkSettings(CHANNEL_SETTINGS[kind].secrets, secrets, 'secrets');
    const errors: FieldError[] = [...(c.ok ? [] : c.errors), ...(s.ok ? [] : s.errors)];
    if (!c.ok || !s.ok) throw new BadRequestException({ message: 'invalid channel settings', errors });
    return { config: c.value, secrets: s.value };
  }

  private secretNames(r: ChannelRow): string[] {
    try {
      return Object.keys(decryptChannelSecrets(this.box, r.id, r.encSecrets)).sort();
    } catch {
      // A master key that cannot open it: shown as unset, so the admin enters it again.
      return [];
    }
  }

  private async mustExist(id: string): Promise<ChannelRow> {
    const r = await new NotificationsRepository(this.db.prisma).channel(id);
    if (!r) throw new NotFoundException('no such notification channel');
    return r;
  }

  private async audit(tx: Tx, actor: Actor, eventType: string, message: string, channelId: string): Promise<void> {
    await new MachineEventsRepository(tx).insert({ machineId: null, eventType, actor, message, payload: { channelId } });
  }
}
