import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import { NotificationsRepository, sqlExecutor, type Tx } from '@su/db';
import { APP_CONFIG } from '@su/platform';
import { JobQueue, type TaskRetry } from '@su/queue';

/** Records a delivery and queues its task in the caller's transaction: the log row and the task exist together. */
@Injectable()
export class DeliveryQueue {
  constructor(
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get retry(): TaskRetry {
    const n = this.config.notify;
    return { limit: n.retryLimit, delaySeconds: n.retryDelaySeconds, maxDelaySeconds: n.retryMaxDelaySeconds };
  }

  async enqueue(tx: Tx, d: { eventId: string | null; channelId: string; isTest: boolean }): Promise<string> {
    const id = randomUUID();
    await new NotificationsRepository(tx).createDelivery({ id, ...d });
    await this.queue.sendTask('notify.deliver', { deliveryId: id }, { retry: this.retry, executor: sqlExecutor(tx) });
    return id;
  }
}
