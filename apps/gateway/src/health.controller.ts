import { Controller, Get, HttpCode, Inject, Query, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@su/auth';
import { Database } from '@su/db';
import { JobQueue } from '@su/queue';
import { JobsService } from '@su/platform';

@ApiTags('health')
@Controller()
@Public()
export class HealthController {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  @Get(['health', 'api/v1/health'])
  @ApiOperation({ summary: 'Liveness: the process answers.' })
  health() {
    return { status: 'ok' };
  }

  /**
   * Readiness: database and queue answer. With `?deep=1`, also a `system.selftest` job must make the round trip
   * through the apt-worker within 5 s (proves a worker is consuming).
   */
  @Get(['ready', 'api/v1/ready'])
  @HttpCode(200)
  @ApiOperation({ summary: 'Readiness: database + queue (deep=1: a job round trip through a worker).' })
  async ready(@Query('deep') deep?: string) {
    const checks: Record<string, string> = {};
    try {
      await this.db.ping();
      checks['database'] = 'ok';
      await this.queue.ping();
      checks['queue'] = 'ok';
      if (deep === '1' || deep === 'true') {
        const job = await this.jobs.enqueue({
          kind: 'system.selftest',
          payload: { echo: 'ready' },
          actor: { type: 'system', id: 'ready-check' },
        });
        const deadline = Date.now() + 5000;
        let status = job.status as string;
        while (Date.now() < deadline && (status === 'queued' || status === 'running')) {
          await new Promise((r) => setTimeout(r, 50));
          status = (await this.jobs.find(job.id))?.status ?? 'missing';
        }
        checks['worker'] = status === 'ok' ? 'ok' : `selftest job ${job.id} is ${status}`;
        if (status !== 'ok') throw new Error(checks['worker']);
      }
    } catch {
      // The checks that passed, and the worker's if it failed; the failing dependency's own message stays out of a
      // public answer.
      throw new ServiceUnavailableException({ message: 'not ready', checks });
    }
    return { status: 'ready', checks };
  }
}
