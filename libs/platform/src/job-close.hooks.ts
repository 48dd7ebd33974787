import { Inject, Injectable } from '@nestjs/common';
import { ActionRequestsRepository, ExecutionsRepository, JobsRepository, type Tx } from '@su/db';
import { ScheduleRunAdvancer } from './schedule-run-advancer.service.ts';

/**
 * What follows a job's end, inside the transaction that closes it, whoever closes it (the worker that ran it, a
 * person cancelling it before it started, the reconciler after its worker died): its schedule run moves on, and the
 * action request it carried out becomes `executed` with its execution linked.
 */
@Injectable()
export class JobCloseHooks {
  constructor(@Inject(ScheduleRunAdvancer) private readonly runs: ScheduleRunAdvancer) {}

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
