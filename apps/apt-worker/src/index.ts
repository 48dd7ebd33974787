// The apt-worker's wiring, for the integration tests and benchmarks that run it in process.
export * from './apt-worker.module.ts';
export * from './apt-worker.handlers.ts';
