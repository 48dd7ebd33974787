// The gateway's wiring, for the benchmarks that run it in process.
export * from './gateway.app.ts';
