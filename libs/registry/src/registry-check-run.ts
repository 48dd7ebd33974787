// One check run: the questions asked of registries in one go (a fleet's digest check, then its newer versions),
// sharing one request budget and rate-limit state per registry. Each unique reference is asked once, however many
// machines and services use it; answers are collected per input reference, in input order.
import { mapBounded } from './bounded-pool.ts';
import type { DigestCache } from './digest-cache.ts';
import { parseImageReference, type ImageReference } from './image-reference.ts';
import { fetchManifestDigest, type ManifestDigest } from './manifest-digest.ts';
import { REGISTRY_REMEDIATIONS, toRegistryFailure, type RegistryFailure } from './registry-error.ts';
import { RegistryRunState, type RegistryRunStats } from './registry-run-state.ts';
import type { ResolvedRegistry } from './registry-settings.ts';
import type { RegistryTransport } from './registry-transport.ts';
import { listTags, type TagListOptions } from './tag-list.ts';
import { findNewerVersions, parseVersionTag } from './version-tags.ts';

export type DigestCheck =
  | {
      reference: string;
      image: ImageReference;
      status: 'ok';
      /** The digest the tag points at now (an index digest for a multi-arch image). */
      digest: string;
      mediaType: string | null;
      /** `cache` when answered from the client's TTL cache without a request. */
      source: 'registry' | 'cache';
    }
  /** A reference pinned by digest alone: nothing to ask, it cannot move. */
  | { reference: string; image: ImageReference; status: 'pinned'; digest: string }
  | { reference: string; image: ImageReference | null; status: 'error'; error: RegistryFailure };

export type VersionCheck =
  | {
      reference: string;
      image: ImageReference;
      status: 'ok';
      current: string;
      /** Newest tag with the same major number, when newer than `current`. */
      sameMajor: string | null;
      /** Newest tag of the same family overall, when newer than `current`. */
      newest: string | null;
      tagCount: number;
    }
  /** The tag does not look like a version (`latest`, `stable`) or there is no tag: no request is made. */
  | { reference: string; image: ImageReference; status: 'not_versioned' }
  | { reference: string; image: ImageReference | null; status: 'error'; error: RegistryFailure };

export interface DigestCheckOptions {
  /** Ask the registry even when the cache has a fresh answer (an approval re-checking what it binds to). */
  bypassCache?: boolean;
}

export interface RunDeps {
  transport: RegistryTransport;
  cache: DigestCache;
  resolve: (registry: string) => ResolvedRegistry;
  concurrency: number;
  tags: TagListOptions;
}

type Parsed = { reference: string; image: ImageReference } | { reference: string; failure: RegistryFailure };

function parseAll(refs: readonly string[]): Parsed[] {
  return refs.map((reference) => {
    const parsed = parseImageReference(reference);
    if (parsed.ok) return { reference, image: parsed.reference };
    const failure = { kind: 'invalid_reference' as const, message: `invalid image reference: ${parsed.reason}` };
    return { reference, failure: { ...failure, remediation: REGISTRY_REMEDIATIONS.invalid_reference } };
  });
}

const tagKey = (i: ImageReference) => `${i.registry}/${i.repository}:${i.tag}`;
const repoKey = (i: ImageReference) => `${i.registry}/${i.repository}`;

export class RegistryCheckRun {
  private readonly state = new RegistryRunState();
  private readonly tagLists = new Map<string, Promise<string[]>>();

  constructor(private readonly deps: RunDeps) {}

  /** Requests sent per registry so far in this run, against its budget. */
  stats(): RegistryRunStats[] {
    return this.state.stats();
  }

  async checkDigests(refs: readonly string[], opts: DigestCheckOptions = {}): Promise<DigestCheck[]> {
    const parsed = parseAll(refs);
    const unique = new Map<string, ImageReference>();
    for (const p of parsed) if ('image' in p && p.image.tag !== null) unique.set(tagKey(p.image), p.image);
    const answers = new Map<string, ManifestDigest | RegistryFailure>();
    const fresh: ImageReference[] = [];
    const fromCache = new Set<string>();
    for (const [key, image] of unique) {
      const cached = opts.bypassCache ? null : this.deps.cache.get(key);
      if (cached) {
        answers.set(key, cached);
        fromCache.add(key);
      } else fresh.push(image);
    }
    await mapBounded(fresh, this.deps.concurrency, async (image) => {
      answers.set(tagKey(image), await this.askDigest(image));
    });
    return parsed.map((p) => this.digestResult(p, answers, fromCache));
  }

  private async askDigest(image: ImageReference): Promise<ManifestDigest | RegistryFailure> {
    try {
      const answer = await fetchManifestDigest(
        this.deps.transport,
        this.deps.resolve(image.registry),
        image,
        this.state,
      );
      this.deps.cache.set(tagKey(image), answer);
      return answer;
    } catch (err) {
      return toRegistryFailure(err);
    }
  }

  private digestResult(
    p: Parsed,
    answers: Map<string, ManifestDigest | RegistryFailure>,
    fromCache: Set<string>,
  ): DigestCheck {
    if ('failure' in p) return { reference: p.reference, image: null, status: 'error', error: p.failure };
    const { reference, image } = p;
    if (image.tag === null) return { reference, image, status: 'pinned', digest: image.digest ?? '' };
    const answer = answers.get(tagKey(image));
    if (!answer) throw new Error('every unique reference has an answer');
    if ('kind' in answer) return { reference, image, status: 'error', error: answer };
    const source = fromCache.has(tagKey(image)) ? 'cache' : 'registry';
    return { reference, image, status: 'ok', digest: answer.digest, mediaType: answer.mediaType, source };
  }

  /** All tags of the reference's repository (paginated), asked once per repository in this run. */
  listTags(image: ImageReference): Promise<string[]> {
    const key = repoKey(image);
    let pending = this.tagLists.get(key);
    if (!pending) {
      pending = listTags(
        this.deps.transport,
        this.deps.resolve(image.registry),
        image.repository,
        this.state,
        this.deps.tags,
      );
      this.tagLists.set(key, pending);
    }
    return pending;
  }

  /** For each reference whose tag looks like a version: the newest tag in the same major and the newest overall. */
  async checkNewerVersions(refs: readonly string[]): Promise<VersionCheck[]> {
    const parsed = parseAll(refs);
    const repos = new Map<string, ImageReference>();
    for (const p of parsed) {
      if ('image' in p && p.image.tag !== null && parseVersionTag(p.image.tag)) repos.set(repoKey(p.image), p.image);
    }
    const lists = new Map<string, string[] | RegistryFailure>();
    await mapBounded([...repos.entries()], this.deps.concurrency, async ([key, image]) => {
      lists.set(key, await this.listTags(image).catch(toRegistryFailure));
    });
    return parsed.map((p): VersionCheck => {
      if ('failure' in p) return { reference: p.reference, image: null, status: 'error', error: p.failure };
      const { reference, image } = p;
      const tags = lists.get(repoKey(image));
      const newer =
        image.tag !== null && tags !== undefined && !('kind' in tags) ? findNewerVersions(image.tag, tags) : null;
      if (tags === undefined || image.tag === null) return { reference, image, status: 'not_versioned' };
      if ('kind' in tags) return { reference, image, status: 'error', error: tags };
      if (!newer) return { reference, image, status: 'not_versioned' };
      return { reference, image, status: 'ok', ...newer, tagCount: tags.length };
    });
  }
}
