import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import { APP_CONFIG } from '@su/platform';
import { JobQueue } from '@su/queue';
import { NotificationDeliveryHandler } from './notification-delivery.handler.ts';

/** Consumes `notify.deliver` in this process (the scheduler, ADR 0035). */
@Injectable()
export class NotificationSender {
  constructor(
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(NotificationDeliveryHandler) private readonly handler: NotificationDeliveryHandler,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async start(): Promise<void> {
    await this.queue.workTask(
      'notify.deliver',
      // Several receivers at once, so one that hangs until its timeout does not hold back the others.
      { concurrency: 4, pollingIntervalSeconds: this.config.notify.pollSeconds },
      (data, attempt) => this.handler.deliver(data, attempt),
    );
  }
}
