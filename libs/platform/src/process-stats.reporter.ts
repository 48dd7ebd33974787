import { hostname } from 'node:os';
import { Database, SystemMetricsRepository } from '@su/db';

/**
 * A service's own CPU and memory, which only the process itself can measure across containers: written to
 * service_process_stats, read by the scheduler's system-metrics sampler (ADR 0035).
 */
export class ProcessStatsReporter {
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();
  readonly instance: string;

  constructor(
    private readonly service: string,
    private readonly db: Database,
  ) {
    this.instance = `${service}:${hostname()}:${process.pid}`;
  }

  /** CPU since the previous report, as a percentage of one core. */
  async report(): Promise<void> {
    const cpu = process.cpuUsage(this.lastCpu);
    const now = performance.now();
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / Math.max(1, now - this.lastAt)) * 100;
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    const mem = process.memoryUsage();
    await new SystemMetricsRepository(this.db.prisma).upsertProcessStat({
      instance: this.instance,
      service: this.service,
      pid: process.pid,
      host: hostname(),
      cpuPercent: Math.round(cpuPercent * 10) / 10,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
    });
  }

  start(everyMs: number): () => void {
    const timer = setInterval(() => void this.report().catch(() => undefined), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
