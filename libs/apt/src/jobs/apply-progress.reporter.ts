import { type Database, LiveEventsRepository } from '@su/db';
import { AptProgressTracker, LineSplitter, type AptProgress } from '../apt-progress.parser.ts';

/** At most one progress event per this interval: apt writes a line per dpkg step, hundreds in a large upgrade. */
const MIN_INTERVAL_MS = 1_000;
/** While apt says nothing (a long maintainer script), the last progress is repeated this often: the run is alive. */
const HEARTBEAT_MS = 4_000;

/**
 * An apply's progress as `job.progress` live events, from apt-get's own output as it arrives (apt-progress.parser.ts):
 * percentage and current package, throttled, and repeated while apt is silent. Publishing never fails the apply.
 */
export class ApplyProgressReporter {
  private readonly lines = new LineSplitter();
  private readonly tracker = new AptProgressTracker();
  private last: AptProgress | null = null;
  private lastSentAt = 0;
  private dirty = false;
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private readonly startedAt = Date.now();

  constructor(
    private readonly db: Database,
    private readonly machineId: string,
    private readonly jobId: string,
    private readonly action: string,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.dirty || Date.now() - this.lastSentAt >= HEARTBEAT_MS) this.publish();
    }, MIN_INTERVAL_MS);
  }

  readonly onOutput = (stream: 'stdout' | 'stderr', text: string): void => {
    if (stream !== 'stdout') return;
    for (const line of this.lines.push(text)) {
      const p = this.tracker.line(line);
      if (!p) continue;
      this.last = p;
      this.dirty = true;
    }
    if (this.dirty && Date.now() - this.lastSentAt >= MIN_INTERVAL_MS) this.publish();
  };

  /** Stops the heartbeat; the last progress (100% or where it stopped) goes out before this resolves. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.dirty) this.publish();
    await this.chain;
  }

  private publish(): void {
    this.lastSentAt = Date.now();
    this.dirty = false;
    const p = this.last;
    const payload = {
      jobId: this.jobId,
      machineId: this.machineId,
      action: this.action,
      phase: p?.phase ?? 'starting',
      percent: p?.percent ?? 0,
      package: p?.package ?? null,
      text: p?.text ?? null,
      elapsedSeconds: Math.round((Date.now() - this.startedAt) / 1000),
    };
    this.chain = this.chain
      .then(() => new LiveEventsRepository(this.db.prisma).publish('job.progress', this.machineId, this.jobId, payload))
      .catch(() => undefined);
  }
}
