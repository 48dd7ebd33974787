import { Module } from '@nestjs/common';
import { DeliveryQueue } from './delivery-queue.ts';
import { NotificationChannelsService } from './notification-channels.service.ts';
import { NotificationDeliveryHandler } from './notification-delivery.handler.ts';
import { NotificationDispatcher } from './notification-dispatcher.service.ts';
import { NotificationSender } from './notification-sender.ts';

/** Notifications (ADR 0035): the API's channels service in the gateway; dispatcher and sender in the scheduler. */
@Module({
  providers: [
    DeliveryQueue,
    NotificationChannelsService,
    NotificationDeliveryHandler,
    NotificationDispatcher,
    NotificationSender,
  ],
  exports: [NotificationChannelsService, NotificationDispatcher, NotificationSender],
})
export class NotificationsModule {}
