import { describe, expect, it } from 'vitest';
import { SshError, type CommandResult, type RunOptions } from '@su/ssh';
import type { PortState } from './port-probe.ts';
import { REBOOT_SCRIPT, type RebootSession } from './reboot-command.ts';
import { verifiedReboot, type RebootPhase, type VerifiedRebootOptions } from './verified-reboot.ts';

// Small fakes of one machine and its SSH sessions: pure decision logic, real (but short) timers. "Does not wait" is
// proven by waits far longer than the test's timeout, never by measuring milliseconds (the host is shared and noisy).
const LONG = { maxWaitSeconds: 600, downDetectTimeoutSeconds: 600 };
const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ok = (stdout: string): CommandResult => ({
  exitCode: 0,
  signal: null,
  stdout,
  stderr: '',
  durationMs: 1,
  truncated: false,
});

interface MachineSpec {
  /** ms between the reboot request and the machine going down (null: it never goes down). */
  downAfterMs?: number | null;
  /** ms the machine stays down (null: it never comes back). */
  downForMs?: number | null;
  /** The boot_id stays the same after "coming back" (an sshd restart, not a reboot). */
  sameBootId?: boolean;
  /** What the reboot command does instead of scheduling. */
  reboot?: (m: FakeMachine) => Promise<CommandResult>;
  /** How connect fails while the machine is down. */
  downError?: () => SshError;
  /** connect once the machine is up again. */
  connectWhenUp?: (m: FakeMachine, attempt: number) => Promise<RebootSession>;
  /** The port as a TCP probe sees it while the machine is up (default open). */
  portWhenUp?: PortState;
}

