export * from './apt-analyze.handler.ts';
export * from './apt-apply.service.ts';
export * from './apt-apply.handlers.ts';
export * from './apt-jobs.module.ts';
export * from './dpkg-repair.service.ts';
