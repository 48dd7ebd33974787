export * from './scheduler.module.ts';
export * from './scheduler.maintenance.ts';
