import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import type { ChannelKind, NotificationMessage } from '@su/contracts';
import { Database, NotificationsRepository, type DeliveryWork } from '@su/db';
import { APP_CONFIG } from '@su/platform';
import type { TaskAttempt } from '@su/queue';
import { SecretBox } from '@su/security';
import { decryptChannelSecrets } from './channel-secrets.ts';
import { DeliveryError, sendOnChannel } from './channel-sender.ts';

const SEVERITY: Record<string, NotificationMessage['severity']> = {
  schedule_run_failed: 'error',
  host_key_changed: 'error',
  machine_unreachable: 'error',
  security_updates: 'warning',
  reboot_required: 'warning',
  approval_waiting: 'warning',
};

function messageOf(d: DeliveryWork): NotificationMessage {
  if (!d.event)
    return {
      kind: 'test',
      title: 'Test notification',
      body: 'This channel works: system-update reached it.',
      severity: 'info',
      machineId: null,
      at: d.createdAt.toISOString(),
    };
  return {
    kind: d.event.kind as NotificationMessage['kind'],
    title: d.event.title,
    body: d.event.body,
    severity: SEVERITY[d.event.kind] ?? 'info',
    machineId: d.event.machineId,
    at: d.event.createdAt.toISOString(),
  };
}

/**
 * Sends one delivery (the `notify.deliver` task). A failed attempt is recorded and thrown, so pg-boss retries it
 * with backoff; the last one is recorded `failed` and not thrown. It runs in the scheduler process, off the job
 * workers: a receiver that hangs costs a task slot, never a machine job.
 */
@Injectable()
export class NotificationDeliveryHandler {
  private readonly logger = new Logger('Notifications');

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(SecretBox) private readonly box: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async deliver(data: Record<string, unknown>, attempt: TaskAttempt): Promise<void> {
    const repo = new NotificationsRepository(this.db.prisma);
    const d = typeof data.deliveryId === 'string' ? await repo.deliveryWork(data.deliveryId) : null;
    // Gone (channel deleted) or already through (a duplicate delivery of the task): nothing to do.
    if (!d || d.status === 'delivered' || d.status === 'failed') return;
    if (!d.channel.enabled) return repo.markAttemptFailed(d.id, 'channel disabled', null);
    try {
      await sendOnChannel(
        d.channel.kind as ChannelKind,
        messageOf(d),
        d.channel.configJson as Record<string, unknown>,
        decryptChannelSecrets(this.box, d.channel.id, d.channel.encSecrets),
        { deliveryId: d.id, nowSeconds: Math.floor(Date.now() / 1000), timeoutMs: this.config.notify.timeoutSeconds * 1000 },
      );
    } catch (e) {
      return this.failed(repo, d, e, attempt);
    }
    await repo.markDelivered(d.id);
  }

  private async failed(repo: NotificationsRepository, d: DeliveryWork, e: unknown, a: TaskAttempt): Promise<void> {
    const reason = e instanceof DeliveryError ? e.message : 'internal error';
    if (!(e instanceof DeliveryError)) this.logger.error(`delivery ${d.id}: ${(e as Error).message}`);
    const last = a.retryCount >= a.retryLimit;
    const n = this.config.notify;
    const delay = Math.min(n.retryMaxDelaySeconds, n.retryDelaySeconds * 2 ** a.retryCount);
    await repo.markAttemptFailed(d.id, reason, last ? null : new Date(Date.now() + delay * 1000));
    this.logger.warn(`delivery ${d.id} (${d.channel.kind}) attempt ${a.retryCount + 1} failed: ${reason}`);
    if (!last) throw new DeliveryError(reason);
  }
}
