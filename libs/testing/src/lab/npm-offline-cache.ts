// An npm cache holding only what `npm ci` of one package-lock.json needs (its packuments and tarballs), copied out of
// the host's own npm cache: the project's image is then built in a lab machine, which reaches no registry, with
// `npm ci --offline` (Dockerfile, NPM_OFFLINE_CACHE). Nothing is fetched: a package missing from the host's cache
// makes the build fail, as it would for a user building offline.
// The lockfile records no `resolved` URL for most packages, so npm asks for their packuments too: the copy keeps the
// cache's index entries (make-fetch-happen's by URL, pacote's by name@version) of the lockfile's packages and the
// content they point to, in cacache's on-disk layout (index-v5 buckets, content-v2 by integrity).
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

interface IndexEntry {
  key: string;
  integrity?: string;
}

interface LockPackage {
  version?: string;
  name?: string;
  link?: boolean;
}

/** name → versions of every registry package in the lockfile. */
function lockedPackages(lockfile: string): Map<string, Set<string>> {
  const packages = (JSON.parse(readFileSync(lockfile, 'utf8')) as { packages: Record<string, LockPackage> }).packages;
  const byName = new Map<string, Set<string>>();
  for (const [path, p] of Object.entries(packages)) {
    const at = path.lastIndexOf('node_modules/');
    if (at < 0 || p.link || !p.version) continue;
    const name = p.name ?? path.slice(at + 'node_modules/'.length);
    const versions = byName.get(name) ?? new Set<string>();
    versions.add(p.version);
    byName.set(name, versions);
  }
  return byName;
}

/** Whether an index key is one `npm ci` of the lockfile reads. */
function wanted(key: string, locked: Map<string, Set<string>>): boolean {
  const has = (name = '', version = '') => locked.get(decodeURIComponent(name))?.has(version) ?? false;
  const tarball = /^pacote:tarball:(.+)@([^@]+)$/.exec(key);
  if (tarball) return has(tarball[1], tarball[2]);
  const url = /^make-fetch-happen:request-cache:https?:\/\/[^/]+\/(.+)$/.exec(key)?.[1];
  if (!url) return false;
  // <name>/-/<name without scope>-<version>.tgz (a version may hold dashes: 7.10.0-4.0edf…)
  const file = /^(.+)\/-\/([^/]+)\.tgz$/.exec(url);
  if (file) {
    const name = decodeURIComponent(file[1] ?? '');
    const stem = `${name.slice(name.lastIndexOf('/') + 1)}-`;
    return (file[2] ?? '').startsWith(stem) && has(name, (file[2] ?? '').slice(stem.length));
  }
  return locked.has(decodeURIComponent(url));
}

function* bucketFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* bucketFiles(p);
    else if (e.isFile()) yield p;
  }
}

function contentPath(cache: string, integrity: string): string {
  const [algo = '', b64 = ''] = (integrity.split(/\s+/)[0] ?? '').split(/-(.*)/s);
  const hex = Buffer.from(b64, 'base64').toString('hex');
  return join(cache, '_cacache', 'content-v2', algo, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

export interface OfflineCache {
  dir: string;
  entries: number;
  bytes: number;
  built: boolean;
}

/**
 * The cache for `lockfile` under `cacheRoot` (kept across runs, keyed by the lockfile's hash), built from
 * `sourceCache` (the host's npm cache, `npm config get cache`) when absent.
 */
export function ensureOfflineNpmCache(lockfile: string, sourceCache: string, cacheRoot: string): OfflineCache {
  const key = createHash('sha256').update(readFileSync(lockfile)).digest('hex').slice(0, 12);
  const dir = join(cacheRoot, `npm-offline-${key}`);
  const stamp = join(dir, '.complete');
  if (existsSync(stamp))
    return { dir, ...(JSON.parse(readFileSync(stamp, 'utf8')) as object), built: false } as OfflineCache;
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const locked = lockedPackages(lockfile);
  let entries = 0;
  let bytes = 0;
  const index = join(sourceCache, '_cacache', 'index-v5');
  if (!existsSync(index)) throw new Error(`no npm cache at ${sourceCache}: run npm ci on this host first`);
  for (const bucket of bucketFiles(index)) {
    const lines = readFileSync(bucket, 'utf8')
      .split('\n')
      .filter((l) => l.includes('\t'));
    const keep = lines.filter((l) => {
      try {
        return wanted((JSON.parse(l.slice(l.indexOf('\t') + 1)) as IndexEntry).key, locked);
      } catch {
        return false; // a torn line: cacache itself skips those
      }
    });
    if (!keep.length) continue;
    const to = join(tmp, '_cacache', 'index-v5', bucket.slice(index.length + 1));
    mkdirSync(dirname(to), { recursive: true });
    appendFileSync(to, keep.map((l) => `\n${l}`).join(''));
    for (const l of keep) {
      const { integrity } = JSON.parse(l.slice(l.indexOf('\t') + 1)) as IndexEntry;
      if (!integrity) continue;
      const from = contentPath(sourceCache, integrity);
      const dest = contentPath(tmp, integrity);
      if (!existsSync(from) || existsSync(dest)) continue;
      mkdirSync(dirname(dest), { recursive: true });
      copyFileSync(from, dest);
      bytes += statSync(dest).size;
    }
    entries += keep.length;
  }
  appendFileSync(join(tmp, '.complete'), JSON.stringify({ entries, bytes }));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { dir, entries, bytes, built: true };
}
