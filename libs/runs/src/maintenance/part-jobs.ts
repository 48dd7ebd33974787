import { setTimeout as sleep } from 'node:timers/promises';
import {
  FINISHED_JOB_STATUSES,
  type Actor,
  type ApprovedPlan,
  type JobStatus,
  type MachineAction,
  type MaintenancePartJob,
} from '@su/contracts';
import { ExecutionsRepository, JobsRepository, type Database } from '@su/db';
import type { JobsService } from '@su/platform';
import { jobOfAction, type ActionOptions } from '../action-job.ts';

/** How often the run looks at its part's job (a part lasts seconds to minutes; one indexed read each time). */
const POLL_MS = 1000;

/** What a maintenance run needs to run its parts' jobs (PartJobs; pure sequencing specs play the workers). */
export interface PartRunner {
  run(
    action: MachineAction,
    signal: AbortSignal,
    options?: ActionOptions,
    approvedPlan?: ApprovedPlan,
  ): Promise<MaintenancePartJob>;
}

/**
 * Runs one job of a maintenance run's part: queued as a child of the run's job, so that its worker enters the lock
 * the run holds (ADR 0031), and waited for until it ends, whoever closes it (its worker, or the reconciler with
 * worker_lost after its worker died).
 */
export class PartJobs implements PartRunner {
  constructor(
    private readonly db: Database,
    private readonly jobs: JobsService,
    private readonly owner: { jobId: string; machineId: string; actor: Actor },
  ) {}

  async run(
    action: MachineAction,
    signal: AbortSignal,
    options: ActionOptions = {},
    approvedPlan?: ApprovedPlan,
  ): Promise<MaintenancePartJob> {
    const job = jobOfAction(action, options, approvedPlan);
    const { id } = await this.jobs.enqueue({
      ...job,
      machineId: this.owner.machineId,
      actor: this.owner.actor,
      parentJobId: this.owner.jobId,
    });
    return this.waitFor(id, signal);
  }

  private async waitFor(id: string, signal: AbortSignal): Promise<MaintenancePartJob> {
    const repo = new JobsRepository(this.db.prisma);
    for (;;) {
      const j = await repo.findView(id);
      if (!j) throw new Error(`part job ${id} disappeared`);
      if ((FINISHED_JOB_STATUSES as readonly JobStatus[]).includes(j.status)) {
        const executionId = await new ExecutionsRepository(this.db.prisma).latestIdOfJob(id);
        return {
          jobId: id,
          kind: j.kind,
          status: j.status,
          executionId,
          errorKind: j.errorKind,
          errorMessage: j.errorMessage,
          startedAt: j.startedAt,
          finishedAt: j.finishedAt,
        };
      }
      if (signal.aborted) {
        // The run stops (cancelled, or its own lock lost): its part must not go on alone.
        await this.jobs.cancel(id, this.owner.actor).catch(() => undefined);
        throw signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
      }
      await sleep(POLL_MS);
    }
  }
}
