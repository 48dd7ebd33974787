// Whether a running image is the one a tag points at now: the registry's digest for the tag against the image's
// RepoDigests as `docker inspect` lists them (`nginx@sha256:…`, `10.0.0.5:5000/app@sha256:…`; for a multi-arch
// image the index digest, which is what the check asks for). Only entries of the same registry and repository
// count: an image also pushed elsewhere carries that other repository's digest too.
import { parseImageReference, type ImageReference } from './image-reference.ts';

export type DigestComparison = 'up_to_date' | 'updates_available' | 'unknown';

/** `unknown` when no RepoDigest belongs to the image's repository (an image built locally, or never pulled). */
export function compareWithRepoDigests(
  image: ImageReference,
  registryDigest: string,
  repoDigests: readonly string[],
): DigestComparison {
  const own = repoDigests
    .map((d) => parseImageReference(d))
    .filter((p) => p.ok && p.reference.registry === image.registry && p.reference.repository === image.repository)
    .map((p) => (p.ok ? p.reference.digest : null));
  if (own.length === 0) return 'unknown';
  return own.includes(registryDigest) ? 'up_to_date' : 'updates_available';
}
