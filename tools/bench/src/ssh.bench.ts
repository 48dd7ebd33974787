// SSH bench: our SshSession (ssh2, curve25519 pinned, TCP_NODELAY) against the OpenSSH client on a lab machine, in
// the same run. Figures: connect→ready, and per-command time of `true` on an open connection (target: p50 <= 5 ms).
// Needs root (the lab). Brings a 1-machine lab up when none is running and takes it down again afterwards.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SshSession, knownHostKeyVerifier, type ConnectOptions } from '@su/ssh';
import { Lab, isRoot } from '@su/testing';
import { labCli } from './lab-cli.ts';
import { percentile, printTable, summary } from './stats.ts';

const CONNECTS = 20;
const COMMANDS = 200;
const WARMUP = 10;

function stats(values: number[]): { p50: number; p90: number; p99: number } {
  const s = summary(values);
  return {
    p50: s.p50,
    p90: percentile(
      [...values].sort((a, b) => a - b),
      90,
    ),
    p99: s.p99,
  };
}

export async function sshBench(): Promise<void> {
  if (!isRoot()) {
    console.log('\nssh bench skipped: needs root (the lab)');
    return;
  }
  const broughtUp = !Lab.exists();
  if (broughtUp) labCli(['up', '--machines', '1']);
  const lab = Lab.attach();
  const tmp = mkdtempSync(join(tmpdir(), 'su-ssh-bench-'));
  const m = lab.machines()[0];
  if (!m) {
    if (broughtUp) labCli(['down']);
    throw new Error('the lab has no machine');
  }
  const keyPath = m.users.deploy.privateKeyPath;
  const controlPath = join(tmp, 'cm');
  const sshArgs = [
    '-i',
    keyPath,
    '-p',
    String(m.sshPort),
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'StrictHostKeyChecking=accept-new',
    '-o',
    `UserKnownHostsFile=${join(tmp, 'known_hosts')}`,
    '-o',
    'LogLevel=ERROR',
  ];
  const ssh = (extra: string[], cmd: string[]) => {
    const t0 = performance.now();
    const r = spawnSync('ssh', [...sshArgs, ...extra, `deploy@${m.address}`, ...cmd], { encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`ssh failed (${r.status}): ${r.stderr}`);
    return ms;
  };
  const cm = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${controlPath}`, '-o', 'ControlPersist=60'];

  try {
    const opts: ConnectOptions = {
      target: { host: m.address, port: m.sshPort, username: 'deploy' },
      auth: { privateKey: readFileSync(keyPath, 'utf8') },
      verifyHostKey: knownHostKeyVerifier([m.hostKeyFingerprint]),
      sudo: { mode: 'none' },
    };

    // ours: connect → ready
    const connects: number[] = [];
    for (let i = 0; i < CONNECTS; i++) {
      const t0 = performance.now();
      const s = await SshSession.connect(opts);
      connects.push(performance.now() - t0);
      await s.close();
    }
    // ours: commands on one open connection
    const session = await SshSession.connect(opts);
    for (let i = 0; i < WARMUP; i++) await session.run(['true']);
    const ours: number[] = [];
    for (let i = 0; i < COMMANDS; i++) {
      const t0 = performance.now();
      const r = await session.run(['true']);
      ours.push(performance.now() - t0);
      if (r.exitCode !== 0) throw new Error('`true` failed');
    }
    await session.close();

    // OpenSSH, a new connection per command (what most tools do)
    ssh([], ['true']); // records the host key (accept-new) outside the measurement
    const plain: number[] = [];
    for (let i = 0; i < COMMANDS; i++) plain.push(ssh([], ['true']));

    // OpenSSH with ControlMaster: the first command opens the master, the rest reuse it
    const masterMs = ssh(cm, ['true']);
    for (let i = 0; i < WARMUP; i++) ssh(cm, ['true']);
    const muxed: number[] = [];
    for (let i = 0; i < COMMANDS; i++) muxed.push(ssh(cm, ['true']));

    const o = stats(ours);
    const p = stats(plain);
    const x = stats(muxed);
    printTable(
      `SSH — ${m.name} (${m.address}), deploy, key auth; ${COMMANDS} × \`true\`; target: per-command p50 <= 5 ms on an open connection`,
      ['client', 'connect→ready p50 ms', 'per-command p50 ms', 'p90 ms', 'p99 ms'],
      [
        [`SshSession (ssh2, curve25519, NODELAY), ${CONNECTS} connects`, summary(connects).p50, o.p50, o.p90, o.p99],
        ['OpenSSH ssh, new connection per command', '(in each command)', p.p50, p.p90, p.p99],
        [
          'OpenSSH ssh, ControlMaster/ControlPersist',
          `${masterMs.toFixed(2)} (first, opens master)`,
          x.p50,
          x.p90,
          x.p99,
        ],
      ],
    );
    console.log(`per-command target (p50 <= 5 ms): ${o.p50 <= 5 ? 'met' : 'NOT met'} (${o.p50.toFixed(2)} ms)`);
  } finally {
    // The ControlPersist master is a background process: stop it by its control socket.
    spawnSync('ssh', [...sshArgs, ...cm, '-O', 'exit', `deploy@${m.address}`], { stdio: 'ignore' });
    rmSync(tmp, { recursive: true, force: true });
    if (broughtUp) labCli(['down']);
  }
}
