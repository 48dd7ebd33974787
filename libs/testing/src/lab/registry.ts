// Local Docker registry (Debian's docker-registry) on the lab bridge, and image pushes done from the host with the
// Registry HTTP API v2: images are built from local files only (the host's busybox-static binary), so no public
// registry is ever contacted. Every push writes a fresh layer (serial + timestamp), so pushing under the same tag
// changes the manifest digest.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { REGISTRY_HOST } from './config.ts';

interface TarEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  data?: Buffer;
  target?: string;
}

function tarHeader(e: TarEntry, mtime: number): Buffer {
  const h = Buffer.alloc(512, 0);
  const put = (s: string, off: number, len: number) => h.write(s, off, Math.min(len, Buffer.byteLength(s)), 'utf8');
  const oct = (n: number, len: number) => n.toString(8).padStart(len - 1, '0') + '\0';
  put(e.path, 0, 100);
  put(oct(e.mode, 8), 100, 8);
  put(oct(0, 8), 108, 8);
  put(oct(0, 8), 116, 8);
  put(oct(e.type === 'file' ? (e.data?.length ?? 0) : 0, 12), 124, 12);
  put(oct(mtime, 12), 136, 12);
  h.write('        ', 148, 8, 'ascii');
  h.write(e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2', 156, 1, 'ascii');
  if (e.target) put(e.target, 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return h;
}

export function makeTar(entries: TarEntry[], mtime = 1735689600): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(tarHeader(e, mtime));
    if (e.type === 'file' && e.data) {
      parts.push(e.data);
      const pad = (512 - (e.data.length % 512)) % 512;
      if (pad) parts.push(Buffer.alloc(pad, 0));
    }
  }
  parts.push(Buffer.alloc(1024, 0));
  return Buffer.concat(parts);
}

const sha = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');

export interface PushedImage {
  repository: string;
  tag: string;
  /** Manifest digest as the registry reports it (Docker-Content-Digest). */
  digest: string;
  reference: string;
  marker: string;
}

async function upload(registry: string, repo: string, blob: Buffer, digest: string): Promise<void> {
  const base = `http://${registry}/v2/${repo}/blobs`;
  const head = await fetch(`${base}/${digest}`, { method: 'HEAD' });
  if (head.ok) return;
  const start = await fetch(`${base}/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`registry: start upload failed: ${start.status} ${await start.text()}`);
  const loc = start.headers.get('location');
  if (!loc) throw new Error('registry: no upload location');
  const url = new URL(loc, `http://${registry}`);
  url.searchParams.set('digest', digest);
  const put = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.length) },
    body: blob,
  });
  if (put.status !== 201) throw new Error(`registry: blob upload failed: ${put.status} ${await put.text()}`);
}

let serial = 0;

/**
 * Builds a tiny busybox image (from the host's busybox-static) with a unique marker file and pushes it to the lab
 * registry, or to `opts.registry` (`host:port` of another plain-HTTP registry without auth, e.g. a test's own).
 */
export async function pushImage(
  tag: string,
  opts: { cmd?: string[]; marker?: string; registry?: string } = {},
): Promise<PushedImage> {
  const registry = opts.registry ?? REGISTRY_HOST;
  const [repository, t] = tag.includes(':')
    ? [tag.slice(0, tag.lastIndexOf(':')), tag.slice(tag.lastIndexOf(':') + 1)]
    : [tag, 'latest'];
  if (!repository || !t) throw new Error(`bad tag ${tag}`);
  const marker = opts.marker ?? `${repository}:${t} push ${++serial} at ${new Date().toISOString()} pid ${process.pid}`;
  const busybox = readFileSync('/bin/busybox');
  const layer = makeTar([
    { path: 'bin/', type: 'dir', mode: 0o755 },
    { path: 'bin/busybox', type: 'file', mode: 0o755, data: busybox },
    ...['sh', 'cat', 'ls', 'ps', 'sleep', 'echo', 'wget', 'httpd', 'env', 'id'].map((a) => ({
      path: `bin/${a}`,
      type: 'symlink' as const,
      mode: 0o777,
      target: 'busybox',
    })),
    { path: 'etc/', type: 'dir', mode: 0o755 },
    { path: 'etc/lab-image', type: 'file', mode: 0o644, data: Buffer.from(marker + '\n') },
    { path: 'tmp/', type: 'dir', mode: 0o1777 },
    { path: 'www/', type: 'dir', mode: 0o755 },
    { path: 'www/index.html', type: 'file', mode: 0o644, data: Buffer.from(`<p>${marker}</p>\n`) },
  ]);
  const gz = gzipSync(layer);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: new Date().toISOString(),
      config: {
        Cmd: opts.cmd ?? ['/bin/busybox', 'httpd', '-f', '-p', '8080', '-h', '/www'],
        Env: ['PATH=/bin'],
        Labels: { 'lab.marker': marker },
      },
      rootfs: { type: 'layers', diff_ids: [sha(layer)] },
      history: [{ created: new Date().toISOString(), created_by: 'system-update lab pushImage' }],
    }),
  );
  await upload(registry, repository, gz, sha(gz));
  await upload(registry, repository, config, sha(config));
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha(config) },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: gz.length, digest: sha(gz) }],
  });
  const res = await fetch(`http://${registry}/v2/${repository}/manifests/${t}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
    body: manifest,
  });
  if (res.status !== 201) throw new Error(`registry: manifest put failed: ${res.status} ${await res.text()}`);
  const digest = res.headers.get('docker-content-digest') ?? sha(manifest);
  return { repository, tag: t, digest, reference: `${registry}/${repository}:${t}`, marker };
}

/** Current manifest digest of repository:tag in the lab registry, or in `registry` (null if absent). */
export async function registryDigest(tag: string, registry: string = REGISTRY_HOST): Promise<string | null> {
  const i = tag.lastIndexOf(':');
  const [repository, t] = i > 0 ? [tag.slice(0, i), tag.slice(i + 1)] : [tag, 'latest'];
  const res = await fetch(`http://${registry}/v2/${repository}/manifests/${t}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`registry: HEAD manifest ${tag}: ${res.status}`);
  return res.headers.get('docker-content-digest');
}

export function registryConfig(storage: string, addr: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${addr}`,
    '',
  ].join('\n');
}
