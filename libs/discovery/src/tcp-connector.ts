import { lookupService } from 'node:dns/promises';
import { Socket } from 'node:net';

/**
 * Opens a plain TCP connection, or says why not (null: refused, unreachable or timed out). Injectable so a scan's
 * every connection goes through one place that can be counted.
 */
export type TcpConnector = (host: string, port: number, timeoutMs: number) => Promise<Socket | null>;

export const tcpConnect: TcpConnector = (host, port, timeoutMs) =>
  new Promise((resolve) => {
    const sock = new Socket();
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.removeAllListeners('connect');
      sock.removeAllListeners('error');
      if (ok) {
        // A late error after the hand-over must not become an uncaught exception.
        sock.on('error', () => undefined);
        return resolve(sock);
      }
      sock.destroy();
      resolve(null);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
    sock.setNoDelay(true);
    sock.connect({ host, port });
  });

/** Finds a name for an address (PTR through getnameinfo), or null; never longer than `timeoutMs`. */
export type ReverseResolver = (address: string, timeoutMs: number) => Promise<string | null>;

export const systemReverseDns: ReverseResolver = async (address, timeoutMs) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
  try {
    const name = await Promise.race([
      lookupService(address, 22).then(
        (r) => r.hostname,
        () => null,
      ),
      timeout,
    ]);
    // getnameinfo answers the address itself when it has no name.
    return name && name !== address ? name : null;
  } finally {
    clearTimeout(timer);
  }
};
