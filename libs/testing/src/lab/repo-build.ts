// The lab repository built and served: reproducible .debs of the catalog in the cache, the indexes of the versions
// published, Release files with Debian's own metadata, and the sources line that points the machines at it.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  chmodSync,
  linkSync,
  copyFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { labPaths, REPO_URL } from './config.ts';
import { run } from './exec.ts';
import { CATALOG, initialPublishedSet, type CatalogPackage, type PublishedSet, type Suite } from './repo.ts';

const EPOCH = 1735689600; // 2025-01-01T00:00:00Z, for reproducible builds and the Release Date
interface Archive {
  /** Path of the repository under the lab's web root (the URL a sources line names). */
  dir: string;
  /** dists/<dist>. */
  dist: string;
  component: string;
  origin: string;
  label: string;
  suite: string;
  codename: string;
  /** Release "Version"; the Raspberry Pi and Proxmox archives have none. */
  version: string | null;
  description: string;
}
/** Each archive's Release fields as the real one publishes them (`apt-cache policy` on a Pi: "o=Raspberry Pi
 * Foundation,a=bookworm,n=bookworm,l=Raspberry Pi Foundation,c=main"; on Proxmox VE: "o=Proxmox,a=stable,
 * n=bookworm,l=Proxmox Debian Repository,c=pve-no-subscription"). */
const SUITES: Record<Suite, Archive> = {
  bookworm: {
    dir: 'debian',
    dist: 'bookworm',
    component: 'main',
    origin: 'Debian',
    label: 'Debian',
    suite: 'stable',
    codename: 'bookworm',
    version: '12.10',
    description: 'System Update lab repository (bookworm)',
  },
  'bookworm-security': {
    dir: 'debian-security',
    dist: 'bookworm-security',
    component: 'main',
    origin: 'Debian',
    label: 'Debian-Security',
    suite: 'stable-security',
    codename: 'bookworm-security',
    version: '12',
    description: 'System Update lab repository (bookworm-security)',
  },
  raspberrypi: {
    dir: 'raspberrypi/debian',
    dist: 'bookworm',
    component: 'main',
    origin: 'Raspberry Pi Foundation',
    label: 'Raspberry Pi Foundation',
    suite: 'bookworm',
    codename: 'bookworm',
    version: null,
    description: 'Raspberry Pi Foundation Debian bookworm repository (lab)',
  },
  'pve-no-subscription': {
    dir: 'proxmox/debian/pve',
    dist: 'bookworm',
    component: 'pve-no-subscription',
    origin: 'Proxmox',
    label: 'Proxmox Debian Repository',
    suite: 'stable',
    codename: 'bookworm',
    version: null,
    description: 'Proxmox VE Debian Repository (lab)',
  },
  'noble-updates': {
    dir: 'ubuntu',
    dist: 'noble-updates',
    component: 'main',
    origin: 'Ubuntu',
    label: 'Ubuntu',
    suite: 'noble-updates',
    codename: 'noble',
    version: '24.04',
    description: 'Ubuntu Noble Updates (lab)',
  },
};

/** The sources line of one of the lab's other-distribution archives (not in the machines' sources by default). */
export type OtherArchive = Exclude<Suite, 'bookworm' | 'bookworm-security'>;

export function archiveSourcesLine(s: OtherArchive): string {
  const a = SUITES[s];
  return `deb [trusted=yes] ${REPO_URL}/${a.dir} ${a.dist} ${a.component}`;
}

export function sourcesList(): string {
  return (
    `# lab repository only (deterministic, offline)\n` +
    `deb [trusted=yes] ${REPO_URL}/debian bookworm main\n` +
    `deb [trusted=yes] ${REPO_URL}/debian-security bookworm-security main\n`
  );
}

function catalogHash(): string {
  return createHash('sha256')
    .update(JSON.stringify({ CATALOG, v: 3 }))
    .digest('hex')
    .slice(0, 12);
}

/** Catalog versions are listed oldest first: the index orders them (epochs and Debian revisions included). */
function versionIndex(pkg: CatalogPackage, version: string): number {
  return pkg.versions.findIndex((v) => v.version === version);
}

