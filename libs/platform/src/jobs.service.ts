import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { parseJobPayload, type Actor, type JobKind, type JobPayload, type JobView } from '@su/contracts';
import { Database, JobsRepository, MachineEventsRepository, sqlExecutor, type Tx } from '@su/db';
import { JobQueue } from '@su/queue';

export interface EnqueueRequest<K extends JobKind> {
  kind: K;
  payload: JobPayload<K>;
  machineId?: string | null;
  actor: Actor;
  priority?: number;
}

/**
 * Creates jobs: the `jobs` row (the product's record) and the pg-boss job (its delivery) in one transaction, under
 * one id, so that a job is never delivered without a record nor recorded without a delivery.
 */
@Injectable()
export class JobsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(JobQueue) private readonly queue: JobQueue,
  ) {}

  async enqueue<K extends JobKind>(req: EnqueueRequest<K>): Promise<JobView> {
    return this.db.transaction((tx) => this.enqueueIn(tx, req));
  }

  /** Same as enqueue, inside a caller's transaction (for example with the write that caused the job). */
  async enqueueIn<K extends JobKind>(tx: Tx, req: EnqueueRequest<K>): Promise<JobView> {
    const payload = parseJobPayload(req.kind, req.payload);
    const id = randomUUID();
    const view = await new JobsRepository(tx).insert({
      id,
      kind: req.kind,
      machineId: req.machineId ?? null,
      requestedBy: req.actor,
      payload: payload as object,
      ...(req.priority === undefined ? {} : { priority: req.priority }),
    });
    await this.queue.send(
      { jobId: id, kind: req.kind, machineId: req.machineId ?? null, payload },
      { executor: sqlExecutor(tx), ...(req.priority === undefined ? {} : { priority: req.priority }) },
    );
    if (req.machineId) {
      await new MachineEventsRepository(tx).insert({
        machineId: req.machineId,
        eventType: 'job.queued',
        actor: req.actor,
        jobId: id,
        message: `${req.kind} queued`,
      });
    }
    return view;
  }

  /**
   * The fan-out path: many jobs of one kind in one transaction, two statements whatever their number (one insert
   * into `jobs`, one batch insert into pg-boss), never a loop of sends.
   */
  async enqueueMany<K extends JobKind>(
    kind: K,
    items: { payload: JobPayload<K>; machineId?: string | null }[],
    actor: Actor,
  ): Promise<string[]> {
    const jobs = items.map((i) => ({
      id: randomUUID(),
      payload: parseJobPayload(kind, i.payload),
      machineId: i.machineId ?? null,
    }));
    await this.db.transaction(async (tx) => {
      await new JobsRepository(tx).insertMany(
        jobs.map((j) => ({ id: j.id, kind, machineId: j.machineId, requestedBy: actor, payload: j.payload as object })),
      );
      await this.queue.sendMany(
        kind,
        jobs.map((j) => ({ jobId: j.id, kind, machineId: j.machineId, payload: j.payload })),
        { executor: sqlExecutor(tx) },
      );
    });
    return jobs.map((j) => j.id);
  }

  async find(id: string): Promise<JobView | null> {
    return new JobsRepository(this.db.prisma).findView(id);
  }

  async list(filter: Parameters<JobsRepository['list']>[0]): Promise<JobView[]> {
    return new JobsRepository(this.db.prisma).list(filter);
  }
}
