// Issue 19, acceptance 1: the simulated fleet's answers are recorded from the lab's real machines, and the product's
// parsers give the same result on the simulator as on the machine it was recorded from. The product talks to a
// simulated host that forwards every command to a lab machine and records the answer (probe, analysis, the periodic
// metrics sample, an apply); a second simulated host then replays the recording, and the probe and analysis snapshots
// and the sample's host_metrics row must be equal (but for its time, row id and machine). The apply,
// the verified reboot and a host key change are then played on the simulator. `npm run sim:record` runs this file
// with SU_TEST_SIM_RECORD=1, which also writes the recording to libs/testing/src/sim-fleet/fixtures. Needs root.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '@su/config';
import {
  createTestDatabase,
  ensureHostTools,
  FixtureRecorder,
  freshHostKey,
  isRoot,
  Lab,
  REPO_URL,
  SimHost,
  SimUpstream,
  type FixtureSet,
  type LabMachine,
  type TestDatabase,
} from '@su/testing';
import { JobsService } from '@su/platform';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`sim-fleet lab tests skipped: ${skipReason}`);

const BROKEN_SOURCE = '/etc/apt/sources.list.d/sim-broken.list';

/** A snapshot's parsed content without what differs between two parses of the same output (times, the machine's id). */
function comparable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(comparable);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (/At$|^machineId$/.test(k)) continue;
    out[k] = comparable(x);
  }
  return out;
}

