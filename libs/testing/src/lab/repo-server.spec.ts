// The lab repository answers as a Debian mirror does (ADR 0058): apt's If-Modified-Since gets 304 while a Release is
// unchanged, and a Release published again — even within the same second — is served anew.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type IncomingHttpHeaders } from 'node:http';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labPaths } from './config.ts';
import { publishRelease } from './repo-build.ts';

let root: string;
let server: ChildProcess;
let base: string;
const DIST = 'debian/dists/bookworm';

async function startServer(): Promise<string> {
  server = spawn(process.execPath, [join(labPaths().tools, 'repo-server.ts'), '127.0.0.1', '0', root], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: server.stdout! });
  for await (const line of lines) {
    const m = /^listening on (.+)$/.exec(line);
    if (m) return `http://${m[1]}`;
  }
  throw new Error('the repository server ended before listening');
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A GET as apt's http method sends it (fetch would add `Cache-Control: no-cache` to a conditional request). */
function get(path: string, ifModifiedSince?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = ifModifiedSince ? { 'if-modified-since': ifModifiedSince } : {};
    request(`${base}/${path}`, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'su-repo-server-'));
  mkdirSync(join(root, DIST), { recursive: true });
  base = await startServer();
});

afterAll(() => {
  server.kill();
  rmSync(root, { recursive: true, force: true });
});

describe('lab repository server', () => {
  it("answers apt's If-Modified-Since with 304 while the Release is unchanged, and serves a changed one", async () => {
    publishRelease(join(root, DIST), Buffer.from('Origin: Debian\nSuite: stable\n'));
    const first = await get(`${DIST}/Release`);
    expect(first.status).toBe(200);
    const lastModified = first.headers['last-modified'];
    expect(lastModified).toBeTruthy();

    // Published again with the same content: untouched, so a mirror's "Hit".
    publishRelease(join(root, DIST), Buffer.from('Origin: Debian\nSuite: stable\n'));
    expect((await get(`${DIST}/Release`, lastModified!)).status).toBe(304);

    // A new version right away (within the same second, most likely): HTTP dates have whole seconds, so the new
    // Release must carry a later one or apt would keep the old lists.
    publishRelease(join(root, DIST), Buffer.from('Origin: Debian\nSuite: stable\nChanged: yes\n'));
    const changed = await get(`${DIST}/Release`, lastModified!);
    expect(changed.status).toBe(200);
    expect(changed.body).toContain('Changed: yes');
    expect(Date.parse(changed.headers['last-modified']!)).toBeGreaterThan(Date.parse(lastModified!));
  });

  it('answers a missing file with an empty 404 that says its length (apt-cacher-ng needs it)', async () => {
    const missing = await get(`${DIST}/InRelease`);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-length']).toBe('0');
  });
});
