import { spawn } from 'node:child_process';
import { loadConfig } from '@su/config';
import { analysisScript } from '@su/apt';
import { PROBE_SCRIPT } from '@su/inventory';
import { shellQuote } from '@su/ssh';
import type { SimFleet, SimHost } from '@su/testing';

const READY = 'printf %s "$0" >&2; exec "$@"';

/** One OpenSSH `ssh` (password through sshpass's environment, never argv) running `line` with `stdin`. */
function ssh(h: SimHost, line: string, stdin: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(
      'sshpass',
      [
        '-e',
        'ssh',
        '-p',
        String(h.port),
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-o',
        'LogLevel=ERROR',
        '-o',
        'ConnectTimeout=10',
        `${h.o.username}@127.0.0.1`,
        line,
      ],
      { stdio: ['pipe', 'ignore', 'ignore'], env: { PATH: '/usr/bin:/bin', SSHPASS: h.o.password } },
    );
    child.stdin.end(stdin);
    child.once('exit', (code) => resolve(code === 0));
  });
}

/**
 * The peer: what a shell loop over the fleet costs against the same simulated hosts — OpenSSH, one connection per
 * host and command (the probe script, then the analysis script under `sudo -n`), `parallel` at once, output thrown
 * away (no parsing, no database). A floor for the SSH part of a pass, not a full tool.
 */
export async function sshLoopPeer(
  fleet: SimFleet,
  parallel: number,
): Promise<{ seconds: number; ok: number; failed: number }> {
  // The same script the product sends to these hosts (their apt proxy setting is the default, direct): the simulated
  // fleet answers only what was recorded, byte for byte.
  const analysis = analysisScript({
    lockTimeoutSeconds: loadConfig().apt.lockTimeoutSeconds,
    proxy: { mode: 'direct', url: null },
  });
  const sudoLine = shellQuote(['sudo', '-n', '--', 'sh', '-c', READY, '<peer-ready>', 'sh', '-s']);
  const queue = [...fleet.hosts];
  let ok = 0;
  let failed = 0;
  const t0 = performance.now();
  const lane = async () => {
    for (let h = queue.shift(); h; h = queue.shift()) {
      const done = (await ssh(h, 'sh -s', PROBE_SCRIPT)) && (await ssh(h, sudoLine, analysis));
      if (done) ok++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return { seconds: (performance.now() - t0) / 1000, ok, failed };
}
