export * from './principal.ts';
export * from './auth.service.ts';
export * from './api-clients.service.ts';
export * from './admin-bootstrap.service.ts';
export * from './auth.guard.ts';
export * from './auth.dto.ts';
export * from './auth.module.ts';
