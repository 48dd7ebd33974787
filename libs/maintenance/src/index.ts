export * from './maintenance.module.ts';
export * from './maintenance.dto.ts';
export * from './cleanup.service.ts';
export * from './retention-settings.service.ts';
export * from './system-metrics.sampler.ts';
