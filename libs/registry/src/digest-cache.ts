// Digests already asked for, per canonical reference, kept for a TTL so frequent checks of a fleet do not spend the
// registry's rate limit. Lives with the client (across runs); a check that must see the registry now bypasses it.
import type { ManifestDigest } from './manifest-digest.ts';

export class DigestCache {
  private readonly entries = new Map<string, ManifestDigest & { expiresAt: number }>();

  constructor(private readonly ttlMs: number) {}

  get(key: string): ManifestDigest | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return null;
    }
    return { digest: e.digest, mediaType: e.mediaType };
  }

  set(key: string, value: ManifestDigest): void {
    if (this.ttlMs <= 0) return;
    this.entries.set(key, { ...value, expiresAt: Date.now() + this.ttlMs });
  }

  clear(): void {
    this.entries.clear();
  }
}
