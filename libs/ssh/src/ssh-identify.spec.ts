import { createHash } from 'node:crypto';
import { Socket, type AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifySsh } from './ssh-identify.ts';

// identifySsh against a real SSH server on 127.0.0.1 (ssh2's Server, in this process) that records every
// authentication attempt: the banner and host key are read, and no attempt of any kind is made.

function ed25519HostKey(): { private: string; public: string } {
  // ssh2's generator now and then writes an ed25519 key its own parser refuses: draw again.
  for (;;) {
    const key = ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(key.private) instanceof Error)) return key;
  }
}

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = new Socket();
    sock.once('error', reject);
    sock.connect({ host: '127.0.0.1', port }, () => resolve(sock));
  });
}

describe('identifySsh', () => {
  let server: ssh2.Server;
  let port: number;
  let fingerprint: string;
  const authAttempts: string[] = [];

  beforeAll(async () => {
    const key = ed25519HostKey();
    const parsed = ssh2.utils.parseKey(key.public);
    if (parsed instanceof Error) throw parsed;
    fingerprint = `SHA256:${createHash('sha256').update(parsed.getPublicSSH()).digest('base64').replace(/=+$/, '')}`;
    server = new ssh2.Server({ hostKeys: [key.private], ident: 'Identify-Test_1.0' }, (client) => {
      client.on('error', () => undefined);
      client.on('authentication', (ctx) => {
        authAttempts.push(ctx.method);
        ctx.reject();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('reads the identification line and the host key, then leaves without authenticating', async () => {
    const sock = await connect(port);
    const id = await identifySsh(sock, 10_000);
    expect(id.banner).toBe('SSH-2.0-Identify-Test_1.0');
    expect(id.hostKey).toMatchObject({ keyType: 'ssh-ed25519', fingerprintSha256: fingerprint });
    expect(id.hostKey?.publicKey).toMatch(/^ssh-ed25519 AAAA/);
    expect(sock.destroyed).toBe(true);
    // Give a late authentication request every chance to arrive: none may.
    await new Promise((r) => setTimeout(r, 300));
    expect(authAttempts).toEqual([]);
  });

  it('gives up at the deadline on a port that never speaks', async () => {
    const silent = await import('node:net').then((net) => net.createServer(() => undefined));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const sock = await connect((silent.address() as AddressInfo).port);
      expect(await identifySsh(sock, 300)).toEqual({ banner: null, hostKey: null });
      expect(sock.destroyed).toBe(true);
    } finally {
      silent.close();
    }
  });
});