describe.skipIf(!!skipReason)('simulated fleet (lab)', () => {
  let lab: Lab;
  let ms: LabMachine[];
  let db: TestDatabase;
  let gw: GatewayHarness;
  const recorder = new FixtureRecorder();
  const hosts: SimHost[] = [];
  const links: SimUpstream[] = [];
  /** Recording hosts by state, with the machine id the product gave them. */
  const recorded = new Map<string, { host: SimHost; id: string; probe: any; apt: any; sample: any }>();
  let fixtures: FixtureSet;

  const run = async (id: string, action: string) => {
    const res = await gw.api('POST', `/api/v1/machines/${id}/actions`, { body: { action } });
    expect(res.status, res.text).toBe(201);
    return gw.waitJob(res.body.id, 120_000);
  };
  const snapshot = async (id: string, kind: string) =>
    (
      await db.query(
        `SELECT payload FROM snapshots WHERE machine_id = $1 AND kind = $2 ORDER BY created_at DESC LIMIT 1`,
        [id, kind],
      )
    )[0]?.payload;
  const settle = async (id: string) => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const busy = await db.query(`SELECT id FROM jobs WHERE machine_id = $1 AND status IN ('queued', 'running')`, [
        id,
      ]);
      if (busy.length === 0 || Date.now() > deadline) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  /**
   * The periodic metrics sample of one machine, queued as the scheduler's pass queues it (same kind, payload and actor),
   * and the host_metrics row it kept, without what differs between two samples of the same output (row id, machine,
   * time).
   */
  const sample = async (id: string) => {
    const job = await gw.app.get(JobsService).enqueue({
      kind: 'machine.metrics_sample',
      payload: {},
      machineId: id,
      actor: { type: 'system', id: 'scheduler', label: 'metrics sample' },
    });
    expect(await gw.waitJob(job.id, 120_000)).toMatchObject({ status: 'ok' });
    const [row] = await db.query(
      `SELECT cpu_load1, cpu_load5, cpu_load15, cpu_cores, memory_total_bytes::text, memory_used_bytes::text,
              memory_used_percent, root_used_percent, disk_max_used_percent, filesystems_json, uptime_seconds
       FROM host_metrics WHERE machine_id = $1 AND source = 'sample' ORDER BY collected_at DESC LIMIT 1`,
      [id],
    );
    return row;
  };
  const addMachine = async (host: SimHost) => {
    const res = await gw.api('POST', '/api/v1/machines', {
      body: {
        name: host.name,
        hostname: '127.0.0.1',
        port: host.port,
        username: host.o.username,
        credentials: { authMethod: 'password', password: host.o.password, sudoMode: 'same_as_ssh' },
      },
    });
    expect(res.status, res.text).toBe(201);
    await settle(res.body.id); // the probe queued at creation
    return res.body.id as string;
  };
  const startHost = async (host: SimHost) => {
    await host.start();
    hosts.push(host);
    return host;
  };

  /** A simulated host forwarding to lab machine `m` and recording under `state`, added to the product and analysed. */
  const record = async (state: string, m: LabMachine, afterApply: string | null = null) => {
    const link = new SimUpstream({
      name: m.name,
      host: m.address,
      port: m.sshPort,
      username: 'deploy',
      privateKey: readFileSync(m.users.deploy.privateKeyPath, 'utf8'),
    });
    links.push(link);
    const st = await lab.status();
    const bootId = st.find((s) => s.name === m.name)!.bootId;
    const names = (await lab.exec(m.name, 'cat /proc/sys/kernel/hostname /etc/hostname')).stdout;
    const hostnames = [
      ...new Set(
        names
          .split('\n')
          .map((n) => n.trim())
          .filter(Boolean),
      ),
    ];
    const host = await startHost(
      new SimHost({
        name: `rec-${state}`,
        hostKey: freshHostKey(),
        username: 'admin',
        password: `pw-${state}`,
        state,
        fixtures: recorder.fixtures(),
        upstream: { link, recorder, hostnames, bootId },
      }),
    );
    host.afterApply = afterApply;
    const id = await addMachine(host);
    expect(await run(id, 'apt_update_analyze')).toMatchObject({ status: 'ok' });
    recorded.set(state, {
      host,
      id,
      probe: await snapshot(id, 'machine_probe'),
      apt: await snapshot(id, 'apt_update_analyze'),
      sample: await sample(id),
    });
  };

  /** A simulated host replaying `state` from the recording, with the recording host's name and boot id. */
  const replay = async (state: string, name = `rec-${state}`) => {
    const host = await startHost(
      new SimHost({ name, hostKey: freshHostKey(), username: 'admin', password: `pw-r-${state}`, state, fixtures }),
    );
    host.bootId = recorded.get(state)!.host.bootId;
    return { host, id: await addMachine(host) };
  };

  beforeAll(async () => {
    // A fresh lab: the recording needs the initial packages and publishes its own set.
    if (Lab.exists()) await Lab.attach().down();
    lab = await Lab.up({ machines: 3, log: (m) => console.log(`[lab] ${m}`) });
    ms = lab.machines();
    db = await createTestDatabase();
    gw = await startGateway(db);
    await lab.resetRepo();
    await record('clean', ms[0]!);
    await lab.publish('homelab-demo', '1.1');
    await record('updates', ms[1]!);
    await lab.publish('homelab-secfix', '1.1');
    await record('security', ms[2]!, 'security-applied');
    await lab.exec(ms[0]!.name, `echo 'deb [trusted=yes] ${REPO_URL}/missing bookworm main' > ${BROKEN_SOURCE}`);
    await record('repo-error', ms[0]!);
    await lab.exec(ms[0]!.name, `rm -f ${BROKEN_SOURCE}`);
    // The apply on the real machine, through the recording host: its commands and the state after it.
    const sec = recorded.get('security')!;
    expect(await run(sec.id, 'apt_upgrade')).toMatchObject({ status: 'ok' });
    await settle(sec.id);
    // The periodic sample after the apply too: a simulated host that applied answers it in security-applied.
    recorded.set('security-applied', { ...sec, sample: await sample(sec.id) });
    fixtures = recorder.fixtures();
    if (testEnv('SU_TEST_SIM_RECORD') === '1') fixtures.save();
  }, 600_000);

  afterAll(async () => {
    for (const l of links) l.close();
    await Promise.all(hosts.map((h) => h.stop()));
    await gw?.close();
    await db?.drop();
    await lab?.down();
  });

  it('the recording covers every state, with real variety (updates, security, a repository error)', async () => {
    for (const s of ['clean', 'updates', 'security', 'security-applied', 'repo-error'])
      expect(fixtures.has(s)).toBe(true);
    const apt = (state: string) => recorded.get(state)!.apt.apt;
    expect(apt('clean').count).toBe(0);
    expect(apt('updates').count).toBeGreaterThan(0);
    expect(apt('security').securityCount).toBeGreaterThan(0);
    expect(apt('repo-error').errors.length).toBeGreaterThan(0);
  });

  it('probe, analysis and metrics sample parse the same on the simulator as on the machine they were recorded from', async () => {
    for (const state of ['clean', 'updates', 'security', 'repo-error']) {
      const rec = recorded.get(state)!;
      const r = await replay(state);
      expect(await run(r.id, 'apt_update_analyze')).toMatchObject({ status: 'ok' });
      expect(comparable(await snapshot(r.id, 'machine_probe')), `probe of ${state}`).toEqual(comparable(rec.probe));
      const apt = await snapshot(r.id, 'apt_update_analyze');
      expect(comparable(apt), `analysis of ${state}`).toEqual(comparable(rec.apt));
      expect(await sample(r.id), `metrics sample of ${state}`).toEqual(rec.sample);
      expect(r.host.unknown).toEqual([]);
    }
  });

  it('an apply, a verified reboot and a host key change run on the simulator', async () => {
    const r = await replay('security', 'sim-apply');
    expect(await run(r.id, 'apt_update_analyze')).toMatchObject({ status: 'ok' });
    expect(await run(r.id, 'apt_upgrade')).toMatchObject({ status: 'ok' });
    await settle(r.id);
    expect(r.host.state).toBe('security-applied');
    // The same sample as the real machine's after its apply; the root device's name carries the host's name, which
    // the simulator fills in for each host (this one is not named like the recording host).
    const applied = JSON.stringify(await sample(r.id)).replaceAll(r.host.name, 'rec-security');
    expect(JSON.parse(applied), 'metrics sample after the apply').toEqual(recorded.get('security-applied')!.sample);
    // The analysis after the apply (queued by it) sees what the real machine saw after its apply.
    const after = await snapshot(r.id, 'apt_update_analyze');
    expect(comparable(after.apt)).toEqual(
      comparable((await snapshot(recorded.get('security')!.id, 'apt_update_analyze')).apt),
    );

    const bootBefore = r.host.bootId;
    expect(await run(r.id, 'reboot_verified')).toMatchObject({ status: 'ok' });
    expect(r.host.served.reboots).toBe(1);
    expect(r.host.bootId).not.toBe(bootBefore);

    await r.host.changeHostKey();
    expect(await run(r.id, 'machine_probe')).toMatchObject({ status: 'error', errorKind: 'host_key_changed' });
    expect(r.host.unknown).toEqual([]);
  });

  it('an unknown command fails loudly instead of answering like a clean machine', async () => {
    const r = await replay('clean', 'sim-unknown');
    r.host.state = 'no-such-state';
    const job = await run(r.id, 'apt_update_analyze');
    expect(job.status).toBe('ok'); // the analysis runs; its answer is an error, never "no updates"
    const apt = (await snapshot(r.id, 'apt_update_analyze')).apt;
    expect(apt.errors.length).toBeGreaterThan(0);
    expect(r.host.unknown.length).toBeGreaterThan(0);
  });
});
