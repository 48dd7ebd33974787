export * from './machine.dto.ts';
export * from './pending-updates.dto.ts';
export * from './machines.service.ts';
export * from './machines.module.ts';
export * from './hostname.validator.ts';
export * from './machine-actions.service.ts';
export * from './fleet-stats.service.ts';
