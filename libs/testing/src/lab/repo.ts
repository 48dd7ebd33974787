// Deterministic local APT repository served over HTTP on the lab bridge. Package versions are built once with
// dpkg-deb (reproducible: fixed SOURCE_DATE_EPOCH and mtimes) into the cache; `publish` decides which versions
// the indexes (dpkg-scanpackages --multiversion) list. Release files mimic each archive's own metadata
// (Origin/Label/Suite/Codename) so "security" can be detected from origin/suite as apt shows it: Debian's two suites
// (in every machine's sources), and other distributions' archives a test adds a sources line for — Raspberry Pi OS
// (archive.raspberrypi.com/debian), Proxmox VE's no-subscription repository and an Ubuntu noble-updates pocket.
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

export type Suite = 'bookworm' | 'bookworm-security' | 'raspberrypi' | 'pve-no-subscription' | 'noble-updates';

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
  {
    name: 'raspberrypi-kernel',
    purpose:
      "Raspberry Pi OS's kernel (archive.raspberrypi.com/debian, Origin Raspberry Pi Foundation; bullseye-era name, still on many bookworm Pis). Like the real one it writes no /run/reboot-required: only the product's kernel rule knows a reboot is needed",
    versions: [
      {
        version: '1:1.20230405-1',
        suite: 'raspberrypi',
        description: 'Raspberry Pi bootloader',
        files: { '/boot/firmware/kernel8.img': 'lab kernel 1.20230405\n' },
      },
      {
        version: '1:1.20240529-1',
        suite: 'raspberrypi',
        description: 'Raspberry Pi bootloader',
        files: { '/boot/firmware/kernel8.img': 'lab kernel 1.20240529\n' },
      },
    ],
  },
  {
    name: 'linux-image-rpi-v8',
    purpose:
      "Raspberry Pi OS bookworm's kernel metapackage: each version depends on that version's linux-image-<abi>+rpt-rpi-v8, so upgrading it installs a new package (plain upgrade keeps it back, dist-upgrade takes it)",
    versions: [
      {
        version: '1:6.6.51-1+rpt3',
        suite: 'raspberrypi',
        depends: 'linux-image-6.6.51+rpt-rpi-v8 (= 1:6.6.51-1+rpt3)',
        description: 'Linux for Raspberry Pi v8 (meta-package)',
        files: { '/usr/share/doc/linux-image-rpi-v8/VERSION': '6.6.51\n' },
      },
      {
        version: '1:6.6.74-1+rpt1',
        suite: 'raspberrypi',
        depends: 'linux-image-6.6.74+rpt-rpi-v8 (= 1:6.6.74-1+rpt1)',
        description: 'Linux for Raspberry Pi v8 (meta-package)',
        files: { '/usr/share/doc/linux-image-rpi-v8/VERSION': '6.6.74\n' },
      },
    ],
  },
  ...(['6.6.51-1+rpt3', '6.6.74-1+rpt1'] as const).map((v) => ({
    name: `linux-image-${v.split('-')[0]}+rpt-rpi-v8`,
    purpose: 'a Raspberry Pi OS kernel image (the package linux-image-rpi-v8 of the same version depends on)',
    versions: [
      {
        version: `1:${v}`,
        suite: 'raspberrypi' as const,
        description: `Linux ${v.split('-')[0]} for Raspberry Pi v8`,
        files: { [`/boot/vmlinuz-${v.split('-')[0]}+rpt-rpi-v8`]: `lab kernel ${v}\n` },
      },
    ],
  })),
  {
    name: 'proxmox-kernel-6.8',
    purpose:
      "Proxmox VE 8's kernel series metapackage (download.proxmox.com/debian/pve, pve-no-subscription): each version depends on that ABI's proxmox-kernel-<abi>-pve-signed, which upgrading installs; no /run/reboot-required is written, as on a real Proxmox host",
    versions: [
      {
        version: '6.8.12-4',
        suite: 'pve-no-subscription',
        depends: 'proxmox-kernel-6.8.12-4-pve-signed',
        description: 'Latest Proxmox Kernel Image',
        files: { '/usr/share/doc/proxmox-kernel-6.8/VERSION': '6.8.12-4\n' },
      },
      {
        version: '6.8.12-5',
        suite: 'pve-no-subscription',
        depends: 'proxmox-kernel-6.8.12-5-pve-signed',
        description: 'Latest Proxmox Kernel Image',
        files: { '/usr/share/doc/proxmox-kernel-6.8/VERSION': '6.8.12-5\n' },
      },
    ],
  },
  ...(['6.8.12-4', '6.8.12-5'] as const).map((v) => ({
    name: `proxmox-kernel-${v}-pve-signed`,
    purpose: 'a Proxmox VE kernel image (the proxmox-kernel-6.8 of the same version depends on)',
    versions: [
      {
        version: v,
        suite: 'pve-no-subscription' as const,
        description: `Proxmox Kernel Image (signed) ${v}`,
        files: { [`/boot/vmlinuz-${v}-pve`]: `lab kernel ${v}\n` },
      },
    ],
  })),
  {
    name: 'homelab-noble-phased',
    purpose:
      'in the Ubuntu noble-updates pocket (Origin Ubuntu): 1.0-0ubuntu1.1 carries Phased-Update-Percentage: 0 (a halted phase), so apt defers it on every machine',
    versions: [
      {
        version: '1.0-0ubuntu1',
        suite: 'noble-updates',
        description: 'lab package in the Ubuntu noble-updates pocket',
        files: { '/usr/share/homelab-noble-phased/VERSION': '1.0-0ubuntu1\n' },
      },
      {
        version: '1.0-0ubuntu1.1',
        suite: 'noble-updates',
        description: 'lab package in the Ubuntu noble-updates pocket',
        indexFields: { 'Phased-Update-Percentage': '0' },
        files: { '/usr/share/homelab-noble-phased/VERSION': '1.0-0ubuntu1.1\n' },
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

/** Writes the repository for `set` into STATE/repo/www (served by busybox httpd). */
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
    writeFileSync(join(bin, 'Packages'), pkgBuf);
    writeFileSync(join(bin, 'Packages.gz'), gzBuf);
    writeFileSync(
      join(dist, 'Release'),
      releaseFile(s, [
        { name: `${comp}/binary-amd64/Packages`, data: pkgBuf },
        { name: `${comp}/binary-amd64/Packages.gz`, data: gzBuf },
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
