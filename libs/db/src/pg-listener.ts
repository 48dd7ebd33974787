import pg from 'pg';

/**
 * A dedicated connection that LISTENs on one channel (LISTEN is per session, so it cannot share the pool). Reconnects
 * after a lost connection and calls `onReconnect` so the caller can catch up on what it missed meanwhile.
 */
export class PgListener {
  private client: pg.Client | null = null;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly onNotify: (payload: string) => void,
    private readonly onReconnect: () => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: `su-listen-${this.channel}` });
    client.on('notification', (n) => n.channel === this.channel && this.onNotify(n.payload ?? ''));
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    await client.connect();
    await client.query(`LISTEN "${this.channel.replaceAll('"', '""')}"`);
    this.client = client;
  }

  private reconnect(old: pg.Client): void {
    if (this.stopped || this.client !== old) return;
    this.client = null;
    const retry = () => {
      if (this.stopped) return;
      this.start().then(this.onReconnect, () => setTimeout(retry, 1000).unref());
    };
    setTimeout(retry, 200).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
    this.client = null;
  }
}
