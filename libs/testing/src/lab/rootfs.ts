// Base root file system: debootstrap'd Debian bookworm + Compose v2 (trixie's docker-compose .deb), cached as a
// zstd tarball in the cache dir and unpacked once; machines use it read-only as an overlayfs lower layer.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_PACKAGES, labPaths } from './config.ts';
import { detectMirror } from './host.ts';
import { run } from './exec.ts';

const BASE_VERSION = 3; // bump when the build recipe changes

export interface BaseRootfs {
  key: string;
  tarball: string;
  rootfs: string;
  built: boolean;
  seconds: number;
}

function baseKey(): string {
  return createHash('sha256')
    .update(JSON.stringify({ v: BASE_VERSION, suite: 'bookworm', pkgs: BASE_PACKAGES }))
    .digest('hex')
    .slice(0, 12);
}

/** Downloads trixie's docker-compose .deb (Compose v2, a static Go binary that needs only libc) with apt-get,
 * using a private sources list so the host's APT configuration is left alone. */
export async function fetchComposeDeb(log: (m: string) => void): Promise<string> {
  const dir = join(labPaths().cache, 'compose');
  mkdirSync(dir, { recursive: true });
  const have = readdirSync(dir).find((f) => /^docker-compose_.*\.deb$/.test(f));
  if (have) return join(dir, have);
  const mirror = detectMirror();
  log(`fetching docker-compose (Compose v2) from trixie at ${mirror}`);
  const aptDir = join(dir, 'apt');
  for (const d of ['lists/partial', 'cache/archives/partial']) mkdirSync(join(aptDir, d), { recursive: true });
  writeFileSync(
    join(aptDir, 'sources.list'),
    `deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror} trixie main\n`,
  );
  const opts = [
    '-o',
    `Dir::Etc::SourceList=${join(aptDir, 'sources.list')}`,
    '-o',
    'Dir::Etc::SourceParts=/nonexistent',
    '-o',
    `Dir::State::Lists=${join(aptDir, 'lists')}`,
    '-o',
    `Dir::Cache=${join(aptDir, 'cache')}`,
    '-o',
    'APT::Architecture=amd64',
    '-o',
    'Acquire::Languages=none',
    '-o',
    'APT::Sandbox::User=root',
  ];
  await run('apt-get', [...opts, '-q', 'update'], { timeoutMs: 5 * 60_000 });
  await run('apt-get', [...opts, '-q', 'download', 'docker-compose'], { cwd: dir, timeoutMs: 5 * 60_000 });
  rmSync(aptDir, { recursive: true, force: true });
  const got = readdirSync(dir).find((f) => /^docker-compose_.*\.deb$/.test(f));
  if (!got) throw new Error('docker-compose .deb was not downloaded');
  return join(dir, got);
}

export async function ensureBaseRootfs(log: (m: string) => void = () => undefined): Promise<BaseRootfs> {
  const { cache } = labPaths();
  const key = baseKey();
  const tarball = join(cache, `bookworm-base-${key}.tar.zst`);
  const unpacked = join(cache, `bookworm-base-${key}`);
  const rootfs = join(unpacked, 'rootfs');
  const t0 = Date.now();
  let built = false;
  mkdirSync(cache, { recursive: true });
  if (!existsSync(tarball)) {
    const compose = await fetchComposeDeb(log);
    const build = join(cache, `build-${key}`);
    rmSync(build, { recursive: true, force: true });
    const mirror = detectMirror();
    log(`debootstrap bookworm (${BASE_PACKAGES.join(',')}) from ${mirror} ...`);
    await run('debootstrap', ['--variant=minbase', `--include=${BASE_PACKAGES.join(',')}`, 'bookworm', build, mirror], {
      timeoutMs: 20 * 60_000,
    });
    writeFileSync(join(build, 'tmp', 'compose.deb'), '');
    await run('cp', [compose, join(build, 'tmp', 'compose.deb')]);
    await run('chroot', [build, 'dpkg', '-i', '/tmp/compose.deb']);
    // Slim down and make the image neutral: no APT lists/caches, no host keys (each machine gets its own),
    // no Debian sources (machines only see the lab repository).
    await run('/bin/sh', [
      '-c',
      `set -e; cd ${build}; rm -f tmp/compose.deb etc/ssh/ssh_host_* etc/apt/sources.list; rm -rf var/lib/apt/lists/* var/cache/apt/*.bin var/cache/apt/archives/*.deb var/log/*.log; : > etc/machine-id`,
    ]);
    log(`packing ${tarball} ...`);
    await run('tar', ['--zstd', '-cf', `${tarball}.tmp`, '-C', build, '--numeric-owner', '--xattrs', '.']);
    await run('mv', [`${tarball}.tmp`, tarball]);
    rmSync(build, { recursive: true, force: true });
    rmSync(unpacked, { recursive: true, force: true });
    built = true;
  }
  if (!existsSync(join(unpacked, '.complete'))) {
    rmSync(unpacked, { recursive: true, force: true });
    mkdirSync(rootfs, { recursive: true });
    log(`unpacking ${tarball} ...`);
    await run('tar', ['--zstd', '-xf', tarball, '-C', rootfs, '--numeric-owner', '--xattrs', '--xattrs-include=*']);
    writeFileSync(join(unpacked, '.complete'), new Date().toISOString());
  }
  return { key, tarball, rootfs, built, seconds: (Date.now() - t0) / 1000 };
}

export function tarballSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}
