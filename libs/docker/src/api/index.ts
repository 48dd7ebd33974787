export * from './docker-api.dto.ts';
export * from './docker-stacks.service.ts';
export * from './docker-registries.service.ts';
export * from './docker-logs.service.ts';
export * from './docker-api.module.ts';