/** As in a real pool: the epoch is not part of the file name. */
export function debFileName(pkg: string, version: string): string {
  return `${pkg}_${version.replace(/^\d+:/, '')}_all.deb`;
}

/** Builds every catalog version once (cached by catalog hash). Returns the directory holding the .debs. */
export async function buildDebs(): Promise<string> {
  const out = join(labPaths().cache, `debs-${catalogHash()}`);
  if (existsSync(join(out, '.complete'))) return out;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const work = join(out, '.work');
  for (const pkg of CATALOG) {
    for (const v of pkg.versions) {
      const root = join(work, `${pkg.name}_${v.version}`);
      mkdirSync(join(root, 'DEBIAN'), { recursive: true });
      const control = [
        `Package: ${pkg.name}`,
        `Version: ${v.version}`,
        'Architecture: all',
        'Maintainer: System Update Lab <lab@example.invalid>',
        'Section: misc',
        'Priority: optional',
        ...(v.essential ? ['Essential: yes'] : []),
        ...(v.preDepends ? [`Pre-Depends: ${v.preDepends}`] : []),
        ...(v.depends ? [`Depends: ${v.depends}`] : []),
        `Description: ${v.description}`,
        ` ${pkg.purpose}`,
        '',
      ].join('\n');
      writeFileSync(join(root, 'DEBIAN', 'control'), control);
      const conffiles = Object.keys(v.files).filter((f) => f.startsWith('/etc/'));
      if (conffiles.length) writeFileSync(join(root, 'DEBIAN', 'conffiles'), conffiles.join('\n') + '\n');
      for (const [script, body] of [
        ['postinst', v.postinst],
        ['preinst', v.preinst],
      ] as const) {
        if (!body) continue;
        writeFileSync(join(root, 'DEBIAN', script), body);
        chmodSync(join(root, 'DEBIAN', script), 0o755);
      }
      for (const [path, content] of Object.entries(v.files)) {
        const f = join(root, path);
        mkdirSync(dirname(f), { recursive: true });
        writeFileSync(f, content);
      }
      await run('find', [root, '-exec', 'touch', '-h', '-d', `@${EPOCH}`, '{}', '+']);
      await run(
        'dpkg-deb',
        ['--root-owner-group', '-Zgzip', '--build', root, join(out, debFileName(pkg.name, v.version))],
        {
          env: { ...process.env, SOURCE_DATE_EPOCH: String(EPOCH) },
        },
      );
    }
  }
  rmSync(work, { recursive: true, force: true });
  writeFileSync(join(out, '.complete'), '');
  return out;
}

