// Verified reboot against real Debian machines (the lab): a real reboot with two boot_ids and timings, a machine
// powered off while it reboots, a sudo refusal, and a host key that no longer matches after the reboot. Uses lab2 and
// lab3 only (lab1 belongs to other tests). Needs root (the lab); skipped otherwise.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, ensureHostTools, isRoot, type LabMachine } from '@su/testing';
import { SshSession, knownHostKeyVerifier, type ConnectOptions, type SshError } from '@su/ssh';
import { tcpPortProbe, verifiedReboot, type RebootPhase, type VerifiedRebootDeps } from './index.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`verified reboot lab tests skipped: ${skipReason}`);

const ADMIN_PW = 'lab-admin-pw';

describe.skipIf(!!skipReason)('verified reboot (lab)', () => {
  let lab: Lab;
  let broughtUp = false;
  let m2: LabMachine;
  let m3: LabMachine;
  let key: string;
  const sessions: SshSession[] = [];

  const admin = (m: LabMachine, extra: Partial<ConnectOptions> = {}): ConnectOptions => ({
    target: { host: m.address, port: m.sshPort, username: 'admin' },
    auth: { password: ADMIN_PW },
    verifyHostKey: knownHostKeyVerifier([m.hostKeyFingerprint]),
    sudo: { mode: 'same_as_ssh' },
    timeouts: { connectMs: 5_000 },
    ...extra,
  });
  const deploy = (m: LabMachine): ConnectOptions => ({
    target: { host: m.address, port: m.sshPort, username: 'deploy' },
    auth: { privateKey: key },
    verifyHostKey: knownHostKeyVerifier([m.hostKeyFingerprint]),
    sudo: { mode: 'none' },
    timeouts: { connectMs: 5_000 },
  });
  const open = async (o: ConnectOptions) => {
    const s = await SshSession.connect(o);
    sessions.push(s);
    return s;
  };
  /** What a worker passes: the job's session, a factory with the same pinned key and credentials, the port probe. */
  const depsFor = async (
    m: LabMachine,
    o: ConnectOptions,
    reconnect: ConnectOptions = o,
  ): Promise<VerifiedRebootDeps> => ({
    session: await open(o),
    connect: () => open(reconnect),
    probePort: tcpPortProbe(m.address, m.sshPort),
  });

  beforeAll(async () => {
    if (Lab.exists()) lab = Lab.attach();
    else {
      lab = await Lab.up({ machines: 3, log: (m) => console.log(`[lab] ${m}`) });
      broughtUp = true;
    }
    m2 = lab.machine('lab2');
    m3 = lab.machine('lab3');
    key = readFileSync(m2.users.deploy.privateKeyPath, 'utf8');
  });

  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
    if (broughtUp && Lab.exists()) await Lab.attach().down();
    else {
      // Leave every machine we used powered on and answering SSH.
      for (const st of await lab.status())
        if ((st.name === 'lab2' || st.name === 'lab3') && st.state !== 'up') {
          if (st.state === 'off') await lab.powerOn(st.name);
          else await lab.waitForSsh(st.name, 60_000);
        }
    }
  });

  it('ok on lab2: two different boot_ids, timings filled and ordered, a learnt recommendation', async () => {
    const phases: [RebootPhase, number][] = [];
    const t0 = Date.now();
    const result = await verifiedReboot(await depsFor(m2, admin(m2)), {
      maxWaitSeconds: 60,
      downDetectTimeoutSeconds: 30,
      previousDurationsSeconds: [4.2, 3.9],
      onPhase: (p, at) => phases.push([p, at.getTime() - t0]),
    });
    console.log(
      `[reboot] lab2 ok: ${JSON.stringify(result)} phases ${JSON.stringify(phases)} total ${Date.now() - t0} ms`,
    );
    expect(result.status).toBe('ok');
    expect(result.errors).toBeUndefined();
    expect(result.beforeBootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.afterBootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.afterBootId).not.toBe(result.beforeBootId);
    expect(await lab.bootId('lab2')).toBe(result.afterBootId);
    const [req, down, back] = [result.requestedAt, result.sshWentDownAt!, result.sshCameBackAt!].map(Date.parse);
    expect(req! <= down!).toBe(true);
    expect(down! < back!).toBe(true);
    // the machine stays down for the lab's reboot delay (~3 s) before it boots again
    expect(result.lastRebootDurationSeconds).toBeGreaterThanOrEqual(2);
    expect(result.waitedSeconds).toBeGreaterThanOrEqual(result.lastRebootDurationSeconds!);
    expect(result.nextRecommendedWaitSeconds).toBe(60); // short lab reboots: the floor
    expect(phases.map(([p]) => p)).toEqual(['requested', 'down', 'back']);
  });

  it('power off during the reboot (lab3): machine_did_not_return within maxWaitSeconds', async () => {
    const maxWaitSeconds = 15;
    let powerOff: Promise<void> | null = null;
    const t0 = Date.now();
    const result = await verifiedReboot(await depsFor(m3, deploy(m3)), {
      maxWaitSeconds,
      downDetectTimeoutSeconds: 30,
      // pull the plug as soon as SSH is seen down: during the lab's reboot delay, before the machine boots again
      onPhase: (p) => {
        if (p === 'down') powerOff = lab.powerOff('lab3');
      },
    });
    const ms = Date.now() - t0;
    await powerOff;
    console.log(`[reboot] lab3 powered off: ${JSON.stringify(result)} total ${ms} ms`);
    expect(powerOff).not.toBeNull();
    expect(result.status).toBe('machine_did_not_return');
    expect(result.sshWentDownAt).not.toBeNull();
    expect(result.sshCameBackAt).toBeNull();
    expect(result.afterBootId).toBeNull();
    expect(['timeout', 'unreachable', 'connection_refused']).toContain(result.errors?.[0]?.kind);
    const sinceDown = Date.now() - Date.parse(result.sshWentDownAt!);
    expect(sinceDown).toBeGreaterThanOrEqual(maxWaitSeconds * 1000);
    // it gave up at its own deadline (the message says which), not at some later failure
    expect(result.errors?.[0]?.message).toMatch(new RegExp(`within ${maxWaitSeconds} s`));
    await lab.powerOn('lab3');
    expect((await lab.status()).find((s) => s.name === 'lab3')?.state).toBe('up');
  });

  it('a wrong sudo password (lab2): reboot_command_failed, boot_id unchanged, the machine stays up', async () => {
    const before = await lab.bootId('lab2');
    const t0 = Date.now();
    const result = await verifiedReboot(
      await depsFor(m2, admin(m2, { sudo: { mode: 'separate', password: 'not-the-sudo-pw' } })),
      { maxWaitSeconds: 30, downDetectTimeoutSeconds: 10 },
    );
    console.log(`[reboot] lab2 sudo refused: ${JSON.stringify(result)} total ${Date.now() - t0} ms`);
    expect(result.status).toBe('reboot_command_failed');
    expect(result.beforeBootId).toBe(before);
    expect(result.errors?.[0]).toMatchObject({ kind: 'sudo_failed', source: 'ssh' });
    expect(JSON.stringify(result)).not.toContain('not-the-sudo-pw');
    expect(result.sshWentDownAt).toBeNull(); // it did not wait for a reboot that was never requested
    // nothing was scheduled: a few seconds later the machine is still on the same boot
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await lab.bootId('lab2')).toBe(before);
    expect((await lab.status()).find((s) => s.name === 'lab2')?.state).toBe('up');
  });

  it('a host key that does not match after the reboot (lab2) is refused: error status with host_key_changed', async () => {
    const pinnedElsewhere = admin(m2, { verifyHostKey: knownHostKeyVerifier(['SHA256:not-the-recorded-key']) });
    const t0 = Date.now();
    const deps = await depsFor(m2, admin(m2), pinnedElsewhere);
    const outcomes: string[] = [];
    const connect = () =>
      deps.connect().then(
        (s) => (outcomes.push('connected'), s),
        (e: SshError) => {
          outcomes.push(e.errorKind);
          throw e;
        },
      );
    const result = await verifiedReboot({ ...deps, connect }, { maxWaitSeconds: 60, downDetectTimeoutSeconds: 30 });
    console.log(`[reboot] lab2 host key refused: ${JSON.stringify(result)} total ${Date.now() - t0} ms`);
    expect(result.status).toBe('machine_did_not_return');
    expect(result.errors?.[0]?.kind).toBe('host_key_changed');
    expect(result.afterBootId).toBeNull();
    // it stopped at the first refusal instead of polling for maxWaitSeconds: nothing was tried after it
    expect(outcomes.filter((k) => k === 'host_key_changed')).toHaveLength(1);
    expect(outcomes.at(-1)).toBe('host_key_changed');
    await lab.waitForSsh('lab2', 60_000);
    expect(await lab.bootId('lab2')).not.toBe(result.beforeBootId);
  });
});
