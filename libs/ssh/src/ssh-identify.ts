import type { Socket } from 'node:net';
import ssh2, { type ConnectConfig } from 'ssh2';
import { hostKeyInfoFromBlob, type HostKeyInfo } from './host-key-info.ts';
import { KEX_ALGORITHMS } from './ssh-options.ts';

const { Client } = ssh2;

/** What an SSH server says about itself before anyone authenticates. */
export interface SshIdentity {
  /** The server's identification line (`SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3`), null when none came. */
  banner: string | null;
  /** The host key it proved during key exchange, null when the exchange did not get that far. */
  hostKey: HostKeyInfo | null;
}

/** RFC 4253 §4.2: the identification line is at most 255 characters, CR LF included. */
const MAX_IDENT = 255;

/**
 * Reads an SSH server's identification line and host key over an open TCP socket, then abandons the handshake: the
 * host key check refuses the key, so ssh2 disconnects before the user-authentication service is even requested. No
 * credential exists here to be tried (no username is a real one, the auth handler offers nothing). Always resolves;
 * the socket is destroyed when it settles.
 */
export function identifySsh(sock: Socket, timeoutMs: number): Promise<SshIdentity> {
  return new Promise((resolve) => {
    const client = new Client();
    let banner: string | null = null;
    let pending = '';
    let done = false;
    // Set before the refusal: ssh2 reports the refusal as an error at once, inside verify(false).
    let seenKey: HostKeyInfo | null = null;
    const finish = (hostKey: HostKeyInfo | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.off('data', onData);
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end();
      sock.destroy();
      resolve({ banner, hostKey });
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    // The identification line may follow other lines (RFC 4253 §4.2); keep the first that starts with "SSH-".
    const onData = (chunk: Buffer) => {
      if (banner !== null || pending.length > 4 * MAX_IDENT) return;
      pending += chunk.toString('latin1');
      for (const line of pending.split('\n').slice(0, -1)) {
        if (line.startsWith('SSH-')) {
          banner = sanitizeBanner(line);
          return;
        }
      }
    };
    sock.on('data', onData);
    sock.on('error', () => finish(seenKey));
    client.on('error', () => finish(seenKey));
    client.on('close', () => finish(seenKey));
    const cfg: ConnectConfig = {
      sock,
      username: 'su-discovery',
      readyTimeout: 0,
      algorithms: { kex: [...KEX_ALGORITHMS] },
      authHandler: [],
      hostVerifier: (blob: Buffer, verify: (ok: boolean) => void) => {
        try {
          seenKey = hostKeyInfoFromBlob(blob);
        } catch {
          seenKey = null;
        }
        verify(false);
        finish(seenKey);
      },
    };
    try {
      client.connect(cfg);
    } catch {
      finish(null);
    }
  });
}

/** Printable ASCII only, without the line end: it is shown in the UI and stored. */
function sanitizeBanner(line: string): string {
  return line
    .replace(/\r$/, '')
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, MAX_IDENT);
}
