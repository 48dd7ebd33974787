export * from './cron-spec.ts';
export * from './schedule.dto.ts';
export * from './schedule-preview.dto.ts';
export * from './schedules.service.ts';
export * from './schedules.module.ts';
export * from './schedule-firing.service.ts';
export * from './scheduler-leader.service.ts';
