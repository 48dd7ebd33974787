// Deterministic local APT repository served over HTTP on the lab bridge. Package versions are built once with
// dpkg-deb (reproducible: fixed SOURCE_DATE_EPOCH and mtimes) into the cache; `publish` decides which versions
// the indexes (dpkg-scanpackages --multiversion) list. Release files mimic Debian's own metadata
// (Origin/Label/Suite/Codename) so "security" can be detected from origin/suite as apt shows it.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
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

export type Suite = 'bookworm' | 'bookworm-security';

export interface CatalogVersion {
  version: string;
  suite: Suite;
  /** Also published in these suites (the same .deb), as a point release carries a security fix too. */
  alsoIn?: Suite[];
  depends?: string;
  /** Pre-Depends: dpkg configures these before it starts unpacking this version. */
  preDepends?: string;
  /** Essential: yes (like perl-base, dpkg, coreutils). */
  essential?: boolean;
  description: string;
  /** Extra fields added to the package's stanza in the Packages index (e.g. Phased-Update-Percentage). */
  indexFields?: Record<string, string>;
  postinst?: string;
  preinst?: string;
  /** path -> content; files under /etc are declared conffiles. */
  files: Record<string, string>;
}

export interface CatalogPackage {
  name: string;
  /** What the case demonstrates. */
  purpose: string;
  /** Version installed on every machine at creation (undefined: not installed). */
  installed?: string;
  /** apt-mark hold on every machine. */
  hold?: boolean;
  versions: CatalogVersion[];
}

const REBOOT_POSTINST = `#!/bin/sh
set -e
if [ "$1" = configure ]; then
  touch /run/reboot-required
  grep -qx homelab-demo /run/reboot-required.pkgs 2>/dev/null || echo homelab-demo >> /run/reboot-required.pkgs
fi
exit 0
`;

/**
 * Waits while /run/lab-block-preinst exists (at most 120 s), after writing its PID to /run/lab-preinst-running: dpkg
 * has marked the package half-installed by then, so killing dpkg now leaves it so (Lab.killDpkgInPreinst).
 */
const BLOCKING_PREINST = `#!/bin/sh
if [ -e /run/lab-block-preinst ]; then
  echo $$ > /run/lab-preinst-running
  i=0; while [ -e /run/lab-block-preinst ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done
  rm -f /run/lab-preinst-running
fi
exit 0
`;

