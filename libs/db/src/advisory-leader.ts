import pg from 'pg';

export interface LeaderCallbacks {
  /** This process is the leader from now on (until `onLost`). */
  onElected: () => void | Promise<void>;
  /** Leadership ended (connection lost or stop): stop leader-only work at once. */
  onLost: () => void | Promise<void>;
  onError?: (e: Error) => void;
}

/**
 * One leader among processes: a session-level PostgreSQL advisory lock held on a dedicated connection. When the
 * leader dies its session ends and PostgreSQL frees the lock; a standby that tries every `retryMs` takes over within
 * that time. The connection is checked every `checkMs` so a leader cut off from the database steps down rather than
 * believing it still leads (the database-side unique keys keep the work exactly-once even during that overlap).
 */
export class AdvisoryLeader {
  private client: pg.Client | null = null;
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly lockKey: number,
    private readonly callbacks: LeaderCallbacks,
    private readonly opts: { retryMs: number; checkMs?: number; applicationName?: string },
  ) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    void this.attempt();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.attempt(), ms);
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.client) {
        const client = new pg.Client({
          connectionString: this.url,
          application_name: this.opts.applicationName ?? 'su-leader',
        });
        client.on('error', (e) => void this.drop(client, e));
        client.on('end', () => void this.drop(client, new Error('leader connection closed')));
        await client.connect();
        this.client = client;
      }
      if (this.leading) {
        await this.client.query('SELECT 1');
        this.schedule(this.opts.checkMs ?? 2000);
        return;
      }
      const { rows } = await this.client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [
        this.lockKey,
      ]);
      if (rows[0]?.ok) {
        this.leading = true;
        await this.callbacks.onElected();
        this.schedule(this.opts.checkMs ?? 2000);
      } else {
        this.schedule(this.opts.retryMs);
      }
    } catch (e) {
      if (this.client) await this.drop(this.client, e as Error);
      else {
        this.callbacks.onError?.(e as Error);
        this.schedule(this.opts.retryMs);
      }
    }
  }

  private async drop(client: pg.Client, e: Error): Promise<void> {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    if (!this.stopped) this.callbacks.onError?.(e);
    await this.stepDown();
    if (this.timer) clearTimeout(this.timer);
    this.schedule(this.opts.retryMs);
  }

  private async stepDown(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    await this.callbacks.onLost();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.stepDown();
    const c = this.client;
    this.client = null;
    // Ending the session frees the advisory lock: a standby takes over at its next try.
    await c?.end().catch(() => undefined);
  }
}
