import { summary } from './stats.ts';

/** The dashboard's page: what GET /machines reads with no parameters (first page, default size and order). */
export const DASHBOARD_PAGE = { limit: 100, offset: 0 } as const;

/**
 * Someone watching the dashboard during a pass: reads one page of tiles once per second (the product's own read, as
 * GET /machines does, so each read rebuilds the tiles the pass marked stale, ADR 0055) and keeps each read's time.
 * A pass measured without it would leave the tiles' rebuild out of the pass's cost.
 */
export class TilesReaderWatcher {
  private readonly times: number[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly read: () => Promise<unknown>,
    private readonly everyMs = 1000,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the read under way; answers the reads' p50 and max (ms) and how many there were. */
  async stop(): Promise<{ n: number; p50: number; max: number }> {
    this.running = false;
    await this.loop;
    const s = summary(this.times.length ? this.times : [NaN]);
    return { n: this.times.length, p50: s.p50, max: s.max };
  }

  private async run(): Promise<void> {
    while (this.running) {
      const t0 = performance.now();
      await this.read();
      const ms = performance.now() - t0;
      this.times.push(ms);
      await new Promise((r) => setTimeout(r, Math.max(0, this.everyMs - ms)));
    }
  }
}
