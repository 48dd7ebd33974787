export * from './cron-spec.ts';
export * from './schedule.dto.ts';
export * from './schedules.service.ts';
export * from './schedules.module.ts';
