// The SSH layer against real Debian machines (the lab): logins, connection reuse, sudo modes, every classified
// failure, host key refusal before anything runs, cancellation that really stops the remote process, output cap and
// a redacted raw log. Needs root (the lab); skipped otherwise.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, ensureHostTools, isRoot, type LabMachine } from '@su/testing';
import { SshError, SshSession, knownHostKeyVerifier, type ConnectOptions } from './index.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`ssh lab tests skipped: ${skipReason}`);

const ADMIN_PW = 'lab-admin-pw';

async function failure(p: Promise<unknown>): Promise<SshError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SshError) return e;
    throw e;
  }
  throw new Error('expected an SshError');
}

async function timed<T>(p: Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await p;
  return [v, performance.now() - t0];
}

describe.skipIf(!!skipReason)('ssh (lab)', () => {
  let lab: Lab;
  let broughtUp = false;
  let m1: LabMachine;
  let m2: LabMachine;
  let key: string;
  const sessions: SshSession[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'su-ssh-lab-'));

  const admin = (m: LabMachine, extra: Partial<ConnectOptions> = {}): ConnectOptions => ({
    target: { host: m.address, port: m.sshPort, username: 'admin' },
    auth: { password: ADMIN_PW },
    verifyHostKey: knownHostKeyVerifier([m.hostKeyFingerprint]),
    timeouts: { connectMs: 5_000 },
    ...extra,
  });
  const deploy = (m: LabMachine, extra: Partial<ConnectOptions> = {}): ConnectOptions => ({
    target: { host: m.address, port: m.sshPort, username: 'deploy' },
    auth: { privateKey: key },
    verifyHostKey: knownHostKeyVerifier([m.hostKeyFingerprint]),
    sudo: { mode: 'none' },
    timeouts: { connectMs: 5_000 },
    ...extra,
  });
  const open = async (o: ConnectOptions) => {
    const s = await SshSession.connect(o);
    sessions.push(s);
    return s;
  };
  // `[s]leep 317` matches the process but not the shell that runs pgrep (whose own command line contains the pattern).
  const remoteGone = async (m: LabMachine, pattern: string) =>
    (await lab.exec(m.name, `pgrep -f '[${pattern[0]}]${pattern.slice(1)}' || true`)).stdout.trim() === '';

  beforeAll(async () => {
    if (Lab.exists()) lab = Lab.attach();
    else {
      lab = await Lab.up({ machines: 2, log: (m) => console.log(`[lab] ${m}`) });
      broughtUp = true;
    }
    const ms = lab.machines();
    m1 = ms[0]!;
    m2 = ms[1] ?? ms[0]!; // destructive scenarios use the second machine when there is one
    key = readFileSync(m1.users.deploy.privateKeyPath, 'utf8');
  });

  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.close()));
    rmSync(tmp, { recursive: true, force: true });
    if (broughtUp && Lab.exists()) await Lab.attach().down();
  });

  it('password and key login; the host key fingerprint is the one the lab recorded', async () => {
    const pw = await open(admin(m1));
    expect((await pw.run(['id', '-un'])).stdout.trim()).toBe('admin');
    expect(pw.hostKey.fingerprintSha256).toBe(m1.hostKeyFingerprint);
    expect(pw.hostKey.keyType).toBe('ssh-ed25519');
    expect(m1.hostKeyPublic.startsWith(`${pw.hostKey.publicKey} `)).toBe(true);
    const k = await open(deploy(m1));
    expect((await k.run(['id', '-un'])).stdout.trim()).toBe('deploy');
    expect(k.hostKey.fingerprintSha256).toBe(m1.hostKeyFingerprint);
  });

  it('one connection serves 20 commands (same client port every time); exit codes and quoting are exact', async () => {
    const s = await open(deploy(m1));
    const ports = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const r = await s.run(['sh', '-c', 'echo "$SSH_CONNECTION"; exit "$1"', 'sh', String(i % 3)]);
      expect(r.exitCode).toBe(i % 3);
      ports.add(r.stdout.split(' ')[1]!);
    }
    expect(ports.size).toBe(1);
    const nasty = ["it's", '$(touch /tmp/pwned)', 'a b\nc', ''];
    const echo = await s.run(['printf', '%s|', ...nasty]);
    expect(echo.stdout).toBe(nasty.map((a) => `${a}|`).join(''));
    expect((await lab.exec(m1.name, 'test -e /tmp/pwned && echo yes || echo no')).stdout.trim()).toBe('no');
  });

  it('sudo with the right password (same as SSH), with stdin, and a script on stdin', async () => {
    const s = await open(admin(m1, { sudo: { mode: 'same_as_ssh' } }));
    const id = await s.run(['id', '-u'], { sudo: true });
    expect(id.exitCode).toBe(0);
    expect(id.stdout.trim()).toBe('0');
    expect(id.stderr).toBe('');
    const cat = await s.run(['cat'], { sudo: true, stdin: 'line one\nline two\n' });
    expect(cat.stdout).toBe('line one\nline two\n');
    const script = await s.runScript('set -e\nwhoami\necho "quoted $((6 * 7))"\n', { sudo: true });
    expect(script.stdout).toBe('root\nquoted 42\n');
    // the command's own failure is a result, not a sudo failure
    const fail = await s.run(['sh', '-c', 'echo oops >&2; exit 7'], { sudo: true });
    expect([fail.exitCode, fail.stderr]).toEqual([7, 'oops\n']);
  });

  // "No hang" below is proven by the error kind (a hang would end as `timeout`, or not at all), never by timing it:
  // the host is shared and noisy. The figures are printed for reading.
  it('a wrong sudo password fails with sudo_failed (no hang); the password is in no message', async () => {
    const s = await open(admin(m1, { sudo: { mode: 'separate', password: 'not-the-sudo-pw' } }));
    const [err, ms] = await timed(failure(s.run(['id', '-u'], { sudo: true, stdin: 'data for the command\n' })));
    expect(err.errorKind).toBe('sudo_failed');
    expect(err.message).toMatch(/rejected the password/);
    console.log(`[ssh] wrong sudo password: sudo_failed after ${Math.round(ms)} ms`);
    expect(`${err.message} ${err.remediation}`).not.toContain('not-the-sudo-pw');
    // the session is still usable
    expect((await s.run(['true'])).exitCode).toBe(0);
  });

  it('sudo mode none: deploy (NOPASSWD) gets root; admin (needs a password) fails fast with sudo_failed', async () => {
    const d = await open(deploy(m1));
    expect((await d.run(['id', '-u'], { sudo: true })).stdout.trim()).toBe('0');
    const a = await open(admin(m1, { sudo: { mode: 'none' } }));
    const err = await failure(a.run(['id', '-u'], { sudo: true, timeoutMs: 60_000 }));
    expect(err.errorKind).toBe('sudo_failed');
    expect(err.message).toMatch(/needs a password/);
  });

  it('an account outside sudoers gives sudo_failed with a sudoers remediation', async () => {
    await lab.breakSudo(m2.name);
    try {
      const s = await open(admin(m2, { sudo: { mode: 'same_as_ssh' } }));
      const err = await failure(s.run(['id', '-u'], { sudo: true }));
      expect(err.errorKind).toBe('sudo_failed');
      expect(err.message).toMatch(/not allowed to use sudo/);
      expect(err.remediation).toMatch(/sudoers/);
    } finally {
      await lab.fixSudo(m2.name);
    }
  });

  it('a wrong login password gives auth_failed, without the password in the error', async () => {
    const err = await failure(SshSession.connect(admin(m1, { auth: { password: 'wrong-login-pw' } })));
    expect(err.errorKind).toBe('auth_failed');
    expect(err.remediation).toBeTruthy();
    expect(JSON.stringify({ m: err.message, r: err.remediation, s: err.stack })).not.toContain('wrong-login-pw');
  });

  it('sshd stopped gives connection_refused', async () => {
    await lab.stopSshd(m2.name);
    try {
      const err = await failure(SshSession.connect(admin(m2)));
      expect(err.errorKind).toBe('connection_refused');
    } finally {
      await lab.startSshd(m2.name);
    }
  });

  it('a powered-off machine gives timeout/unreachable within the connect timeout', async () => {
    await lab.powerOff(m2.name);
    try {
      const connectMs = 2_000;
      const [err, ms] = await timed(failure(SshSession.connect(admin(m2, { timeouts: { connectMs } }))));
      expect(['timeout', 'unreachable']).toContain(err.errorKind);
      // our own connect timer ended it (not the kernel's minutes-long TCP retries)
      if (err.errorKind === 'timeout') expect(err.message).toContain(`within ${connectMs} ms`);
      console.log(`[ssh] powered off: ${err.errorKind} after ${Math.round(ms)} ms (${err.message})`);
    } finally {
      await lab.powerOn(m2.name);
    }
  });

  it('a refused host key stops the connection before anything runs (false, unknown, and a really changed key)', async () => {
    const proof = '/tmp/su-host-key-proof';
    await lab.exec(m2.name, `rm -f ${proof}`);
    const attempt = (o: ConnectOptions) =>
      failure(SshSession.connect(o).then((s) => s.run(['touch', proof]).finally(() => s.close())));

    expect((await attempt(admin(m2, { verifyHostKey: () => false }))).errorKind).toBe('host_key_changed');
    expect((await attempt(admin(m2, { verifyHostKey: knownHostKeyVerifier([]) }))).errorKind).toBe('host_key_unknown');
    const before = m2.hostKeyFingerprint;
    const { after } = await lab.changeHostKey(m2.name, { updateKnownHosts: true });
    expect(after).not.toBe(before);
    const changed = await attempt(admin(m2, { verifyHostKey: knownHostKeyVerifier([before]) }));
    expect(changed.errorKind).toBe('host_key_changed');
    expect(changed.message).toContain(after); // the person sees the new fingerprint to compare with ssh-keygen -lf
    expect((await lab.exec(m2.name, `test -e ${proof} && echo ran || echo nothing-ran`)).stdout.trim()).toBe(
      'nothing-ran',
    );
    // once the new key is approved, the machine is reachable again
    const ok = await open(admin(m2, { verifyHostKey: knownHostKeyVerifier([after]) }));
    expect(ok.hostKey.fingerprintSha256).toBe(after);
    m2 = lab.machine(m2.name);
  });

  it('cancel stops the remote process (plain and under sudo) and raises cancelled', async () => {
    const s = await open(admin(m1, { sudo: { mode: 'same_as_ssh' } }));
    for (const [secs, sudo] of [
      ['317', false],
      ['318', true],
    ] as const) {
      const ac = new AbortController();
      const running = s.run(['sleep', secs], { signal: ac.signal, sudo });
      let seen = false;
      for (let i = 0; i < 50 && !seen; i++) {
        seen = !(await remoteGone(m1, `sleep ${secs}`));
        if (!seen) await new Promise((r) => setTimeout(r, 100));
      }
      expect(seen).toBe(true);
      ac.abort();
      const err = await failure(running);
      expect(err.errorKind).toBe('cancelled');
      expect(await remoteGone(m1, `sleep ${secs}`)).toBe(true);
    }
    expect((await s.run(['echo', 'alive'])).stdout).toBe('alive\n');
  });

  it('output cap stops the command with output_too_large; command and idle timeouts give timeout', async () => {
    const s = await open(deploy(m1));
    const big = await failure(s.run(['sh', '-c', 'yes | head -c 50000000'], { maxOutputBytes: 64 * 1024 }));
    expect(big.errorKind).toBe('output_too_large');
    expect(await remoteGone(m1, 'head -c 50000000')).toBe(true);
    const slow = await failure(s.run(['sleep', '30'], { timeoutMs: 500 }));
    expect(slow.errorKind).toBe('timeout');
    expect(await remoteGone(m1, 'sleep 30')).toBe(true); // stopped, not left to finish its 30 s
    const idle = await failure(s.run(['sh', '-c', 'echo started; sleep 30'], { idleTimeoutMs: 500 }));
    expect(idle.errorKind).toBe('timeout');
    expect(idle.message).toMatch(/printed nothing/);
    expect(await remoteGone(m1, 'sleep 30')).toBe(true);
  });

  it('the raw log has no password (even split across writes), the right byte count and sha256', async () => {
    const path = join(tmp, 'raw.log');
    const extra = 'extra-secret-value-42';
    const s = await SshSession.connect(
      admin(m1, { sudo: { mode: 'same_as_ssh' }, secrets: [extra], rawLog: { path, maxBytes: 1_000_000 } }),
    );
    const r = await s.run(['sh', '-c', `printf 'lab-ad'; sleep 0.2; printf 'min-pw\\n'; echo ${extra} >&2`]);
    expect(r.stdout).toBe('[REDACTED]\n');
    expect(r.stderr).toBe('[REDACTED]\n');
    await s.run(['sh', '-c', `echo "${ADMIN_PW}" from root`], { sudo: true });
    await s.runScript(`echo ${ADMIN_PW}\n`);
    await s.close();
    const file = readFileSync(path);
    const text = file.toString('utf8');
    expect(text).not.toContain(ADMIN_PW);
    expect(text).not.toContain(extra);
    // the two halves printed 200 ms apart are one redaction, not "lab-ad" then "min-pw" (the command line shows them
    // separately, which is fine: neither half is the secret)
    expect(text).toContain(">&2'\n[REDACTED]\n[REDACTED]\n");
    expect(text).not.toMatch(/^(lab-ad|min-pw)/m);
    expect(text).not.toMatch(/su-sudo-(prompt|ready)/);
    expect(text).toContain('[REDACTED] from root');
    const log = s.rawLog()!;
    expect(log.bytes).toBe(file.length);
    expect(log.sha256).toBe(createHash('sha256').update(file).digest('hex'));
    expect(log.truncated).toBe(false);
  });
});
