import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AptPackagesRepository, Database } from '@su/db';
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

  it('the stored tile follows every part it shows: state, metrics, tags (and a renamed tag), bootstrap, removals', async () => {
    const id = await addMachine('tile-fresh', ['fresh']);
    const tile = async () => {
      const list = await t.gw.api('GET', '/api/v1/machines?limit=1000');
      expect(list.status, list.text).toBe(200);
      const mine = (list.body.items as { id: string }[]).find((m) => m.id === id);
      expect(mine).toEqual((await t.gw.api('GET', `/api/v1/machines/${id}`)).body); // the same view, always
      return mine as Record<string, any>;
    };
    await t.db.query(`UPDATE machine_state SET apt_updates_count = 3, status = 'online' WHERE machine_id = $1::uuid`, [
      id,
    ]);
    expect(await tile()).toMatchObject({ status: 'online', state: { aptUpdatesCount: 3 } });
    await t.db.query(
      `INSERT INTO machine_metrics_latest (machine_id, collected_at, cpu_load1, filesystems_json) VALUES ($1::uuid, now(), 1.5, '[]')`,
      [id],
    );
    await t.db.query(`UPDATE machine_metrics_latest SET cpu_load1 = 2.5 WHERE machine_id = $1::uuid`, [id]);
    expect((await tile()).metrics).toMatchObject({ cpuLoad1: 2.5 });
    await t.db.query(`UPDATE tags SET name = 'fresh2' WHERE name = 'fresh'`);
    expect((await tile()).tags).toEqual(['fresh2']);
    await t.db.query(`INSERT INTO machine_bootstrap_state (machine_id, status) VALUES ($1::uuid, 'running')`, [id]);
    expect((await tile()).bootstrapStatus).toBe('running');
    await t.db.query(`DELETE FROM machine_metrics_latest WHERE machine_id = $1::uuid`, [id]);
    await t.db.query(`DELETE FROM machine_tags WHERE machine_id = $1::uuid`, [id]);
    expect(await tile()).toMatchObject({ metrics: null, tags: [] });
    const renamed = await t.gw.api('PATCH', `/api/v1/machines/${id}`, { body: { notes: 'kept fresh' } });
    expect(renamed.status, renamed.text).toBe(200);
    expect((await tile()).notes).toBe('kept fresh');
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

  it("sort=status pages worst first (the dashboard's default order), then by name; the rank follows the state", async () => {
    // One machine per status, in the web UI's worst-first order (apps/web/src/dashboard/machine-sort.ts), and a name
    // order that differs from it.
    const states: [string, string][] = [
      [
        'rank-h-blocked',
        `status = 'online', blocked = true, running_job_id = gen_random_uuid(), last_error_kind = 'x'`,
      ],
      ['rank-g-error', `status = 'online', last_error_kind = 'ssh_auth_failed', apt_security_count = 1`],
      ['rank-f-error-status', `status = 'error'`],
      ['rank-e-offline', `status = 'offline', apt_updates_count = 4`],
      ['rank-d-security', `status = 'online', apt_updates_count = 2, apt_security_count = 1`],
      ['rank-c-running', `status = 'online', running_job_id = gen_random_uuid(), apt_updates_count = 3`],
      ['rank-b-updates', `status = 'online', apt_updates_count = 5, last_error_kind = ''`],
      ['rank-a-unknown', `status = 'unknown', apt_updates_count = 1`],
      ['rank-0-ok', `status = 'online'`],
    ];
    const ids: Record<string, string> = {};
    for (const [name, set] of [...states].reverse()) {
      ids[name] = await addMachine(name, ['ranked']);
      await t.db.query(`UPDATE machine_state SET ${set} WHERE machine_id = $1::uuid`, [ids[name]]);
    }
    const names = async (query: string) => {
      const res = await t.gw.api('GET', `/api/v1/machines?tag=ranked&${query}`);
      expect(res.status, res.text).toBe(200);
      return (res.body.items as { name: string }[]).map((m) => m.name);
    };
    const worstFirst = states.map(([name]) => name);
    // rank-f-error-status and rank-g-error share a rank: by name between them.
    const expected = [worstFirst[0], worstFirst[2], worstFirst[1], ...worstFirst.slice(3)];
    expect(await names('sort=status&limit=100')).toEqual(expected);
    expect([...(await names('sort=status&limit=3')), ...(await names('sort=status&limit=100&offset=3'))]).toEqual(
      expected,
    );
    expect(await names('sort=name&limit=100')).toEqual([...expected].sort());
    // The stored rank follows a change of state: the ok machine is blocked, the blocked one is freed.
    await t.db.query(`UPDATE machine_state SET blocked = NOT blocked WHERE machine_id = ANY($1::uuid[])`, [
      [ids['rank-0-ok'], ids['rank-h-blocked']],
    ]);
    expect((await names('sort=status&limit=100')).slice(0, 2)).toEqual(['rank-0-ok', 'rank-f-error-status']);
    const bad = await t.gw.api('GET', '/api/v1/machines?sort=worst');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('sort');
    expect(bad.text).not.toContain('worst');
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

  it('updates/pending: one group per change, each machine counted once, security first, held apart, paged; its machines on demand', async () => {
    const [a, b] = [await addMachine('pend-a', ['pend-a']), await addMachine('pend-b')];
    const snapshot = async (m: string) =>
      (
        await t.db.query<{ id: string }>(
          `INSERT INTO snapshots (machine_id, kind, status, payload) VALUES ($1::uuid, 'apt_update_analyze', 'ok', '{}')
           RETURNING id`,
          [m],
        )
      )[0]!.id;
    const snaps = { [a]: await snapshot(a), [b]: await snapshot(b) };
    const row = (m: string, name: string, key: string, security: boolean, held = false, arch = 'amd64') =>
      t.db.query(
        `INSERT INTO apt_planned_packages (snapshot_id, machine_id, mode, name, arch, current_version, target_version,
                                           origin, operation, security, held, dedup_key)
         VALUES ($7::uuid, $1::uuid, 'upgrade', $2, $6, '1', '2', 'Debian', 'upgrade', $4, $5, $3)`,
        [m, name, key, security, held, arch, snaps[m]],
      );
    await row(a, 'libc6', 'k-libc6', false);
    await row(a, 'libc6', 'k-libc6', false, false, 'i386'); // multiarch: the same change twice on one machine
    await row(b, 'libc6', 'k-libc6', false);
    await row(b, 'openssl', 'k-openssl', true);
    await row(a, 'nginx', 'k-nginx', false, true);
    const groups = async (query = '', token?: string) => {
      const res = await t.gw.api('GET', `/api/v1/updates/pending${query}`, token ? { token } : {});
      expect(res.status, res.text).toBe(200);
      return res.body as { items: Record<string, unknown>[]; total: number };
    };
    const machinesOf = async (key: string, query = '', token?: string) => {
      const res = await t.gw.api(
        'GET',
        `/api/v1/updates/pending/machines?dedupKey=${encodeURIComponent(key)}${query}`,
        token ? { token } : {},
      );
      expect(res.status, res.text).toBe(200);
      return res.body as { items: { id: string; name: string }[]; total: number };
    };
    const all = await groups();
    expect(all.total).toBe(3);
    expect(all.items.map((g) => g.dedupKey)).toEqual(['k-openssl', 'k-libc6', 'k-nginx']);
    expect(all.items[1]).toEqual({
      dedupKey: 'k-libc6',
      name: 'libc6',
      currentVersion: '1',
      targetVersion: '2',
      origin: 'Debian',
      security: false,
      held: false,
      machineCount: 2,
    });
    expect(all.items[0]).toMatchObject({ machineCount: 1, security: true });
    expect(all.items[2]).toMatchObject({ held: true, machineCount: 1 });
    expect(await groups('?limit=1&offset=1')).toMatchObject({ total: 3, items: [{ dedupKey: 'k-libc6' }] });
    expect((await groups('?securityOnly=true')).items.map((g) => g.dedupKey)).toEqual(['k-openssl']);
    // The machines of a group, by name and by page.
    expect(await machinesOf('k-libc6')).toEqual({
      items: [
        { id: a, name: 'pend-a' },
        { id: b, name: 'pend-b' },
      ],
      total: 2,
    });
    expect(await machinesOf('k-libc6', '&limit=1&offset=1')).toEqual({ items: [{ id: b, name: 'pend-b' }], total: 2 });
    expect((await machinesOf('k-nginx', '&held=true')).items).toEqual([{ id: a, name: 'pend-a' }]);
    expect((await machinesOf('k-nginx')).total).toBe(0);

    // A scoped caller counts only its machines.
    const client = await t.gw.api('POST', '/api/v1/api-clients', {
      body: { label: 'pend-a only', scopes: ['read'], machineScope: { tags: ['pend-a'] } },
    });
    expect(client.status, client.text).toBe(201);
    const scoped = await groups('', client.body.token as string);
    expect(scoped.items.map((g) => [g.dedupKey, g.machineCount])).toEqual([
      ['k-libc6', 1],
      ['k-nginx', 1],
    ]);
    expect((await machinesOf('k-libc6', '', client.body.token as string)).items).toEqual([{ id: a, name: 'pend-a' }]);

    // A new analysis replaces b's plan in one statement (old rows no longer current, new ones added): libc6 is gone,
    // openssl is the same change, no longer flagged security.
    await new AptPackagesRepository(t.gw.app.get(Database).prisma).replaceCurrentPlanned(b, snaps[b]!, [
      {
        mode: 'upgrade',
        name: 'openssl',
        arch: 'amd64',
        currentVersion: '1',
        targetVersion: '2',
        origin: 'Debian',
        operation: 'upgrade',
        security: false,
        keptBack: false,
        held: false,
        phased: false,
        dedupKey: 'k-openssl',
      },
    ]);
    const bRows = await t.db.query<{ name: string; is_current: boolean }>(
      `SELECT name, is_current FROM apt_planned_packages WHERE machine_id = $1::uuid ORDER BY is_current, name`,
      [b],
    );
    expect(bRows).toEqual([
      { name: 'libc6', is_current: false },
      { name: 'openssl', is_current: false },
      { name: 'openssl', is_current: true },
    ]);
    expect((await groups()).items.map((g) => [g.dedupKey, g.machineCount, g.security])).toEqual([
      ['k-libc6', 1, false],
      ['k-openssl', 1, false],
      ['k-nginx', 1, false],
    ]);
    // A deleted machine needs nothing any more.
    expect((await t.gw.api('DELETE', `/api/v1/machines/${a}`)).status).toBeLessThan(300);
    expect((await groups()).items.map((g) => [g.dedupKey, g.machineCount])).toEqual([['k-openssl', 1]]);
    expect((await machinesOf('k-libc6')).total).toBe(0);
  });

  it('updates/pending: bad paging and a missing dedup key are 400s naming the field', async () => {
    const bad = await t.gw.api('GET', '/api/v1/updates/pending?limit=0');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('limit');
    const missing = await t.gw.api('GET', '/api/v1/updates/pending/machines');
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('dedupKey');
  });
});
