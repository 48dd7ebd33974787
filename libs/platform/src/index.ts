export * from './tokens.ts';
export * from './jobs.service.ts';
export * from './job-handler.ts';
export * from './job-runner.ts';
export * from './selftest.handler.ts';
export * from './platform.module.ts';
export * from './service-logger.ts';
export * from './service-runtime.ts';
