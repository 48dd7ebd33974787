import { Inject, Injectable } from '@nestjs/common';
import { Database } from '@su/db';
import { JobQueue } from '@su/queue';
import { JobsService } from './jobs.service.ts';

export interface Readiness {
  ready: boolean;
  checks: Record<string, string>;
  error?: string;
}

const DEEP_TIMEOUT_MS = 5000;
/** A deep answer this fresh is given again: a burst of checks that do not quite overlap still makes one job. */
const DEEP_REUSE_MS = 2000;

/**
 * Readiness checks. The shallow one only reads (database and queue answer). The deep one sends a `system.selftest`
 * job through a worker; callers who ask while one is in flight, or within 2 s of its answer, share that answer, so a
 * burst of checks makes one job.
 */
@Injectable()
export class ReadinessService {
  private inFlight: Promise<Readiness> | null = null;
  private last: { answer: Readiness; at: number } | null = null;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  async shallow(): Promise<Readiness> {
    const checks: Record<string, string> = {};
    try {
      await this.db.ping();
      checks['database'] = 'ok';
      await this.queue.ping();
      checks['queue'] = 'ok';
      return { ready: true, checks };
    } catch (e) {
      return { ready: false, checks, error: (e as Error).message };
    }
  }

  deep(): Promise<Readiness> {
    if (this.last && Date.now() - this.last.at < DEEP_REUSE_MS) return Promise.resolve(this.last.answer);
    this.inFlight ??= this.runDeep()
      .then((answer) => {
        this.last = { answer, at: Date.now() };
        return answer;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  private async runDeep(): Promise<Readiness> {
    const base = await this.shallow();
    if (!base.ready) return base;
    const job = await this.jobs.enqueue({
      kind: 'system.selftest',
      payload: { echo: 'ready' },
      actor: { type: 'system', id: 'ready-check' },
    });
    const deadline = Date.now() + DEEP_TIMEOUT_MS;
    let status = job.status as string;
    while (Date.now() < deadline && (status === 'queued' || status === 'running')) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await this.jobs.find(job.id))?.status ?? 'missing';
    }
    const worker = status === 'ok' ? 'ok' : `selftest job ${job.id} is ${status}`;
    const checks = { ...base.checks, worker };
    return status === 'ok' ? { ready: true, checks } : { ready: false, checks, error: worker };
  }
}
