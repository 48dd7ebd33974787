import { randomUUID } from 'node:crypto';
import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  isJobKind,
  parseJobPayload,
  type Actor,
  type JobKind,
  type JobPayload,
  type JobSummaryView,
  type JobView,
} from '@su/contracts';
import { Database, JobsRepository, MachineEventsRepository, MachinesRepository, sqlExecutor, type Tx } from '@su/db';
import { JobQueue } from '@su/queue';
import { JobCloseHooks } from './job-close.hooks.ts';

export interface EnqueueRequest<K extends JobKind> {
  kind: K;
  payload: JobPayload<K>;
  machineId?: string | null;
  actor: Actor;
  priority?: number;
  retryOfJobId?: string;
  /** The approved action request this job carries out. */
  requestId?: string;
  /** A part of a maintenance run: the run's job, whose machine lock it runs under (ADR 0031). */
  parentJobId?: string;
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
    @Inject(JobCloseHooks) private readonly hooks: JobCloseHooks,
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
      ...(req.retryOfJobId ? { retryOfJobId: req.retryOfJobId } : {}),
      ...(req.requestId ? { requestId: req.requestId } : {}),
      ...(req.parentJobId ? { parentJobId: req.parentJobId } : {}),
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

  /**
   * Cancels a job: a queued one at once; a running one by request — the worker running it stops the remote command,
   * ends the job `cancelled` and releases the machine. A finished job cannot be cancelled (409).
   */
  async cancel(id: string, actor: Actor): Promise<JobView> {
    const by = actor.label ?? actor.id ?? actor.type;
    await this.db.transaction(async (tx) => {
      const jobs = new JobsRepository(tx);
      const job = await jobs.findView(id);
      if (!job) throw new NotFoundException(`job ${id} not found`);
      const done = (await jobs.cancelQueued(id, by))
        ? 'cancelled'
        : (await jobs.requestCancel(id, by))
          ? 'cancel_requested'
          : null;
      if (!done)
        throw new ConflictException(
          `job ${id} is ${job.status}; only waiting, queued or running jobs can be cancelled`,
        );
      if (done === 'cancelled') await this.hooks.closed(tx, id);
      if (job.machineId) {
        await new MachineEventsRepository(tx).insert({
          machineId: job.machineId,
          eventType: `job.${done}`,
          severity: 'warning',
          actor,
          jobId: id,
          message: `${job.kind} ${done === 'cancelled' ? 'cancelled before it started' : 'cancel requested'}`,
        });
      }
    });
    return this.mustFind(id);
  }

  /** A job that was just written in a committed transaction; its absence is a bug, not a 404. */
  private async mustFind(id: string): Promise<JobView> {
    const job = await this.find(id);
    if (!job) throw new Error(`job ${id} vanished after it was written`);
    return job;
  }

  /** A failed or cancelled job again, as a new job (same kind, machine and payload) that points at the old one. */
  async retry(id: string, actor: Actor): Promise<JobView> {
    const job = await this.find(id);
    if (!job) throw new NotFoundException(`job ${id} not found`);
    if (job.status !== 'error' && job.status !== 'cancelled')
      throw new ConflictException(`job ${id} is ${job.status}; only failed or cancelled jobs can be retried`);
    if (!isJobKind(job.kind))
      throw new ConflictException(`job ${id} has kind ${job.kind}, which this version does not run`);
    if (job.machineId && !(await new MachinesRepository(this.db.prisma).exists(job.machineId)))
      throw new ConflictException(`job ${id} ran on a machine that has since been deleted; it cannot run again`);
    return this.enqueue({
      kind: job.kind,
      payload: parseJobPayload(job.kind, job.payload),
      machineId: job.machineId,
      actor,
      retryOfJobId: id,
    });
  }

  async find(id: string): Promise<JobView | null> {
    return new JobsRepository(this.db.prisma).findView(id);
  }

  async list(filter: Parameters<JobsRepository['list']>[0]): Promise<JobSummaryView[]> {
    return new JobsRepository(this.db.prisma).list(filter);
  }
}
