import type { DockerContainer } from '@su/contracts';

/** A container with the compose labels that tie it to a project (and where that project lives). */
export interface InspectedContainer extends DockerContainer {
  workingDir: string | null;
  configFiles: string[];
}

export interface InspectedImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  labels: Record<string, string>;
}

interface RawContainer {
  Id?: string;
  Name?: string;
  Image?: string;
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  State?: { Status?: string; ExitCode?: number; Health?: { Status?: string } | null };
}

interface RawImage {
  Id?: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Config?: { Labels?: Record<string, string> | null } | null;
}

function jsonArray(stdout: string, what: string): unknown[] {
  const doc = JSON.parse(stdout.trim() || '[]') as unknown;
  if (!Array.isArray(doc)) throw new Error(`docker ${what} inspect did not print a JSON array`);
  return doc;
}

export function parseContainerInspect(stdout: string): InspectedContainer[] {
  return (jsonArray(stdout, 'container') as RawContainer[]).map((c) => {
    if (!c.Id || !c.State?.Status) throw new Error('docker inspect printed a container without Id or State');
    const labels = c.Config?.Labels ?? {};
    const files = labels['com.docker.compose.project.config_files'];
    return {
      id: c.Id,
      name: (c.Name ?? '').replace(/^\//, ''),
      image: c.Config?.Image ?? '',
      imageId: c.Image ?? '',
      state: c.State.Status,
      health: c.State.Health?.Status ?? null,
      exitCode: typeof c.State.ExitCode === 'number' ? c.State.ExitCode : null,
      project: labels['com.docker.compose.project'] ?? null,
      service: labels['com.docker.compose.service'] ?? null,
      workingDir: labels['com.docker.compose.project.working_dir'] ?? null,
      configFiles: files ? files.split(',').filter(Boolean) : [],
    };
  });
}

export function parseImageInspect(stdout: string): InspectedImage[] {
  return (jsonArray(stdout, 'image') as RawImage[]).map((i) => {
    if (!i.Id) throw new Error('docker image inspect printed an image without Id');
    return {
      id: i.Id,
      repoTags: i.RepoTags ?? [],
      repoDigests: i.RepoDigests ?? [],
      labels: i.Config?.Labels ?? {},
    };
  });
}

/** Docker's familiar form of a repository: `docker.io/library/nginx` and `nginx` are the same. */
function familiar(repo: string): string {
  return repo.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\//, '');
}

/** The repository of an image reference (`host:5000/a/b:tag@sha256:…` → `host:5000/a/b`). */
export function repositoryOfRef(ref: string): string {
  const noDigest = ref.split('@')[0] ?? ref;
  const colon = noDigest.lastIndexOf(':');
  return familiar(colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest);
}

/** The tag of an image reference (`latest` when none; null for a reference by digest only). */
export function tagOfRef(ref: string): string | null {
  const [name, digest] = ref.split('@');
  const n = name ?? ref;
  const colon = n.lastIndexOf(':');
  if (colon > n.lastIndexOf('/')) return n.slice(colon + 1);
  return digest ? null : 'latest';
}

/**
 * The digest the image was pulled by for this reference's repository (its RepoDigest): for a multi-arch image this
 * is the index digest, the one the registry answers for the tag.
 */
export function pulledDigest(image: InspectedImage | undefined, ref: string): string | null {
  if (!image) return null;
  const repo = repositoryOfRef(ref);
  for (const rd of image.repoDigests) {
    const at = rd.indexOf('@');
    if (at > 0 && familiar(rd.slice(0, at)) === repo) return rd.slice(at + 1);
  }
  return null;
}

export const OCI_VERSION_LABEL = 'org.opencontainers.image.version';
export const OCI_SOURCE_LABEL = 'org.opencontainers.image.source';
