// Which tags of a repository are newer versions of the pinned one. A tag looks like a version when it is 2 or 3
// dot-separated numbers with an optional `v` and an optional `-suffix` (`1.25`, `v2.3.1`, `1.25.3-alpine`). Tags are
// compared only within their family — same `v`, same number of parts, same suffix — so `1.25-alpine` never
// "updates" to `1.27` (another base image) and a release candidate `2.0.0-rc1` is never offered for `1.9.0`.
// Hand-written rather than `semver`: semver has no 2-part versions and reads `-alpine` as a pre-release.

export interface VersionTag {
  tag: string;
  numbers: number[];
  family: string;
}

export interface NewerVersions {
  /** The pinned tag. */
  current: string;
  /** The newest tag of the family with the same major number, when newer than the current one. */
  sameMajor: string | null;
  /** The newest tag of the family, when newer than the current one (may equal `sameMajor`). */
  newest: string | null;
}

const VERSION = /^(v?)(\d{1,9})\.(\d{1,9})(?:\.(\d{1,9}))?(-[A-Za-z0-9][\w.-]{0,100})?$/;

export function parseVersionTag(tag: string): VersionTag | null {
  const m = VERSION.exec(tag);
  if (!m) return null;
  const numbers = [m[2], m[3], m[4]].filter((n): n is string => n !== undefined).map(Number);
  return { tag, numbers, family: `${m[1]}|${numbers.length}|${m[5] ?? ''}` };
}

export function compareVersions(a: VersionTag, b: VersionTag): number {
  for (let i = 0; i < Math.max(a.numbers.length, b.numbers.length); i++) {
    const d = (a.numbers[i] ?? 0) - (b.numbers[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function newestOf(tags: VersionTag[]): string | null {
  let best: VersionTag | null = null;
  for (const t of tags) if (!best || compareVersions(t, best) > 0) best = t;
  return best?.tag ?? null;
}

/** Newer versions of `current` among `tags`; null when `current` does not look like a version. */
export function findNewerVersions(current: string, tags: readonly string[]): NewerVersions | null {
  const pinned = parseVersionTag(current);
  if (!pinned) return null;
  const newer = tags
    .map(parseVersionTag)
    .filter((t): t is VersionTag => t !== null && t.family === pinned.family && compareVersions(t, pinned) > 0);
  return {
    current,
    sameMajor: newestOf(newer.filter((t) => t.numbers[0] === pinned.numbers[0])),
    newest: newestOf(newer),
  };
}
