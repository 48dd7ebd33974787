// The docker-worker's wiring, for the integration and lab tests that run it in process.
export * from './docker-worker.module.ts';
export * from './docker-worker.handlers.ts';