export const CATALOG: CatalogPackage[] = [
  {
    name: 'homelab-demo',
    purpose:
      '1.0 -> 1.1 plain upgrade; 1.2 needs the new package homelab-dep (kept back by upgrade, installed by dist-upgrade) and requires a reboot',
    installed: '1.0',
    versions: [
      {
        version: '1.0',
        suite: 'bookworm',
        description: 'lab demo package',
        files: { '/usr/share/homelab-demo/VERSION': '1.0\n' },
      },
      {
        version: '1.1',
        suite: 'bookworm',
        description: 'lab demo package',
        files: { '/usr/share/homelab-demo/VERSION': '1.1\n' },
      },
      {
        version: '1.2',
        suite: 'bookworm',
        depends: 'homelab-dep (>= 1.0)',
        description: 'lab demo package (needs homelab-dep, requires reboot)',
        postinst: REBOOT_POSTINST,
        files: { '/usr/share/homelab-demo/VERSION': '1.2\n' },
      },
    ],
  },
  {
    name: 'homelab-dep',
    purpose: 'new dependency of homelab-demo 1.2 (not installed initially)',
    versions: [
      {
        version: '1.0',
        suite: 'bookworm',
        description: 'lab dependency',
        files: { '/usr/share/homelab-dep/VERSION': '1.0\n' },
      },
    ],
  },
  {
    name: 'homelab-secfix',
    purpose: '1.1 is published in the security suite (bookworm-security, Label Debian-Security)',
    installed: '1.0',
    versions: [
      {
        version: '1.0',
        suite: 'bookworm',
        description: 'lab package with a security fix',
        files: { '/usr/share/homelab-secfix/VERSION': '1.0\n' },
      },
      {
        version: '1.1',
        suite: 'bookworm-security',
        description: 'lab package with a security fix',
        files: { '/usr/share/homelab-secfix/VERSION': '1.1\n' },
      },
    ],
  },
  {
    name: 'homelab-essential',
    purpose:
      'Essential: yes. 1.1 pre-depends on homelab-secfix 1.1 (so that one is upgraded first) and its preinst can be made to wait, so a test can kill dpkg mid-upgrade and leave an essential package half-installed',
    installed: '1.0',
    versions: [
      {
        version: '1.0',
        suite: 'bookworm',
        essential: true,
        description: 'lab essential package',
        files: { '/usr/share/homelab-essential/VERSION': '1.0\n' },
      },
      {
        version: '1.1',
        suite: 'bookworm',
        essential: true,
        preDepends: 'homelab-secfix (>= 1.1)',
        preinst: BLOCKING_PREINST,
        description: 'lab essential package',
        files: { '/usr/share/homelab-essential/VERSION': '1.1\n' },
      },
    ],
  },
  {
    name: 'homelab-both',
    purpose: '1.1 is published in both bookworm-security and bookworm (a point release that took the security fix)',
    installed: '1.0',
    versions: [
      {
        version: '1.0',
        suite: 'bookworm',
        description: 'lab package in two suites',
        files: { '/usr/share/homelab-both/VERSION': '1.0\n' },
      },
      {
        version: '1.1',
        suite: 'bookworm-security',
        alsoIn: ['bookworm'],
        description: 'lab package in two suites',
        files: { '/usr/share/homelab-both/VERSION': '1.1\n' },
      },
    ],
  },
  {
    name: 'homelab-held',
    purpose:
      'marked on hold (apt-mark hold) on every machine, so its upgrade is kept back; 1.1 is a security update (bookworm-security)',
    installed: '1.0',
    hold: true,
    versions: [
      {
        version: '1.0',
        suite: 'bookworm',
        description: 'lab package on hold',
        files: { '/usr/share/homelab-held/VERSION': '1.0\n' },
      },
      {
        version: '1.1',
        suite: 'bookworm-security',
        description: 'lab package on hold',
        files: { '/usr/share/homelab-held/VERSION': '1.1\n' },
      },
    ],
  },
  {
    name: 'homelab-phased',
    purpose: '1.1 has Phased-Update-Percentage: 0 in the index (apt defers it)',
    installed: '1.0',
    versions: [
      {
        version: '1.0',
        suite: 'bookworm',
        description: 'lab phased package',
        files: { '/usr/share/homelab-phased/VERSION': '1.0\n' },
      },
      {
        version: '1.1',
        suite: 'bookworm',
        description: 'lab phased package',
        indexFields: { 'Phased-Update-Percentage': '0' },
        files: { '/usr/share/homelab-phased/VERSION': '1.1\n' },
      },
    ],
  },
  {
    name: 'homelab-conf',
    purpose:
      'ships conffile /etc/homelab/homelab.conf which every machine has modified: upgrading prompts unless --force-confdef/--force-confold',
    installed: '1.0',
    versions: [
      {
        version: '1.0',
        suite: 'bookworm',
        description: 'lab package with a conffile',
        files: { '/etc/homelab/homelab.conf': '# homelab 1.0\nmode = default\n' },
      },
      {
        version: '1.1',
        suite: 'bookworm',
        description: 'lab package with a conffile',
        files: { '/etc/homelab/homelab.conf': '# homelab 1.1\nmode = default\nnew_option = yes\n' },
      },
    ],
  },
  {
    name: 'homelab-broken',
    purpose: "1.1's postinst fails, producing a real dpkg error",
    installed: '1.0',
    versions: [
      {
        version: '1.0',
        suite: 'bookworm',
        description: 'lab package whose next version fails',
        files: { '/usr/share/homelab-broken/VERSION': '1.0\n' },
      },
      {
        version: '1.1',
        suite: 'bookworm',
        description: 'lab package whose postinst fails',
        postinst: '#!/bin/sh\necho "homelab-broken: simulated postinst failure" >&2\nexit 1\n',
        files: { '/usr/share/homelab-broken/VERSION': '1.1\n' },
      },
    ],
  },
];

