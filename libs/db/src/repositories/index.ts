export * from './users.repository.ts';
export * from './user-sessions.repository.ts';
export * from './api-clients.repository.ts';
export * from './machines.repository.ts';
export * from './machine-events.repository.ts';
export * from './jobs.repository.ts';
export * from './app-settings.repository.ts';
