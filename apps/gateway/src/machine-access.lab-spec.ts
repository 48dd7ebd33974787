// Issue 4 against real machines (the lab): probe, classified connection failures, host key trust and approval, and
// a search for secrets in every table, the service logs and the raw artifacts. Needs root; skipped otherwise.
import { readFileSync } from 'node:fs';
import { arch } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, ensureHostTools, isRoot, Lab, type LabMachine, type TestDatabase } from '@su/testing';
import { CapturingLogger, startGateway, type GatewayHarness } from './test/gateway.harness.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`machine access lab tests skipped: ${skipReason}`);

const ADMIN_PW = 'lab-admin-pw';
const WRONG_PW = 'not-the-admin-pw-0451';
const WRONG_SUDO_PW = 'not-the-sudo-pw-7781';
// Long enough for a refused password (sshd and PAM delay a failure by ~2 s), short enough to keep the power-off case quick.
const CONNECT_TIMEOUT_S = 6;
const UNAME_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };

describe.skipIf(!!skipReason)('machine access (lab)', () => {
  let lab: Lab;
  let broughtUp = false;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let ms: LabMachine[];
  let privateKey: string;
  const ids: Record<string, string> = {};

  const api: GatewayHarness['api'] = (...a) => gw.api(...a);
  const createMachine = async (
    name: string,
    m: LabMachine,
    credentials: Record<string, unknown>,
    username = 'admin',
  ) => {
    const res = await api('POST', '/api/v1/machines', {
      body: { name, hostname: m.address, port: m.sshPort, username, credentials },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };
  const latestProbe = async (machineId: string) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const jobs = (await api('GET', `/api/v1/jobs?machineId=${machineId}&kind=machine.probe`)).body as {
        id: string;
        status: string;
      }[];
      const job = jobs[0];
      // The list has summaries; the result is on the job's own route.
      if (job && job.status !== 'queued' && job.status !== 'running')
        return (await api('GET', `/api/v1/jobs/${job.id}`)).body;
      if (Date.now() > deadline) throw new Error(`no finished probe for ${machineId}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const acceptedLogins = async (m: LabMachine) =>
    Number((await lab.exec(m.name, `grep -c 'Accepted' /var/log/sshd.log || true`)).stdout.trim());

  beforeAll(async () => {
    if (Lab.exists()) lab = Lab.attach();
    else {
      lab = await Lab.up({ machines: 3, log: (m) => console.log(`[lab] ${m}`) });
      broughtUp = true;
    }
    ms = lab.machines();
    expect(ms.length).toBeGreaterThanOrEqual(3);
    privateKey = readFileSync(ms[0]!.users.deploy.privateKeyPath, 'utf8');
    db = await createTestDatabase();
    // Every job here must make its own login (the tests count sshd's logins and key exchanges): no kept connections.
    gw = await startGateway(db, {
      SU_SSH_CONNECT_TIMEOUT_SECONDS: String(CONNECT_TIMEOUT_S),
      SU_SSH_KEEP_SECONDS: '0',
    });
  });

  afterAll(async () => {
    await gw?.close();
    await db?.drop();
    if (broughtUp) await lab.down();
  });

  it('probes each machine after it is added: Debian 12, the host arch, container virtualization; tiles show it', async () => {
    ids['m1'] = await createMachine('m1', ms[0]!, {
      authMethod: 'password',
      password: ADMIN_PW,
      sudoMode: 'same_as_ssh',
    });
    ids['m2'] = await createMachine('m2', ms[1]!, {
      authMethod: 'password',
      password: ADMIN_PW,
      sudoMode: 'same_as_ssh',
    });
    ids['m3'] = await createMachine('m3', ms[2]!, { authMethod: 'ssh_key', privateKey, sudoMode: 'none' }, 'deploy');
    for (const [i, key] of ['m1', 'm2', 'm3'].entries()) {
      const job = await latestProbe(ids[key]!);
      expect(job, JSON.stringify(job)).toMatchObject({
        status: 'ok',
        result: {
          os: 'debian 12',
          arch: UNAME_ARCH[arch()] ?? arch(),
          virtualization: 'container-other',
          machineKind: 'container',
        },
      });
      const keys = (await api('GET', `/api/v1/machines/${ids[key]}/host-keys`)).body;
      expect(keys).toEqual([
        expect.objectContaining({
          status: 'approved',
          fingerprintSha256: ms[i]!.hostKeyFingerprint,
          approvedBy: 'trust-on-first-use',
        }),
      ]);
    }
    // The tile list is built from machines + machine_state + machine_hardware + machine_metrics_latest only.
    const tiles = (await api('GET', '/api/v1/machines')).body.items as any[];
    for (const [i, key] of ['m1', 'm2', 'm3'].entries()) {
      const t = tiles.find((x) => x.id === ids[key]);
      expect(t).toMatchObject({
        osFamily: 'debian',
        osVersion: '12',
        osCodename: 'bookworm',
        virtualization: 'container-other',
        machineKind: 'container',
        status: 'online',
      });
      expect(t.hardware.cpuCores).toBeGreaterThan(0);
      expect(t.hardware.memoryBytes).toBeGreaterThan(0);
      expect(t.metrics.rootUsedPercent).toBeGreaterThan(0);
      expect(t.metrics.bootId).toBe(await lab.bootId(ms[i]!.name));
      expect(t.state).toMatchObject({ aptUsable: true, blocked: false });
    }
    const [hw] = await db.query(`SELECT count(*)::int AS n FROM machine_hardware`);
    const [mt] = await db.query(`SELECT count(*)::int AS n FROM machine_metrics_latest`);
    expect([hw.n, mt.n]).toEqual([3, 3]);
    const [art] = await db.query(
      `SELECT count(*)::int AS n FROM raw_artifacts WHERE kind = 'raw_log' AND sha256 IS NOT NULL`,
    );
    expect(art.n).toBe(3);
  });

  it('tests a connection directly: identity and sudo, with password and with key', async () => {
    const r1 = (await api('POST', `/api/v1/machines/${ids['m1']}/test-connection`)).body;
    expect(r1).toMatchObject({ ok: true, reached: 'sudo', remoteUser: 'admin', sudo: 'ok', errorKind: null });
    const r3 = (await api('POST', `/api/v1/machines/${ids['m3']}/test-connection`)).body;
    expect(r3).toMatchObject({ ok: true, reached: 'sudo', remoteUser: 'deploy', sudo: 'ok' });
  });

  it('classifies failures: auth_failed, connection_refused, unreachable/timeout within the connect timeout, sudo_failed without hanging', async () => {
    const badPw = await createMachine('bad-pw', ms[0]!, {
      authMethod: 'password',
      password: WRONG_PW,
      sudoMode: 'same_as_ssh',
    });
    const auth = (await api('POST', `/api/v1/machines/${badPw}/test-connection`)).body;
    expect(auth).toMatchObject({ ok: false, errorKind: 'auth_failed' });
    expect(auth.remediation).toBeTruthy();
    expect((await latestProbe(badPw)).errorKind).toBe('auth_failed');

    const badSudo = await createMachine('bad-sudo', ms[0]!, {
      authMethod: 'password',
      password: ADMIN_PW,
      sudoMode: 'separate',
      sudoPassword: WRONG_SUDO_PW,
    });
    const sudo = (await api('POST', `/api/v1/machines/${badSudo}/test-connection`)).body;
    // sudo_failed (not timeout) shows it failed at the prompt rather than hanging on it
    expect(sudo).toMatchObject({ ok: false, reached: 'identity', sudo: 'failed', errorKind: 'sudo_failed' });

    await lab.stopSshd(ms[1]!.name);
    try {
      const refused = (await api('POST', `/api/v1/machines/${ids['m2']}/test-connection`)).body;
      expect(refused).toMatchObject({ ok: false, errorKind: 'connection_refused' });
    } finally {
      await lab.startSshd(ms[1]!.name);
    }

    await lab.powerOff(ms[1]!.name);
    try {
      const t0 = Date.now();
      const off = (await api('POST', `/api/v1/machines/${ids['m2']}/test-connection`)).body;
      expect(['unreachable', 'timeout']).toContain(off.errorKind);
      // our connect timer ended it (not the kernel's minutes of TCP retries); the time is printed, not asserted
      if (off.errorKind === 'timeout') expect(off.message).toContain(`within ${CONNECT_TIMEOUT_S * 1000} ms`);
      console.log(`[machine-access] powered off: ${off.errorKind} after ${Date.now() - t0} ms`);
      const state = (await api('GET', `/api/v1/machines/${ids['m2']}`)).body.state;
      expect(state).toMatchObject({ status: 'offline', lastErrorKind: off.errorKind });
    } finally {
      await lab.powerOn(ms[1]!.name);
    }
  });

  it('a changed host key blocks the machine and runs nothing until a person approves the new key', async () => {
    const m = ms[0]!;
    const { after } = await lab.changeHostKey(m.name);
    const loginsBefore = await acceptedLogins(m);
    const job = (await api('POST', `/api/v1/machines/${ids['m1']}/probe`)).body;
    const failed = await gw.waitJob(job.id);
    expect(failed).toMatchObject({ status: 'error', errorKind: 'host_key_changed' });
    // Refused during key exchange: sshd never authenticated anyone.
    expect(await acceptedLogins(m)).toBe(loginsBefore);
    const machine = (await api('GET', `/api/v1/machines/${ids['m1']}`)).body;
    expect(machine.state).toMatchObject({ blocked: true, blockedReason: 'host_key_changed' });
    // While blocked, even a connection test does not connect.
    const test = (await api('POST', `/api/v1/machines/${ids['m1']}/test-connection`)).body;
    expect(test).toMatchObject({ ok: false, errorKind: 'host_key_changed', reached: 'none' });
    expect(await acceptedLogins(m)).toBe(loginsBefore);
    const events = (await api('GET', `/api/v1/machines/${ids['m1']}/events`)).body.map(
      (e: { eventType: string }) => e.eventType,
    );
    expect(events).toContain('host_key.changed');
    const [msg] = await db.query(
      `SELECT severity, category FROM important_messages WHERE machine_id = $1 AND dedup_key LIKE 'ssh:host_key_changed:%'`,
      [ids['m1']],
    );
    expect(msg).toMatchObject({ severity: 'error', category: 'security_notice' });

    const keys = (await api('GET', `/api/v1/machines/${ids['m1']}/host-keys`)).body as {
      id: string;
      status: string;
      fingerprintSha256: string;
    }[];
    const changed = keys.find((k) => k.status === 'changed')!;
    expect(changed.fingerprintSha256).toBe(after);
    const read = (await api('POST', '/api/v1/api-clients', { body: { label: 'viewer', scopes: ['operate'] } })).body
      .token;
    expect(
      (await api('POST', `/api/v1/machines/${ids['m1']}/host-keys/${changed.id}/approve`, { token: read })).status,
    ).toBe(403);
    const approved = await api('POST', `/api/v1/machines/${ids['m1']}/host-keys/${changed.id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('approved');
    const retry = await gw.waitJob((await api('POST', `/api/v1/machines/${ids['m1']}/probe`)).body.id);
    expect(retry.status).toBe('ok');
    const after2 = (await api('GET', `/api/v1/machines/${ids['m1']}/host-keys`)).body as { status: string }[];
    expect(after2.map((k) => k.status).sort()).toEqual(['approved', 'superseded']);
  });

  it('with the require_approval policy a first key waits for a person', async () => {
    expect(
      (await api('PUT', '/api/v1/settings/host-key-policy', { body: { policy: 'require_approval' } })).status,
    ).toBe(200);
    try {
      const id = await createMachine('strict', ms[2]!, {
        authMethod: 'password',
        password: ADMIN_PW,
        sudoMode: 'same_as_ssh',
      });
      expect(await latestProbe(id)).toMatchObject({ status: 'error', errorKind: 'host_key_unknown' });
      const [pending] = (await api('GET', `/api/v1/machines/${id}/host-keys`)).body;
      expect(pending).toMatchObject({ status: 'pending', fingerprintSha256: ms[2]!.hostKeyFingerprint });
      await api('POST', `/api/v1/machines/${id}/host-keys/${pending.id}/approve`);
      expect((await api('POST', `/api/v1/machines/${id}/test-connection`)).body.ok).toBe(true);
    } finally {
      await api('PUT', '/api/v1/settings/host-key-policy', { body: { policy: 'trust_first_use' } });
    }
  });

  it('leaves no password or key material in any table, service log or raw artifact', async () => {
    const keyLines = privateKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    const secrets = [ADMIN_PW, WRONG_PW, WRONG_SUDO_PW, ...keyLines];
    const tables = await db.query<{ table_name: string; table_schema: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('public', 'pgboss') AND table_type = 'BASE TABLE'`,
    );
    let rows = 0;
    for (const { table_schema, table_name } of tables) {
      const all = await db.query(`SELECT * FROM "${table_schema}"."${table_name}"`);
      rows += all.length;
      const dump = JSON.stringify(all, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
      for (const s of secrets) expect(dump.includes(s), `${table_schema}.${table_name} contains a secret`).toBe(false);
    }
    expect(rows).toBeGreaterThan(50);
    const logs = CapturingLogger.lines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const s of secrets) expect(logs.includes(s), 'service logs contain a secret').toBe(false);
    const artifacts = await db.query<{ path: string }>(`SELECT path FROM raw_artifacts`);
    expect(artifacts.length).toBeGreaterThanOrEqual(3);
    for (const a of artifacts) {
      const text = readFileSync(a.path, 'utf8');
      expect(text).toContain('@@su:os-release@@');
      for (const s of secrets) expect(text.includes(s), `${a.path} contains a secret`).toBe(false);
    }
  });
});
