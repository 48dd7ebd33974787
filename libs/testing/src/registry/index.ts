// Registries for tests (issue 13): a real docker-registry (Debian) on loopback or a lab address, guarded by htpasswd
// or by token auth with a real token server, and a real HTTP proxy in front answering 429, dropping the digest
// header or paging tag lists. Used by libs/registry's integration tests; lab specs may start them on the bridge.
export { REGISTRY_BINARY, startLocalRegistry, accessEntries } from './local-registry.ts';
export type { AccessEntry, LocalRegistry, LocalRegistryAuth } from './local-registry.ts';
export { writeHtpasswd } from './htpasswd.ts';
export { startTokenServer } from './token-server.ts';
export type { TokenServer } from './token-server.ts';
export { startRateLimitProxy } from './registry-proxy.ts';
export type { ProxiedRequest, ProxyOptions, RateLimitProxy } from './registry-proxy.ts';
export { registryFixture } from './registry-fixture.ts';
export type { RegistryFixture } from './registry-fixture.ts';
