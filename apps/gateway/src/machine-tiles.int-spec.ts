import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { gatewayPerFile } from './test/gateway.harness.ts';

const t = gatewayPerFile();

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A GET with node:http, which leaves the body as it crossed the wire (fetch would decompress it). */
function rawGet(
  base: string,
  path: string,
  token: string,
  encodings: string,
): Promise<{ status: number; encoding: string | undefined; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      { headers: { authorization: `Bearer ${token}`, 'accept-encoding': encodings } },
      (res) => {
        resolve({
          status: res.statusCode ?? 0,
          encoding: res.headers['content-encoding'],
          type: res.headers['content-type'],
        });
        res.destroy(); // the headers are what is tested (the event stream never ends by itself)
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function addMachine(name: string, tags: string[] = []): Promise<string> {
  const res = await t.gw.api('POST', '/api/v1/machines', {
    body: { name, hostname: '127.0.0.1', port: 1, username: 'admin', tags },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id as string;
}

describe('machine tiles', () => {
  it('a tile in the list is the machine’s own view: tags sorted, secrets as has/has-not, state, hardware, metrics', async () => {
    const id = await addMachine('tile-full', ['web', 'db']);
    // Written as the probe and the credentials route would (ciphertext stands in: only its presence is shown).
    await t.db.query(
      `INSERT INTO machine_credentials (machine_id, auth_method, enc_password, sudo_mode, key_id, status)
       VALUES ($1::uuid, 'password', 'v1:not-a-real-ciphertext', 'nopasswd', 'k1', 'ok')`,
      [id],
    );
    await t.db.query(
      `INSERT INTO machine_hardware (machine_id, cpu_model, cpu_cores, memory_bytes, firmware_json)
       VALUES ($1::uuid, 'Test CPU', 4, 8589934592, '{"hardwareModel": "Model X"}')`,
      [id],
    );
    await t.db.query(
      `INSERT INTO machine_metrics_latest (machine_id, collected_at, cpu_load1, root_used_percent, filesystems_json, boot_id)
       VALUES ($1::uuid, now(), 0.5, 41.5, '[{"mount": "/", "usedPercent": 41.5, "sizeBytes": 1000, "fsType": "ext4"}]', 'b1')`,
      [id],
    );
    await t.db.query(
      `UPDATE machine_state SET status = 'online', apt_updates_count = 7, apt_security_count = 2,
              apt_last_analyze_at = now(), blocked = true, blocked_reason = 'host key changed' WHERE machine_id = $1::uuid`,
      [id],
    );
    const one = await t.gw.api('GET', `/api/v1/machines/${id}`);
    const list = await t.gw.api('GET', '/api/v1/machines?tag=db');
    expect(list.status, list.text).toBe(200);
    expect(list.body.total).toBe(1);
    expect(list.body.items[0]).toEqual(one.body);
    const v = one.body;
    expect(v).toMatchObject({
      name: 'tile-full',
      status: 'online',
      tags: ['db', 'web'],
      aptProxy: { mode: 'direct', url: null },
      credentials: { authMethod: 'password', hasPassword: true, hasPrivateKey: false, hasSudoPassword: false },
      state: { aptUpdatesCount: 7, aptSecurityCount: 2, blocked: true, blockedReason: 'host key changed' },
      hardware: { cpuModel: 'Test CPU', cpuCores: 4, memoryBytes: 8589934592, hardwareModel: 'Model X' },
      metrics: { cpuLoad1: 0.5, rootUsedPercent: 41.5, bootId: 'b1' },
    });
    // Only the fields the view names: the file system type stays in the database.
    expect(v.metrics.filesystems).toEqual([{ mount: '/', usedPercent: 41.5, sizeBytes: 1000 }]);
    for (const at of [
      v.createdAt,
      v.updatedAt,
      v.state.aptLastAnalyzeAt,
      v.credentials.updatedAt,
      v.metrics.collectedAt,
    ])
      expect(at).toMatch(ISO);
    expect(one.text).not.toContain('not-a-real-ciphertext');
    expect(list.text).not.toContain('not-a-real-ciphertext');
  });

  it('pages by name then id, counts the whole list, leaves deleted machines out; a stored unknown status reads unknown', async () => {
    const ids = [await addMachine('page-c', ['paged']), await addMachine('page-a', ['paged'])];
    await addMachine('page-b', ['paged']);
    await t.gw.api('DELETE', `/api/v1/machines/${ids[0]}`);
    await t.db.query(`UPDATE machine_state SET status = 'from-the-future' WHERE machine_id = $1::uuid`, [ids[1]]);
    const first = await t.gw.api('GET', '/api/v1/machines?tag=paged&limit=1');
    const second = await t.gw.api('GET', '/api/v1/machines?tag=paged&limit=1&offset=1');
    expect(first.body.total).toBe(2);
    expect([first.body.items[0].name, second.body.items[0].name]).toEqual(['page-a', 'page-b']);
    expect(first.body.items[0].status).toBe('unknown');
    expect(first.body.items[0].state.status).toBe('unknown');
    expect((await t.gw.api('GET', `/api/v1/machines/${ids[0]}`)).status).toBe(404);
  });

  it('answers compressed as the client accepts (brotli, gzip), never the event stream', async () => {
    for (let i = 0; i < 3; i++) await addMachine(`zip-${i}`, ['zip']);
    const { base, adminToken } = t.gw;
    const br = await rawGet(base, '/api/v1/machines?tag=zip', adminToken, 'gzip, deflate, br');
    expect(br).toMatchObject({ status: 200, encoding: 'br' });
    expect((await rawGet(base, '/api/v1/machines?tag=zip', adminToken, 'gzip')).encoding).toBe('gzip');
    expect((await rawGet(base, '/api/v1/machines?tag=zip', adminToken, 'identity')).encoding).toBeUndefined();
    const sse = await rawGet(base, '/api/v1/events/stream', adminToken, 'gzip, deflate, br');
    expect(sse.status).toBe(200);
    expect(sse.type).toMatch(/^text\/event-stream/);
    expect(sse.encoding).toBeUndefined();
  });

  it('updates/pending: one group per change, each machine counted once, security first, held apart, limited', async () => {
    const [a, b] = [await addMachine('pend-a'), await addMachine('pend-b')];
    const row = (m: string, name: string, key: string, security: boolean, held = false, arch = 'amd64') =>
      t.db.query(
        `INSERT INTO apt_planned_packages (snapshot_id, machine_id, mode, name, arch, current_version, target_version,
                                           origin, operation, security, held, dedup_key)
         VALUES ((SELECT id FROM snapshots WHERE machine_id = $1::uuid LIMIT 1), $1::uuid, 'upgrade', $2, $6, '1', '2',
                 'Debian', 'upgrade', $4, $5, $3)`,
        [m, name, key, security, held, arch],
      );
    for (const m of [a, b])
      await t.db.query(
        `INSERT INTO snapshots (machine_id, kind, status, payload) VALUES ($1::uuid, 'apt_update_analyze', 'ok', '{}')`,
        [m],
      );
    await row(a, 'libc6', 'k-libc6', false);
    await row(a, 'libc6', 'k-libc6', false, false, 'i386'); // multiarch: the same change twice on one machine
    await row(b, 'libc6', 'k-libc6', false);
    await row(b, 'openssl', 'k-openssl', true);
    await row(a, 'nginx', 'k-nginx', false, true);
    const res = await t.gw.api('GET', '/api/v1/updates/pending');
    expect(res.status, res.text).toBe(200);
    expect(res.body.map((g: { dedupKey: string }) => g.dedupKey)).toEqual(['k-openssl', 'k-libc6', 'k-nginx']);
    expect(res.body[1]).toMatchObject({ name: 'libc6', machineCount: 2, machineIds: [a, b].sort(), security: false });
    expect(res.body[0]).toMatchObject({ machineCount: 1, machineIds: [b], security: true });
    expect(res.body[2]).toMatchObject({ held: true, machineIds: [a] });
    const limited = await t.gw.api('GET', '/api/v1/updates/pending?limit=1');
    expect(limited.body.map((g: { dedupKey: string }) => g.dedupKey)).toEqual(['k-openssl']);
  });
});
