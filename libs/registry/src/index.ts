// @su/registry — the central container-registry client (issue 13, ADR 0027). Pure Node (node:http/https with
// keep-alive), no Nest.
// The docker-worker asks registries here, never the machines, and never pulls: only manifest and tag-list requests.
//
// Public API
// - parseImageReference(input) → { ok, reference: ImageReference } | { ok: false, reason } — Docker's normalization
//   (`nginx` → docker.io/library/nginx:latest; a first component with `.`, `:` or `localhost` is a registry).
//   parseImageReferenceOrThrow, InvalidImageReferenceError, registryApiHost('docker.io') = 'registry-1.docker.io'.
// - new RegistryClient({ registries: [{ registry, insecure?, credentials?: { username, password }, requestBudget? }],
//   concurrency?, cacheTtlMs?, defaultRequestBudget?, timeoutMs?, maxRateLimitRetries?, maxRetryAfterMs?, ... })
//   kept for the worker's life (auth challenges, tokens until expiry, the digest cache with its TTL);
//   client.configure(registries) after a settings change; client.clearCache().
// - client.checkDigests(refs, { bypassCache? }) → { results: DigestCheck[] (one per input, input order), stats }.
//   One request per unique reference (HEAD manifests with the OCI index / manifest list / OCI / v2 media types;
//   GET of the manifest only when HEAD lacks Docker-Content-Digest), bounded concurrency, per-registry budget.
// - client.startRun() → RegistryCheckRun: run.checkDigests(refs, opts), run.checkNewerVersions(refs) (one paginated
//   tag list per repository, within the same budget), run.listTags(image), run.stats() (requests per registry).
// - DigestCheck.status: 'ok' (digest, mediaType, source 'registry' | 'cache') | 'pinned' (digest-only reference) |
//   'error' (error: RegistryFailure { kind, message, remediation, retryAfterSeconds? }).
//   VersionCheck.status: 'ok' (current, sameMajor, newest, tagCount) | 'not_versioned' | 'error'.
// - Error kinds (REGISTRY_ERROR_KINDS): invalid_reference, registry_auth_failed, registry_rate_limited,
//   registry_budget_exhausted, registry_unreachable, registry_insecure_refused, registry_error, manifest_not_found;
//   REGISTRY_REMEDIATIONS per kind. Messages never contain a credential, token, header or response body.
// - compareWithRepoDigests(image, registryDigest, repoDigests) → 'up_to_date' | 'updates_available' | 'unknown':
//   the checked digest against `docker inspect`'s RepoDigests of the running image (same registry and repository).
// - findNewerVersions(currentTag, tags) and parseVersionTag(tag): the pure version rules (2-3 parts, optional `v`,
//   `-suffix` families kept apart).
export {
  DOCKER_HUB,
  InvalidImageReferenceError,
  parseImageReference,
  parseImageReferenceOrThrow,
  registryApiHost,
} from './image-reference.ts';
export type { ImageReference, ParseResult } from './image-reference.ts';
export { RegistryClient } from './registry-client.ts';
export type { DigestRunResult, RegistryClientOptions } from './registry-client.ts';
export { RegistryCheckRun } from './registry-check-run.ts';
export type { DigestCheck, DigestCheckOptions, VersionCheck } from './registry-check-run.ts';
export type { RegistryRunStats } from './registry-run-state.ts';
export type { RegistryCredentials, RegistrySettings } from './registry-settings.ts';
export { REGISTRY_ERROR_KINDS, REGISTRY_REMEDIATIONS, RegistryError } from './registry-error.ts';
export type { RegistryErrorKind, RegistryFailure } from './registry-error.ts';
export { MANIFEST_MEDIA_TYPES } from './manifest-digest.ts';
export { findNewerVersions, parseVersionTag } from './version-tags.ts';
export { compareWithRepoDigests } from './repo-digest.ts';
export type { DigestComparison } from './repo-digest.ts';
export type { NewerVersions, VersionTag } from './version-tags.ts';
