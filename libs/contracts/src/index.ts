export * from './scopes.ts';
export * from './error-kinds.ts';
export * from './jobs.ts';
export * from './machines.ts';
export * from './sql.ts';
export * from './machine-probe.ts';
export * from './apt.ts';
export * from './approvals.ts';
