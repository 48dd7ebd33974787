import { connect } from 'node:net';

export type PortState = 'open' | 'refused' | 'timeout' | 'unreachable';

/** Checks the SSH port without an SSH handshake; see `VerifiedRebootDeps.probePort` for why. */
export type PortProbe = (timeoutMs: number) => Promise<PortState>;

/**
 * A plain TCP connect to `host:port`, closed at once. `refused` means the machine is up but nothing listens (sshd
 * stopped during shutdown or not started yet); `timeout`/`unreachable` mean the machine (or its network) is not there.
 */
export function tcpPortProbe(host: string, port: number): PortProbe {
  return (timeoutMs) =>
    new Promise<PortState>((resolve) => {
      const s = connect({ host, port });
      let settled = false;
      const done = (state: PortState) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        s.destroy();
        resolve(state);
      };
      const timer = setTimeout(() => done('timeout'), Math.max(1, timeoutMs));
      s.once('connect', () => done('open'));
      s.on('error', (e: NodeJS.ErrnoException) =>
        done(e.code === 'ECONNREFUSED' ? 'refused' : e.code === 'ETIMEDOUT' ? 'timeout' : 'unreachable'),
      );
    });
}
