export * from './notifications.module.ts';
export * from './notifications.dto.ts';
export * from './notification-channels.service.ts';
export * from './notification-dispatcher.service.ts';
export * from './notification-sender.ts';
export * from './webhook-signature.ts';
export * from './channel-formats.ts';
export * from './channel-settings.ts';
