// A real registry for tests: Debian's docker-registry (the distribution project's registry, as in the lab), by
// default on 127.0.0.1 with an ephemeral port, its access log (combined format, stdout) kept in a file so a test can prove
// which requests reached it. Several instances may share one storage directory: an open one to push to and guarded
// ones (htpasswd or token auth) to check against.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

export type LocalRegistryAuth =
  | { htpasswd: { path: string } }
  | { token: { realm: string; service: string; issuer: string; rootCertBundle: string } };

export interface AccessEntry {
  method: string;
  path: string;
  status: number;
}

export interface LocalRegistry {
  /** `address:port` it listens on, as an image reference's registry part. */
  host: string;
  accessLog(): AccessEntry[];
  stop(): Promise<void>;
}

function config(storage: string, auth: LocalRegistryAuth | undefined, addr: string): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  cache:',
    '    blobdescriptor: inmemory',
    'http:',
    `  addr: ${addr}`,
    '  secret: su-test-upload-secret',
  ];
  if (auth && 'htpasswd' in auth)
    lines.push('auth:', '  htpasswd:', '    realm: su-test', `    path: ${auth.htpasswd.path}`);
  if (auth && 'token' in auth) {
    const t = auth.token;
    lines.push('auth:', '  token:', `    realm: ${t.realm}`, `    service: ${t.service}`, `    issuer: ${t.issuer}`);
    lines.push(`    rootcertbundle: ${t.rootCertBundle}`);
  }
  return lines.join('\n') + '\n';
}

const ACCESS_LINE = /"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3}) /;

function parseAccessLog(file: string): AccessEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => ACCESS_LINE.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ method: m[1] ?? '', path: m[2] ?? '', status: Number(m[3]) }));
}

async function waitForAddress(errFile: string, child: ChildProcess): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`docker-registry exited: ${readFileSync(errFile, 'utf8').slice(-2000)}`);
    const m = /listening on ([\d.]+:\d+)/.exec(existsSync(errFile) ? readFileSync(errFile, 'utf8') : '');
    if (m?.[1]) return m[1];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('docker-registry did not start listening within 30 s');
}

/**
 * Starts a registry serving `storage` (created if absent); `dir` holds its config and logs. `addr` is where it listens
 * (default 127.0.0.1 with an ephemeral port; a lab spec may give the lab bridge's address so machines reach it).
 */
export async function startLocalRegistry(
  dir: string,
  storage: string,
  auth?: LocalRegistryAuth,
  addr = '127.0.0.1:0',
): Promise<LocalRegistry> {
  mkdirSync(dir, { recursive: true });
  mkdirSync(storage, { recursive: true });
  const configFile = join(dir, 'config.yml');
  const outFile = join(dir, 'access.log');
  const errFile = join(dir, 'registry.log');
  writeFileSync(configFile, config(storage, auth, addr));
  const child = spawn(REGISTRY_BINARY, ['serve', configFile], {
    stdio: ['ignore', openSync(outFile, 'a'), openSync(errFile, 'a')],
  });
  const host = await waitForAddress(errFile, child);
  return {
    host,
    accessLog: () => parseAccessLog(outFile),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls the access log until `count` entries matching `filter` are there (or the deadline), then returns them all. */
export async function accessEntries(
  registry: LocalRegistry,
  filter: (e: AccessEntry) => boolean,
  count: number,
): Promise<AccessEntry[]> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && registry.accessLog().filter(filter).length < count) {
    await new Promise((r) => setTimeout(r, 50));
  }
  // A moment more so a request past the expected count would show too.
  await new Promise((r) => setTimeout(r, 200));
  return registry.accessLog().filter(filter);
}
