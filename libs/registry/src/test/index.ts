// Test helpers (a real docker-registry on loopback, htpasswd), for other projects' tests: `@su/registry/testing`.
export * from './htpasswd.ts';
export * from './local-registry.ts';
export * from './registry-fixture.ts';
export * from './rate-limit-proxy.ts';
