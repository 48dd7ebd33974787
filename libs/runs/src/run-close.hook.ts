import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ActionRequestsRepository, ExecutionsRepository, JobsRepository, type Tx } from '@su/db';
import { JobCloseHooks, type JobCloseHook } from '@su/platform';
import { ScheduleRunAdvancer } from './schedule-run-advancer.service.ts';

/**
 * What a job's end means for runs, inside the transaction that closes it: the action request it carried out becomes
 * `executed` with its execution linked, and its schedule run moves on. Registered with the runtime's close hooks, so
 * the runtime calls it without knowing runs exist.
 */
@Injectable()
export class RunJobCloseHook implements JobCloseHook, OnModuleInit {
  constructor(
    @Inject(ScheduleRunAdvancer) private readonly runs: ScheduleRunAdvancer,
    @Inject(JobCloseHooks) private readonly hooks: JobCloseHooks,
  ) {}

  onModuleInit(): void {
    this.hooks.add(this);
  }

  async closed(tx: Tx, jobId: string): Promise<void> {
    const link = await new JobsRepository(tx).runLink(jobId);
    if (!link) return;
    if (link.requestId && link.status !== 'skipped') {
      const executionId = await new ExecutionsRepository(tx).latestIdOfJob(jobId);
      await new ActionRequestsRepository(tx).markExecuted(link.requestId, jobId, executionId);
    }
    if (link.runMachineId) await this.runs.jobClosed(tx, jobId, link);
  }
}
