import pLimit from 'p-limit';
import pThrottle from 'p-throttle';
import { identifySsh, type HostKeyInfo } from '@su/ssh';
import type { ReverseResolver, TcpConnector } from './tcp-connector.ts';

export interface ScanTarget {
  host: string;
  port: number;
}

export interface ScanPace {
  concurrency: number;
  connectsPerSecond: number;
  connectTimeoutMs: number;
}

/** What one open port said. */
export interface OpenPort extends ScanTarget {
  banner: string | null;
  hostKey: HostKeyInfo | null;
  reverseDns: string | null;
}

export interface ScanCallbacks {
  /** Called once per target that accepted a TCP connection (awaited: the caller records it). */
  onOpen(p: OpenPort): Promise<void>;
  /** Called after each target, open or not. */
  onProbed(probed: number): void;
}

/**
 * Sweeps the targets with plain TCP connects, at most `concurrency` at once and `connectsPerSecond` new connections
 * per second; an open port is read for its SSH identification and host key (no authentication is ever attempted).
 * The caller decides what may be scanned: this only goes where it is told.
 */
export class DiscoveryScanner {
  constructor(
    private readonly connect: TcpConnector,
    private readonly reverse: ReverseResolver | null,
  ) {}

  async scan(targets: readonly ScanTarget[], pace: ScanPace, cb: ScanCallbacks): Promise<void> {
    const limit = pLimit(pace.concurrency);
    const throttle = pThrottle({ limit: pace.connectsPerSecond, interval: 1000 });
    const paced = throttle((t: ScanTarget) => this.connect(t.host, t.port, pace.connectTimeoutMs));
    let probed = 0;
    await Promise.all(
      targets.map((t) =>
        limit(async () => {
          try {
            const sock = await paced(t);
            if (sock) await cb.onOpen(await this.read(t, sock, pace.connectTimeoutMs));
          } finally {
            cb.onProbed(++probed);
          }
        }),
      ),
    );
  }

  private async read(t: ScanTarget, sock: NonNullable<Awaited<ReturnType<TcpConnector>>>, timeoutMs: number) {
    const [id, reverseDns] = await Promise.all([
      identifySsh(sock, timeoutMs),
      this.reverse ? this.reverse(t.host, timeoutMs) : Promise.resolve(null),
    ]);
    return { ...t, banner: id.banner, hostKey: id.hostKey, reverseDns };
  }
}
