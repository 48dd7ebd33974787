import pg from 'pg';
import { PgListener } from '@su/db';

/**
 * Waits until every job of a batch has ended, the way the UI learns it: woken by the live-event notifications that
 * every job status change raises, with a slow fallback poll. Each wake asks ONE light question over a connection of
 * its own (how many of the batch have ended); the caller reads the jobs' views once, when all have. The caller runs
 * in the worker's process and on the same 2 cores: reading every job's view at every status change (about a dozen
 * per round of 3 jobs) took CPU and event-loop turns from the jobs it measures, which Ansible's measurement does not
 * pay (ADR 0052).
 */
export class JobsEndedWatcher {
  private wake: () => void = () => undefined;
  private readonly listener: PgListener;
  private readonly ask: pg.Client;

  constructor(url: string) {
    this.listener = new PgListener(url, 'su_live_events', () => this.wake());
    this.ask = new pg.Client({ connectionString: url, application_name: 'su-bench-jobs-ended' });
  }

  async start(): Promise<void> {
    await this.listener.start();
    await this.ask.connect();
  }

  async waitAll(jobIds: string[]): Promise<void> {
    for (;;) {
      const changed = new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 250).unref();
      });
      if ((await this.ended(jobIds)) === jobIds.length) return;
      await changed;
    }
  }

  async stop(): Promise<void> {
    await this.listener.stop();
    await this.ask.end();
  }

  private async ended(jobIds: string[]): Promise<number> {
    const r = await this.ask.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1::uuid[]) AND status NOT IN ('waiting', 'queued', 'running')`,
      [jobIds],
    );
    return r.rows[0]?.n ?? 0;
  }
}
