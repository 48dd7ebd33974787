// Issue 10, APT proxy per machine, against a real apt-cacher-ng (the Debian package) on the lab bridge: `runtime`
// makes this run's apt-get update and apply fetch through it and leaves the machine's configuration alone;
// `persistent` writes our apt.conf.d file, so the machine's own apt uses the proxy too; back to `direct`, the file
// is gone and nothing more goes through the proxy. Needs root; skipped otherwise.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  ensureHostTools,
  HOST_ADDRESS,
  isRoot,
  Lab,
  labPaths,
  REPO_URL,
  type LabMachine,
  type TestDatabase,
} from '@su/testing';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`apt proxy lab tests skipped: ${skipReason}`);

const ADMIN_PW = 'lab-admin-pw';
const CONF = '/etc/apt/apt.conf.d/80system-update-proxy';
const MIRROR_PORT = 8092;

/**
 * The lab repository served as a real mirror serves it: busybox httpd's 404 (for the InRelease apt asks first) has
 * no Content-Length, which apt-cacher-ng turns into a 503 that stops apt; Debian's mirrors send one.
 */
function startMirror(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    try {
      const st = statSync(join(root, path));
      if (!st.isFile()) throw new Error('not a file');
      res.writeHead(200, { 'Content-Length': st.size, 'Content-Type': 'application/octet-stream' });
      createReadStream(join(root, path)).pipe(res);
    } catch {
      res.writeHead(404, { 'Content-Length': 0 });
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(MIRROR_PORT, HOST_ADDRESS, () => resolve(server)));
}

describe.skipIf(!!skipReason)('apt: proxy per machine (lab, apt-cacher-ng)', () => {
  let lab: Lab;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let m: LabMachine;
  let cacher: { url: string; log: () => string };
  let id = '';
  let mirror: Server | undefined;
  const api: GatewayHarness['api'] = (...a) => gw.api(...a);
  /** The proxy's access-log lines for this machine's requests. */
  const proxied = () =>
    cacher
      .log()
      .split('\n')
      .filter((l) => l.includes(`|${m.address}|`));
  const action = async (body: Record<string, unknown>) => {
    const res = await api('POST', `/api/v1/machines/${id}/actions`, { body });
    expect(res.status, res.text).toBe(201);
    const job = await gw.waitJob(res.body.id, 180_000);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'ok' });
    return job;
  };
  const setProxy = async (body: Record<string, unknown>) => {
    const res = await api('PATCH', `/api/v1/machines/${id}`, { body });
    expect(res.status, res.text).toBe(200);
    return res.body.aptProxy;
  };
  const confOnMachine = async () => (await lab.exec(m.name, `cat ${CONF} 2>/dev/null || echo ABSENT`)).stdout.trim();

  beforeAll(async () => {
    if (Lab.exists()) await Lab.attach().down();
    lab = await Lab.up({ machines: 1, log: (x) => console.log(`[lab] ${x}`) });
    m = lab.machines()[0]!;
    cacher = await lab.startAptCacher();
    mirror = await startMirror(join(labPaths().state, 'repo', 'www'));
    const mirrorUrl = `http://${HOST_ADDRESS}:${MIRROR_PORT}`;
    await lab.exec(m.name, `sed -i 's#${REPO_URL}#${mirrorUrl}#' /etc/apt/sources.list.d/lab.list`);
    db = await createTestDatabase();
    gw = await startGateway(db, { SU_SSH_CONNECT_TIMEOUT_SECONDS: '6' });
    const res = await api('POST', '/api/v1/machines', {
      body: {
        name: 'proxy1',
        hostname: m.address,
        port: m.sshPort,
        username: 'admin',
        credentials: { authMethod: 'password', password: ADMIN_PW, sudoMode: 'same_as_ssh' },
      },
    });
    expect(res.status).toBe(201);
    id = res.body.id;
  }, 300_000);

  afterAll(async () => {
    await new Promise((r) => (mirror ? mirror.close(r) : r(undefined)));
    await gw?.close();
    await db?.drop();
    await lab?.down();
  });

  it('direct: nothing goes through the proxy', async () => {
    await action({ action: 'apt_update_analyze' });
    expect(proxied()).toEqual([]);
    expect(await confOnMachine()).toBe('ABSENT');
  });

  it('runtime: this run fetches the lists and the packages through the proxy; the machine configuration is untouched', async () => {
    expect(await setProxy({ aptProxyMode: 'runtime', aptProxyUrl: cacher.url })).toEqual({
      mode: 'runtime',
      url: cacher.url,
    });
    await lab.publish('homelab-demo', '1.1');
    await action({ action: 'apt_update_analyze' });
    const lists = proxied();
    expect(
      lists.some((l) => /\/dists\/.*(InRelease|Release|Packages)/.test(l)),
      lists.join('\n'),
    ).toBe(true);
    expect(await confOnMachine()).toBe('ABSENT');
    // The machine's own apt does not know the proxy.
    expect((await lab.exec(m.name, 'apt-config dump | grep -i "Acquire::http::Proxy" || true')).stdout).toBe('');
    await action({ action: 'apt_upgrade', packages: ['homelab-demo'] });
    const after = proxied();
    expect(
      after.some((l) => /homelab-demo_1\.1.*\.deb/.test(l)),
      after.join('\n'),
    ).toBe(true);
    expect((await lab.exec(m.name, 'cat /usr/share/homelab-demo/VERSION')).stdout.trim()).toBe('1.1');
  });

  it('persistent writes our apt.conf.d file (the machine apt uses it); direct removes it and the proxy sees no more', async () => {
    expect(await setProxy({ aptProxyMode: 'persistent' })).toEqual({ mode: 'persistent', url: cacher.url });
    const before = proxied().length;
    await action({ action: 'apt_update_analyze' });
    expect(await confOnMachine()).toBe(
      `// Written by system-update (APT proxy mode: persistent). Removed when the mode is changed.\nAcquire::http::Proxy "${cacher.url}";`,
    );
    expect(proxied().length).toBeGreaterThan(before);
    // The machine's own apt (not ours) now goes through the proxy.
    const own = proxied().length;
    await lab.exec(m.name, 'apt-get -q update >/dev/null 2>&1');
    expect(proxied().length).toBeGreaterThan(own);
    const mode = (await lab.exec(m.name, `stat -c '%a %U' ${CONF}`)).stdout.trim();
    expect(mode).toBe('644 root');

    expect(await setProxy({ aptProxyMode: 'direct' })).toEqual({ mode: 'direct', url: cacher.url });
    await action({ action: 'apt_update_analyze' });
    expect(await confOnMachine()).toBe('ABSENT');
    const gone = proxied().length;
    await lab.exec(m.name, 'apt-get -q update >/dev/null 2>&1');
    await action({ action: 'apt_update_analyze' });
    expect(proxied().length).toBe(gone);
  });
});