class FakeSession implements RebootSession {
  closed = false;
  readonly calls: string[][] = [];
  constructor(
    private readonly m: FakeMachine,
    private readonly boot: number,
  ) {}
  run(argv: string[], o: RunOptions = {}): Promise<CommandResult> {
    this.calls.push(argv);
    if (this.closed || this.m.boot !== this.boot || this.m.down)
      return Promise.reject(new SshError('unreachable', 'Connection lost'));
    if (argv[0] === 'cat') return Promise.resolve(ok(`${ID(this.m.bootIdNumber)}\n`));
    if (argv[0] === 'true') return Promise.resolve(ok(''));
    return Promise.reject(new Error(`unexpected command ${argv.join(' ')} ${JSON.stringify(o)}`));
  }
  runScript(script: string, o: RunOptions = {}): Promise<CommandResult> {
    if (this.closed || this.m.boot !== this.boot || this.m.down)
      return Promise.reject(new SshError('unreachable', 'Connection lost'));
    expect(script).toBe(REBOOT_SCRIPT);
    expect(o.sudo).toBe(true);
    return this.m.spec.reboot ? this.m.spec.reboot(this.m) : Promise.resolve(this.m.scheduleReboot());
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

class FakeMachine {
  boot = 1;
  bootIdNumber = 1;
  down = false;
  connects = 0;
  readonly sessions: FakeSession[] = [];
  readonly session: FakeSession;
  constructor(readonly spec: MachineSpec) {
    this.session = new FakeSession(this, this.boot);
  }
  scheduleReboot(): CommandResult {
    const downAfter = this.spec.downAfterMs === undefined ? 20 : this.spec.downAfterMs;
    if (downAfter !== null) setTimeout(() => this.goDown(), downAfter);
    return ok('su-reboot-scheduled systemd-run\n');
  }
  goDown(): void {
    this.down = true;
    this.boot++;
    const downFor = this.spec.downForMs === undefined ? 100 : this.spec.downForMs;
    if (downFor === null) return;
    setTimeout(() => {
      this.down = false;
      if (!this.spec.sameBootId) this.bootIdNumber++;
    }, downFor);
  }
  connect = (): Promise<RebootSession> => {
    const attempt = this.connects++;
    if (this.down)
      return Promise.reject(this.spec.downError?.() ?? new SshError('connection_refused', 'Connection refused'));
    if (this.spec.connectWhenUp) return this.spec.connectWhenUp(this, attempt);
    const s = new FakeSession(this, this.boot);
    this.sessions.push(s);
    return Promise.resolve(s);
  };
  probePort = (): Promise<PortState> => Promise.resolve(this.down ? 'refused' : (this.spec.portWhenUp ?? 'open'));
}

const FAST: VerifiedRebootOptions = {
  maxWaitSeconds: 1,
  downDetectTimeoutSeconds: 0.5,
  pollIntervalMs: 10,
  backoff: { initialMs: 10, factor: 1.5, maxMs: 50 },
  commandTimeoutMs: 1_000,
};

async function reboot(spec: MachineSpec, o: VerifiedRebootOptions = {}, withProbe = true) {
  const m = new FakeMachine(spec);
  const phases: RebootPhase[] = [];
  const t0 = Date.now();
  const result = await verifiedReboot(
    { session: m.session, connect: m.connect, ...(withProbe ? { probePort: m.probePort } : {}) },
    { ...FAST, onPhase: (p) => phases.push(p), ...o },
  );
  return { m, result, phases, ms: Date.now() - t0 };
}

describe('verifiedReboot', () => {
  it('ok: two boot_ids, ordered timestamps, durations, and a recommendation learnt from the history', async () => {
    const { m, result, phases } = await reboot({}, { previousDurationsSeconds: [50, 70] });
    expect(result).toMatchObject({ status: 'ok', beforeBootId: ID(1), afterBootId: ID(2) });
    expect(result.errors).toBeUndefined();
    const [req, down, back] = [result.requestedAt, result.sshWentDownAt!, result.sshCameBackAt!].map(Date.parse);
    expect(req! <= down! && down! < back!).toBe(true);
    // The duration is what was observed (down → back), not the fake's outage: a loaded machine may notice the outage
    // late, so only its relation to the recorded timestamps is asserted.
    expect(result.lastRebootDurationSeconds).toBe(Math.round((back! - down!) / 100) / 10);
    expect(result.waitedSeconds).toBeGreaterThanOrEqual(result.lastRebootDurationSeconds!);
    expect(result.nextRecommendedWaitSeconds).toBe(135); // max(50, 70, ~0.1) × 1.5 + 30
    expect(phases).toEqual(['requested', 'down', 'back']);
    expect(m.session.closed).toBe(true); // the dead session is released
    expect(m.sessions[0]?.closed).toBe(true); // and so is the verification session
  });

  it('works without a port probe (the old session dropping is enough)', async () => {
    const { result } = await reboot({}, {}, false);
    expect(result.status).toBe('ok');
  });

  it('the connection dying under the reboot command counts as the request succeeding', async () => {
    const { result } = await reboot({
      reboot: (m) => {
        m.goDown();
        return Promise.reject(new SshError('unreachable', 'Connection lost while running'));
      },
    });
    expect(result.status).toBe('ok');
    expect(result.sshWentDownAt).not.toBeNull();
  });

  it('sudo refusing gives reboot_command_failed, with the kind and remediation, and never waits', async () => {
    const { m, result, phases } = await reboot(
      { reboot: () => Promise.reject(new SshError('sudo_failed', 'sudo rejected the password')) },
      LONG,
    );
    expect(result.status).toBe('reboot_command_failed');
    expect(result.errors).toEqual([
      expect.objectContaining({ kind: 'sudo_failed', severity: 'error', remediation: expect.any(String) }),
    ]);
    expect(result).toMatchObject({ beforeBootId: ID(1), afterBootId: null, sshWentDownAt: null, sshCameBackAt: null });
    expect(m.connects).toBe(0);
    expect(phases).toEqual(['requested']); // never 'down': it waited for nothing
    expect(m.session.closed).toBe(false); // still the caller's working session
  });

  it('a non-zero exit gives reboot_command_failed with command_failed and the stderr', async () => {
    const { result } = await reboot({
      reboot: () => Promise.resolve({ ...ok(''), exitCode: 127, stderr: 'no reboot or shutdown command found\n' }),
    });
    expect(result.status).toBe('reboot_command_failed');
    expect(result.errors?.[0]).toMatchObject({ kind: 'command_failed' });
    expect(result.errors?.[0]?.message).toMatch(/\(exit status 127\): no reboot/);
  });

  it('an unreadable boot_id before: reboot_command_failed and nothing is requested', async () => {
    const m = new FakeMachine({});
    m.session.run = (argv) =>
      argv[0] === 'cat'
        ? Promise.resolve({ ...ok(''), exitCode: 1, stderr: 'No such file' })
        : Promise.reject(new Error('must not run'));
    const result = await verifiedReboot({ session: m.session, connect: m.connect }, FAST);
    expect(result.status).toBe('reboot_command_failed');
    expect(result.beforeBootId).toBeNull();
    expect(result.errors?.[0]?.message).toMatch(/no reboot was requested/);
  });

  it('ssh_never_went_down after downDetectTimeoutSeconds', async () => {
    const { result, ms, phases } = await reboot({ downAfterMs: null });
    expect(result.status).toBe('ssh_never_went_down');
    expect(result.sshWentDownAt).toBeNull();
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(phases).toEqual(['requested']);
  });

  it('the port closing is seen as down before the old session drops', async () => {
    const m = new FakeMachine({ downAfterMs: null });
    let calls = 0;
    const result = await verifiedReboot(
      {
        session: m.session,
        connect: () => Promise.resolve(new FakeSession(m, m.boot)),
        probePort: () => {
          // refused once after the request (sshd stopped), then the machine is back with a new boot
          if (++calls === 1) {
            m.bootIdNumber = 2;
            return Promise.resolve('refused');
          }
          return Promise.resolve('open');
        },
      },
      FAST,
    );
    expect(result.status).toBe('ok');
    expect(result.afterBootId).toBe(ID(2));
  });

  it('machine_did_not_return within maxWaitSeconds, retrying with backoff; the last error is reported', async () => {
    const { m, result } = await reboot(
      { downForMs: null, downError: () => new SshError('timeout', 'No answer') },
      { maxWaitSeconds: 0.6 },
      false,
    );
    expect(result.status).toBe('machine_did_not_return');
    expect(result.errors).toEqual([
      expect.objectContaining({ kind: 'timeout', message: expect.stringMatching(/did not come back within 0.6 s/) }),
    ]);
    expect(result.sshCameBackAt).toBeNull();
    expect(result.lastRebootDurationSeconds).toBeUndefined();
    expect(result.nextRecommendedWaitSeconds).toBe(300); // no history, and this reboot taught nothing
    expect(m.connects).toBeGreaterThan(5);
  });

  it('a connect hanging past the deadline does not hold the result; the late session is closed', async () => {
    // The connect answers only when the test says so, after the result: a result that waited for it never comes.
    let answer: (() => void) | null = null;
    let late: FakeSession | null = null;
    const { result } = await reboot(
      {
        downForMs: 10,
        connectWhenUp: (m) =>
          new Promise((resolve) => {
            answer = () => resolve((late = new FakeSession(m, m.boot)));
          }),
      },
      { maxWaitSeconds: 0.3 },
      false,
    );
    expect(result.status).toBe('machine_did_not_return');
    expect(result.errors?.[0]?.kind).toBe('timeout');
    expect(answer).not.toBeNull();
    (answer as unknown as () => void)();
    await new Promise((r) => setTimeout(r, 50));
    expect((late as FakeSession | null)?.closed).toBe(true);
  });

  it('a changed host key on reconnect ends at once with host_key_changed and is never retried', async () => {
    const { m, result } = await reboot(
      { connectWhenUp: () => Promise.reject(new SshError('host_key_changed', 'Host key does not match')) },
      { maxWaitSeconds: 600 },
    );
    expect(result.status).toBe('machine_did_not_return');
    expect(result.afterBootId).toBeNull();
    expect(result.errors).toEqual([
      expect.objectContaining({ kind: 'host_key_changed', source: 'ssh', remediation: expect.any(String) }),
    ]);
    expect(result.errors?.[0]?.message).toMatch(/refused, nothing was run/);
    expect(m.connects).toBe(1); // the probe kept connect away while down; the one refusal is final
  });

  it('auth_failed right after boot (pam_nologin) is retried', async () => {
    const { result } = await reboot({
      connectWhenUp: (m, attempt) =>
        attempt < 3
          ? Promise.reject(new SshError('auth_failed', 'System is booting up'))
          : Promise.resolve(new FakeSession(m, m.boot)),
    });
    expect(result.status).toBe('ok');
  });

  it('connects only once the port is open when a probe is given', async () => {
    const { m, result } = await reboot({ downForMs: 150 });
    expect(result.status).toBe('ok');
    expect(m.connects).toBe(1);
  });

  it('boot_id_unchanged when SSH dropped and returned without a reboot', async () => {
    const { result } = await reboot({ sameBootId: true });
    expect(result.status).toBe('boot_id_unchanged');
    expect(result.beforeBootId).toBe(result.afterBootId);
    expect(result.errors?.[0]?.kind).toBe('boot_id_unchanged');
    expect(result.lastRebootDurationSeconds).toBeGreaterThan(0); // the outage was real and is reported
  });

  it('timeout when the boot_id cannot be read on the new session', async () => {
    const { result } = await reboot({
      connectWhenUp: (m) => {
        const s = new FakeSession(m, m.boot);
        s.run = () => Promise.reject(new SshError('timeout', 'Command took longer than 1000 ms'));
        return Promise.resolve(s);
      },
    });
    expect(result.status).toBe('timeout');
    expect(result.sshCameBackAt).not.toBeNull();
    expect(result.errors?.[0]).toMatchObject({ kind: 'timeout' });
  });

  it('a reboot command that times out and never takes effect is reboot_command_failed', async () => {
    const { result } = await reboot({
      downAfterMs: null,
      reboot: () => Promise.reject(new SshError('timeout', 'Command took longer than 1000 ms')),
    });
    expect(result.status).toBe('reboot_command_failed');
    expect(result.errors?.map((e) => e.kind)).toEqual(['timeout', 'timeout']);
  });

  it('maxWaitSeconds defaults to the recommendation from the history', async () => {
    // [3] → 60 s floor: the machine returning after 0.2 s is well within it
    const { result } = await reboot({ downForMs: 200 }, { maxWaitSeconds: undefined, previousDurationsSeconds: [3] });
    expect(result.status).toBe('ok');
    expect(result.nextRecommendedWaitSeconds).toBe(60);
  });
});
