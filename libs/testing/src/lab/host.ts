// Host prerequisites: root, Debian tools, mirror detection.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './exec.ts';
import { labPaths } from './config.ts';

/** Host commands the lab needs, with the Debian package providing each. */
export const HOST_TOOLS: Record<string, string> = {
  debootstrap: 'debootstrap',
  zstd: 'zstd',
  sshpass: 'sshpass',
  ssh: 'openssh-client',
  'ssh-keygen': 'openssh-client',
  'dpkg-deb': 'dpkg',
  'dpkg-scanpackages': 'dpkg-dev',
  ip: 'iproute2',
  nsenter: 'util-linux',
  unshare: 'util-linux',
  busybox: 'busybox-static',
  'docker-registry': 'docker-registry',
  'apt-cacher-ng': 'apt-cacher-ng',
};

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function which(cmd: string): boolean {
  const path = (process.env.PATH ?? '/usr/bin:/bin') + ':/usr/sbin:/sbin';
  return path.split(':').some((d) => d && existsSync(join(d, cmd)));
}

export function missingHostTools(): string[] {
  return Object.keys(HOST_TOOLS).filter((c) => !which(c));
}

/** Installs missing Debian packages with tools/lab/ci.sh. Returns null when everything is there, else the reason. */
export async function ensureHostTools(log: (m: string) => void = () => undefined): Promise<string | null> {
  if (!isRoot()) return 'the lab needs root (network namespaces, mounts, debootstrap)';
  if (!existsSync('/etc/debian_version')) return 'the lab needs a Debian host (debootstrap, apt)';
  let missing = missingHostTools();
  if (missing.length === 0) return null;
  log(`installing Debian packages for: ${missing.join(', ')}`);
  const r = await run('/bin/sh', [join(labPaths().tools, 'ci.sh')], { allowFail: true, timeoutMs: 15 * 60_000 });
  missing = missingHostTools();
  if (missing.length > 0) {
    return `cannot install Debian tools (${missing.join(', ')}): ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`;
  }
  return null;
}

/** The Debian mirror configured on the host for bookworm (SU_LAB_MIRROR overrides). */
export function detectMirror(): string {
  if (process.env.SU_LAB_MIRROR) return process.env.SU_LAB_MIRROR;
  const files: string[] = [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  if (existsSync('/etc/apt/sources.list.d')) {
    for (const f of readdirSync('/etc/apt/sources.list.d').sort()) files.push(join('/etc/apt/sources.list.d', f));
  }
  for (const f of files) {
    let text = '';
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    if (f.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const uris = /^URIs:\s*(.+)$/im.exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
        const suites = /^Suites:\s*(.+)$/im.exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
        const types = /^Types:\s*(.+)$/im.exec(stanza)?.[1] ?? 'deb';
        if (types.includes('deb') && suites.includes('bookworm') && uris[0]) return uris[0].replace(/\/$/, '');
      }
    } else {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/.exec(line);
        if (m?.[1]) return m[1].replace(/\/$/, '');
      }
    }
  }
  return 'http://deb.debian.org/debian';
}