/** Published version per package (a package lists every catalog version up to and including it). */
export type PublishedSet = Record<string, string | null>;

export function initialPublishedSet(): PublishedSet {
  const set: PublishedSet = {};
  for (const p of CATALOG) set[p.name] = p.installed ?? p.versions[0]?.version ?? null;
  return set;
}

const EPOCH = 1735689600; // 2025-01-01T00:00:00Z, for reproducible builds and the Release Date
const SUITES: Record<
  Suite,
  { dir: string; origin: string; label: string; suite: string; codename: string; version: string }
> = {
  bookworm: {
    dir: 'debian',
    origin: 'Debian',
    label: 'Debian',
    suite: 'stable',
    codename: 'bookworm',
    version: '12.10',
  },
  'bookworm-security': {
    dir: 'debian-security',
    origin: 'Debian',
    label: 'Debian-Security',
    suite: 'stable-security',
    codename: 'bookworm-security',
    version: '12',
  },
};

export function sourcesList(): string {
  return (
    `# lab repository only (deterministic, offline)\n` +
    `deb [trusted=yes] ${REPO_URL}/debian bookworm main\n` +
    `deb [trusted=yes] ${REPO_URL}/debian-security bookworm-security main\n`
  );
}

function catalogHash(): string {
  return createHash('sha256')
    .update(JSON.stringify({ CATALOG, v: 2 }))
    .digest('hex')
    .slice(0, 12);
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function debFileName(pkg: string, version: string): string {
  return `${pkg}_${version}_all.deb`;
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
    `Version: ${meta.version}`,
    `Codename: ${meta.codename}`,
    `Date: ${new Date(EPOCH * 1000).toUTCString()}`,
    'Architectures: amd64 all',
    'Components: main',
    `Description: System Update lab repository (${meta.codename})`,
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

/** Writes the repository for `set` into STATE/repo/www (served by busybox httpd). */
export async function writeRepo(set: PublishedSet): Promise<void> {
  const debs = await buildDebs();
  const www = join(labPaths().state, 'repo', 'www');
  for (const s of Object.keys(SUITES) as Suite[]) {
    const meta = SUITES[s];
    const suiteRoot = join(www, meta.dir);
    const pool = join(suiteRoot, 'pool', 'main');
    const staging = join(labPaths().state, 'repo', `staging-${s}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(join(staging, 'pool', 'main'), { recursive: true });
    mkdirSync(pool, { recursive: true });
    const extra = new Map<string, Record<string, string>>();
    for (const pkg of CATALOG) {
      const upTo = set[pkg.name];
      if (!upTo) continue;
      for (const v of pkg.versions) {
        if ((v.suite !== s && !(v.alsoIn ?? []).includes(s)) || compareVersions(v.version, upTo) > 0) continue;
        const file = debFileName(pkg.name, v.version);
        copyFileSync(join(debs, file), join(staging, 'pool', 'main', file));
        if (!existsSync(join(pool, file))) linkSync(join(debs, file), join(pool, file));
        if (v.indexFields) extra.set(`${pkg.name} ${v.version}`, v.indexFields);
      }
    }
    const scanned = await run('dpkg-scanpackages', ['--multiversion', 'pool/main', '/dev/null'], { cwd: staging });
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
    const dist = join(suiteRoot, 'dists', meta.codename);
    const bin = join(dist, 'main', 'binary-amd64');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'Packages'), pkgBuf);
    writeFileSync(join(bin, 'Packages.gz'), gzBuf);
    writeFileSync(
      join(dist, 'Release'),
      releaseFile(s, [
        { name: 'main/binary-amd64/Packages', data: pkgBuf },
        { name: 'main/binary-amd64/Packages.gz', data: gzBuf },
      ]),
    );
    // Release changed -> make sure its mtime moves forward (apt sends If-Modified-Since).
    const now = Date.now() / 1000;
    utimesSync(join(dist, 'Release'), now, now);
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
