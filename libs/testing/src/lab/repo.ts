// Deterministic local APT repository served over HTTP on the lab bridge. Package versions are built once with
// dpkg-deb (reproducible: fixed SOURCE_DATE_EPOCH and mtimes) into the cache; `publish` decides which versions
// the indexes (dpkg-scanpackages --multiversion) list. Release files mimic each archive's own metadata
// (Origin/Label/Suite/Codename) so "security" can be detected from origin/suite as apt shows it: Debian's two suites
// (in every machine's sources), and other distributions' archives a test adds a sources line for — Raspberry Pi OS
// (archive.raspberrypi.com/debian), Proxmox VE's no-subscription repository and an Ubuntu noble-updates pocket.

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