function releaseFile(s: Suite, files: { name: string; data: Buffer }[]): string {
  const meta = SUITES[s];
  const lines = [
    `Origin: ${meta.origin}`,
    `Label: ${meta.label}`,
    `Suite: ${meta.suite}`,
    ...(meta.version ? [`Version: ${meta.version}`] : []),
    `Codename: ${meta.codename}`,
    `Date: ${new Date(EPOCH * 1000).toUTCString()}`,
    'Architectures: amd64 all',
    `Components: ${meta.component}`,
    `Description: ${meta.description}`,
  ];
  for (const [field, algo] of [
    ['MD5Sum', 'md5'],
    ['SHA256', 'sha256'],
  ] as const) {
    lines.push(`${field}:`);
    for (const f of files) {
      lines.push(` ${createHash(algo).update(f.data).digest('hex')} ${String(f.data.length).padStart(8)} ${f.name}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Writes `data` unless the file already holds it: a mirror's unchanged files keep their Last-Modified. */
function writeIfChanged(path: string, data: Buffer): boolean {
  if (existsSync(path) && readFileSync(path).equals(data)) return false;
  writeFileSync(path, data);
  return true;
}

/**
 * A dist's Release, as a mirror publishes it: untouched when unchanged (apt's If-Modified-Since is then answered 304,
 * "Hit"), and when changed, a Last-Modified at least one second after the previous one — HTTP dates have whole
 * seconds, and a version published within the second of the previous refresh must still be fetched (ADR 0058).
 */
export function publishRelease(dist: string, release: Buffer): void {
  const path = join(dist, 'Release');
  const previous = existsSync(path) ? Math.floor(statSync(path).mtimeMs / 1000) : 0;
  if (!writeIfChanged(path, release)) return;
  const mtime = Math.max(Date.now() / 1000, previous + 1);
  utimesSync(path, mtime, mtime);
}

/** Writes the repository for `set` into STATE/repo/www (served by tools/lab/repo-server.ts). */
export async function writeRepo(set: PublishedSet): Promise<void> {
  const debs = await buildDebs();
  const www = join(labPaths().state, 'repo', 'www');
  for (const s of Object.keys(SUITES) as Suite[]) {
    const meta = SUITES[s];
    const suiteRoot = join(www, meta.dir);
    const comp = meta.component;
    const pool = join(suiteRoot, 'pool', comp);
    const staging = join(labPaths().state, 'repo', `staging-${s}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(join(staging, 'pool', comp), { recursive: true });
    mkdirSync(pool, { recursive: true });
    const extra = new Map<string, Record<string, string>>();
    for (const pkg of CATALOG) {
      const upTo = set[pkg.name];
      if (!upTo) continue;
      for (const v of pkg.versions) {
        if (v.suite !== s && !(v.alsoIn ?? []).includes(s)) continue;
        if (versionIndex(pkg, v.version) > versionIndex(pkg, upTo)) continue;
        const file = debFileName(pkg.name, v.version);
        copyFileSync(join(debs, file), join(staging, 'pool', comp, file));
        if (!existsSync(join(pool, file))) linkSync(join(debs, file), join(pool, file));
        if (v.indexFields) extra.set(`${pkg.name} ${v.version}`, v.indexFields);
      }
    }
    const scanned = await run('dpkg-scanpackages', ['--multiversion', `pool/${comp}`, '/dev/null'], { cwd: staging });
    let packages = scanned.stdout
      .split(/\n\n+/)
      .filter((st) => st.trim())
      .map((st) => {
        const name = /^Package: (.+)$/m.exec(st)?.[1];
        const version = /^Version: (.+)$/m.exec(st)?.[1];
        const fields = extra.get(`${name} ${version}`);
        return fields
          ? st.trimEnd() +
              '\n' +
              Object.entries(fields)
                .map(([k, v]) => `${k}: ${v}`)
                .join('\n')
          : st.trimEnd();
      })
      .join('\n\n');
    if (packages) packages += '\n';
    rmSync(staging, { recursive: true, force: true });
    const pkgBuf = Buffer.from(packages);
    const gzBuf = gzipSync(pkgBuf, { level: 9 });
    const dist = join(suiteRoot, 'dists', meta.dist);
    const bin = join(dist, comp, 'binary-amd64');
    mkdirSync(bin, { recursive: true });
    writeIfChanged(join(bin, 'Packages'), pkgBuf);
    writeIfChanged(join(bin, 'Packages.gz'), gzBuf);
    const release = releaseFile(s, [
      { name: `${comp}/binary-amd64/Packages`, data: pkgBuf },
      { name: `${comp}/binary-amd64/Packages.gz`, data: gzBuf },
    ]);
    publishRelease(dist, Buffer.from(release));
  }
  writeFileSync(join(labPaths().state, 'repo', 'published.json'), JSON.stringify(set, null, 2) + '\n');
}

export function readPublished(): PublishedSet {
  const f = join(labPaths().state, 'repo', 'published.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as PublishedSet) : initialPublishedSet();
}

export function catalogVersions(pkg: string): string[] {
  const p = CATALOG.find((c) => c.name === pkg);
  if (!p) throw new Error(`unknown lab package ${pkg} (known: ${CATALOG.map((c) => c.name).join(', ')})`);
  return p.versions.map((v) => v.version);
}

export function listPool(): string[] {
  const www = join(labPaths().state, 'repo', 'www');
  return existsSync(www) ? readdirSync(www) : [];
}
