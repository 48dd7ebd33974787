// How the client reaches one registry: scheme, credentials, request budget. A registry nobody configured is
// reached anonymously over HTTPS with the default budget.
import { DOCKER_HUB, registryApiHost } from './image-reference.ts';

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistrySettings {
  /** Registry name as in image references: `docker.io`, `ghcr.io`, `host:5000`. */
  registry: string;
  /** Plain HTTP instead of HTTPS. Only for registries on a trusted network (ADR 0027). */
  insecure?: boolean;
  /** Used for Basic auth and to ask a Bearer token endpoint; never logged or returned. */
  credentials?: RegistryCredentials | null;
  /** Most requests this registry may receive in one run (manifest, tag-list pages and retries). */
  requestBudget?: number;
}

export interface ResolvedRegistry {
  registry: string;
  /** `https://registry-1.docker.io`, `http://10.0.0.5:5000`. */
  baseUrl: string;
  insecure: boolean;
  credentials: RegistryCredentials | null;
  requestBudget: number;
}

/** Docker Hub's other names (its API host, the legacy index) mean docker.io, as in image references. */
export function normalizeRegistryName(registry: string): string {
  const name = registry.trim().toLowerCase();
  return name === 'index.docker.io' || name === 'registry-1.docker.io' ? DOCKER_HUB : name;
}

export function resolveRegistry(
  registry: string,
  configured: ReadonlyMap<string, RegistrySettings>,
  defaultBudget: number,
): ResolvedRegistry {
  const s = configured.get(registry);
  const insecure = s?.insecure === true;
  return {
    registry,
    baseUrl: `${insecure ? 'http' : 'https'}://${registryApiHost(registry)}`,
    insecure,
    credentials: s?.credentials ?? null,
    requestBudget: s?.requestBudget ?? defaultBudget,
  };
}
