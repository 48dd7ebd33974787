import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';

/** An SSH server on 127.0.0.1 for integration tests of what opens shells (the web terminal). */
export interface LoopbackSshServer {
  port: number;
  /** `SHA256:…` of the host key it presents. */
  hostKeyFingerprint: string;
  /** Every PTY size the clients asked for, first the `pty` request's, then each `window-change`. */
  sizes: Array<{ cols: number; rows: number }>;
  /** Shells currently running. */
  readonly openShells: number;
  close(): Promise<void>;
}

/** ssh2's generator now and then writes an ed25519 key its own parser refuses (about 1 in 500): draw again. */
function ed25519HostKey(): { private: string; public: string } {
  for (;;) {
    const key = ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(key.private) instanceof Error)) return key;
  }
}

function fingerprintOf(publicKey: string): string {
  const parsed = ssh2.utils.parseKey(publicKey);
  if (parsed instanceof Error) throw parsed;
  return `SHA256:${createHash('sha256').update(parsed.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;
}

/**
 * Password login (`username` / `password`) and a `shell` that is the local `sh` reading from the channel: no real
 * terminal, so Enter's `\r` is turned into the newline a PTY would give. `port` reuses a port (a machine whose host
 * key changed: the same address, a new server key).
 */
export async function startLoopbackSshServer(opts: {
  username: string;
  password: string;
  port?: number;
}): Promise<LoopbackSshServer> {
  const hostKey = ed25519HostKey();
  const children = new Set<ChildProcess>();
  const clients = new Set<ssh2.Connection>();
  const sizes: Array<{ cols: number; rows: number }> = [];
  const server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === opts.username && ctx.password === opts.password) ctx.accept();
      else ctx.reject(['password']);
    });
    client.on('session', (acceptSession) => {
      const session = acceptSession();
      session.on('pty', (accept, _reject, info) => {
        sizes.push({ cols: info.cols, rows: info.rows });
        accept?.();
      });
      session.on('window-change', (accept, _reject, info) => {
        sizes.push({ cols: info.cols, rows: info.rows });
        accept?.();
      });
      session.on('shell', (accept) => {
        const channel = accept();
        const child = spawn('sh', ['-s'], { env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' }, stdio: 'pipe' });
        children.add(child);
        channel.on('data', (d: Buffer) => child.stdin.write(d.toString('utf8').replace(/\r/g, '\n')));
        channel.on('close', () => child.kill('SIGKILL'));
        child.stdin.on('error', () => undefined);
        child.stdout.on('data', (d: Buffer) => channel.write(d));
        child.stderr.on('data', (d: Buffer) => channel.write(d));
        child.on('close', (code) => {
          children.delete(child);
          channel.exit(code ?? 0);
          channel.end();
        });
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    hostKeyFingerprint: fingerprintOf(hostKey.public),
    sizes,
    get openShells() {
      return children.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of children) c.kill('SIGKILL');
        for (const c of clients) c.end();
        server.close(() => resolve());
      }),
  };
}
