// The digest a tag points at, from a manifest request only (never a blob): HEAD with every manifest media type we
// accept, so a multi-arch image answers with its index digest (what `docker pull` records as the RepoDigest), and
// the Docker-Content-Digest header. Only when HEAD lacks that header, a GET of the same manifest and the sha256 of
// its bytes — still a manifest request.
import { createHash } from 'node:crypto';
import type { HttpAnswer } from './http-client.ts';
import type { ImageReference } from './image-reference.ts';
import { RegistryError } from './registry-error.ts';
import type { RegistryRunState } from './registry-run-state.ts';
import type { ResolvedRegistry } from './registry-settings.ts';
import type { RegistryTransport } from './registry-transport.ts';

export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;
const ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');
const DIGEST_HEADER = /^sha256:[a-f0-9]{64}$/;
/** A manifest is small; a larger answer to the fallback GET is not read. */
const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;

export interface ManifestDigest {
  digest: string;
  mediaType: string | null;
}

function classify(res: HttpAnswer, reg: ResolvedRegistry, image: ImageReference): RegistryError {
  const what = `${image.repository}:${image.tag}`;
  if (res.status === 404) return new RegistryError('manifest_not_found', `${reg.registry} has no manifest for ${what}`);
  if (res.status === 403) return new RegistryError('registry_auth_failed', `${reg.registry} denied access to ${what}`);
  return new RegistryError('registry_error', `${reg.registry} answered HTTP ${res.status} for the manifest of ${what}`);
}

function mediaTypeOf(res: HttpAnswer): string | null {
  const type = res.headers.get('content-type');
  return type ? (type.split(';')[0] ?? '').trim() || null : null;
}

export async function fetchManifestDigest(
  transport: RegistryTransport,
  reg: ResolvedRegistry,
  image: ImageReference,
  run: RegistryRunState,
): Promise<ManifestDigest> {
  const url = `/v2/${image.repository}/manifests/${image.tag}`;
  const base = { reg, repository: image.repository, url, accept: ACCEPT };
  const head = await transport.send({ ...base, method: 'HEAD' }, run);
  if (!head.ok) throw classify(head, reg, image);
  const digest = head.headers.get('docker-content-digest');
  if (digest && DIGEST_HEADER.test(digest)) return { digest, mediaType: mediaTypeOf(head) };

  const get = await transport.send({ ...base, method: 'GET', maxBodyBytes: MANIFEST_MAX_BYTES }, run);
  if (!get.ok) throw classify(get, reg, image);
  return { digest: `sha256:${createHash('sha256').update(get.body).digest('hex')}`, mediaType: mediaTypeOf(get) };
}
