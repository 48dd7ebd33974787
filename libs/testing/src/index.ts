export * from './test-database.ts';
export * from './lab/index.ts';
export * from './registry/index.ts';
export * from './fleet-seed.ts';
export * from './table-checksums.ts';
export * from './ssh/loopback-ssh-server.ts';
export * from './sim-fleet/index.ts';
export * from './sse-frames.ts';
