// Docker image references parsed and normalized the way Docker does (distribution/reference's ParseNormalizedNamed):
// `nginx` is `docker.io/library/nginx:latest`, a first path component with a dot, a port or `localhost` is a
// registry. Hand-written and split on the separators first so each piece meets a small linear regular expression:
// the npm port of distribution/reference (@swimlane/docker-reference) backtracks exponentially on a 20-character
// name (ADR 0027), and references come from compose files and the API.

export const DOCKER_HUB = 'docker.io';
const LEGACY_DOCKER_HUB = 'index.docker.io';
const NAME_MAX_LENGTH = 255;
const INPUT_MAX_LENGTH = 512;

const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PORT = /^[0-9]{1,5}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const SHA256_HEX = /^[a-f0-9]{64}$/;

/** A parsed, normalized image reference. */
export interface ImageReference {
  /** Registry name as Docker writes it: `docker.io`, `ghcr.io`, `host:5000`. Settings and budgets are keyed by it. */
  registry: string;
  /** Repository path in that registry: `library/nginx`, `o/r`. */
  repository: string;
  /** The tag (`latest` when neither tag nor digest is given); null for a reference pinned by digest alone. */
  tag: string | null;
  /** `sha256:…` when the reference pins a digest. */
  digest: string | null;
  /** Fully qualified form: `docker.io/library/nginx:1.25`, `host:5000/r:tag@sha256:…`. */
  canonical: string;
}

export type ParseResult = { ok: true; reference: ImageReference } | { ok: false; reason: string };

/** Thrown by {@link parseImageReferenceOrThrow}; the message names the problem, never the input. */
export class InvalidImageReferenceError extends Error {
  constructor(readonly reason: string) {
    super(`invalid image reference: ${reason}`);
    this.name = 'InvalidImageReferenceError';
  }
}

function checkDigest(digest: string): string | null {
  if (!DIGEST.test(digest)) return 'the digest is not in the form algorithm:hex';
  const [algorithm, hex] = digest.split(':') as [string, string];
  if (algorithm !== 'sha256') return 'only sha256 digests are supported';
  if (!SHA256_HEX.test(hex)) return 'a sha256 digest has 64 lowercase hexadecimal characters';
  return null;
}

function checkDomain(domain: string): string | null {
  const colon = domain.lastIndexOf(':');
  const host = colon >= 0 ? domain.slice(0, colon) : domain;
  if (colon >= 0 && !PORT.test(domain.slice(colon + 1))) return 'the registry port is not a number';
  if (!host.split('.').every((c) => DOMAIN_COMPONENT.test(c))) return 'the registry host name is invalid';
  return null;
}

/** Docker's rule: the first component is a registry when it has a dot or a port, is `localhost`, or has capitals. */
function splitDomain(name: string): [string, string] {
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const isDomain =
    slash >= 0 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  let [domain, rest] = isDomain ? [first, name.slice(slash + 1)] : [DOCKER_HUB, name];
  if (domain === LEGACY_DOCKER_HUB) domain = DOCKER_HUB;
  if (domain === DOCKER_HUB && !rest.includes('/')) rest = `library/${rest}`;
  return [domain, rest];
}

function splitTag(nameAndTag: string): [string, string | null] {
  const colon = nameAndTag.lastIndexOf(':');
  if (colon < 0 || nameAndTag.indexOf('/', colon) >= 0) return [nameAndTag, null];
  return [nameAndTag.slice(0, colon), nameAndTag.slice(colon + 1)];
}

function checkName(domain: string, repository: string): string | null {
  const domainProblem = checkDomain(domain);
  if (domainProblem) return domainProblem;
  if (`${domain}/${repository}`.length > NAME_MAX_LENGTH)
    return `the name is longer than ${NAME_MAX_LENGTH} characters`;
  if (repository !== repository.toLowerCase()) return 'the repository name must be lowercase';
  if (!repository.split('/').every((c) => PATH_COMPONENT.test(c)))
    return 'the repository name has an invalid component';
  return null;
}

/** Parses a familiar or qualified reference (`nginx`, `ghcr.io/o/r:tag`, `host:5000/r@sha256:…`) with Docker's rules. */
export function parseImageReference(input: string): ParseResult {
  if (typeof input !== 'string' || input.length === 0) return { ok: false, reason: 'the reference is empty' };
  if (input.length > INPUT_MAX_LENGTH) return { ok: false, reason: 'the reference is too long' };
  if (SHA256_HEX.test(input)) return { ok: false, reason: 'a bare image id is not a reference' };
  const at = input.indexOf('@');
  const digest = at >= 0 ? input.slice(at + 1) : null;
  const [name, explicitTag] = splitTag(at >= 0 ? input.slice(0, at) : input);
  if (digest !== null) {
    const problem = checkDigest(digest);
    if (problem) return { ok: false, reason: problem };
  }
  if (explicitTag !== null && !TAG.test(explicitTag)) return { ok: false, reason: 'the tag is invalid' };
  const [registry, repository] = splitDomain(name);
  const problem = checkName(registry, repository);
  if (problem) return { ok: false, reason: problem };
  const tag = explicitTag ?? (digest === null ? 'latest' : null);
  const canonical = `${registry}/${repository}${tag === null ? '' : `:${tag}`}${digest === null ? '' : `@${digest}`}`;
  return { ok: true, reference: { registry, repository, tag, digest, canonical } };
}

export function parseImageReferenceOrThrow(input: string): ImageReference {
  const parsed = parseImageReference(input);
  if (!parsed.ok) throw new InvalidImageReferenceError(parsed.reason);
  return parsed.reference;
}

/** The host that serves a registry's API: Docker Hub's API lives at `registry-1.docker.io`. */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}
