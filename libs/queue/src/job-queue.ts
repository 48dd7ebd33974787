import { randomUUID } from 'node:crypto';
import { PgBoss, type Job, type JobWithMetadata } from 'pg-boss';
import {
  JOB_DEFINITIONS,
  JOB_KINDS,
  parseJobPayload,
  type JobKind,
  type JobMessage,
  type SqlExecutor,
} from '@su/contracts';
import { currentTraceCarrier, inSpan, SpanKind, SPAN_ATTR, withCarriedContext } from '@su/telemetry';
import { PreparedStatementsDb } from './prepared-statements.db.ts';
import { decodeQueueMessage } from './queue-message.ts';

export interface JobQueueOptions {
  url: string;
  applicationName: string;
  /** LISTEN/NOTIFY wakes workers at once; without it they wait up to `pollingIntervalSeconds` between fetches. */
  listenNotify: boolean;
  pollingIntervalSeconds: number;
  /** Maintenance (expiry, archiving) runs in every instance but pg-boss elects one at a time. */
  supervise?: boolean;
  maxConnections?: number;
  onError?: (err: unknown) => void;
}

export interface SendOptions {
  /** Write the pg-boss job in this transaction (the one that writes the `jobs` row). */
  executor: SqlExecutor;
  priority?: number;
  startAfter?: Date;
}

/**
 * Internal tasks: deliveries that have no `jobs` row and take no machine lock (a notification to send). pg-boss
 * retries a failed one itself, with exponential backoff. Persisted queue names: never rename.
 */
export const TASK_QUEUES = ['notify.deliver'] as const;
export type TaskQueue = (typeof TASK_QUEUES)[number];

export interface TaskRetry {
  /** Retries after the first attempt. */
  limit: number;
  /** The first retry's delay; each next one doubles (pg-boss `retryBackoff`, with jitter), up to `maxDelaySeconds`. */
  delaySeconds: number;
  maxDelaySeconds: number;
}

/** Which attempt this delivery of a task is: `retryCount` 0 is the first, `retryLimit` the last. */
export interface TaskAttempt {
  retryCount: number;
  retryLimit: number;
}

export type TaskHandler = (data: Record<string, unknown>, attempt: TaskAttempt) => Promise<void>;

/** One pg-boss delivery of a `jobs` row. */
export interface QueueDelivery {
  deliveryId: string;
  kind: JobKind;
  jobId: string;
  data: object;
}

export type QueueHandler<K extends JobKind> = (message: JobMessage<K>, signal: AbortSignal) => Promise<void>;

/**
 * The only user of pg-boss. Queue names are the job kinds of @su/contracts; every message is validated against its
 * kind's schema when sent and again when received (a message written by an older or newer release must not reach a
 * handler unchecked).
 */
export class JobQueue {
  private readonly boss: PgBoss;
  private started = false;

  constructor(private readonly opts: JobQueueOptions) {
    this.boss = new PgBoss({
      // pg-boss's own pool, its repeated statements prepared (ADR 0062); it opens and closes it as its own.
      db: new PreparedStatementsDb({
        connectionString: opts.url,
        application_name: opts.applicationName,
        max: opts.maxConnections ?? 5,
      }),
      useListenNotify: opts.listenNotify,
      supervise: opts.supervise ?? true,
      // Our own migrations own the product schema; pg-boss owns and migrates `pgboss`.
      migrate: true,
      // Schedules are the scheduler service's job (exactly-once per slot in our tables), not pg-boss cron.
      schedule: false,
    });
    this.boss.on('error', (err) => opts.onError?.(err));
  }

  async start(): Promise<void> {
    await this.boss.start({ attempts: 5 });
    // Every process creates every queue: creation is idempotent, and a sender must not depend on a worker having
    // started first.
    for (const kind of JOB_KINDS) {
      await this.boss.createQueue(kind, { notify: true, retryLimit: 0 });
    }
    for (const name of TASK_QUEUES) await this.boss.createQueue(name, { notify: true });
    this.started = true;
  }

  /** Queues a task; with `executor`, inside the caller's transaction (the row that tracks it commits with it). */
  async sendTask(
    name: TaskQueue,
    data: Record<string, unknown>,
    opts: { retry: TaskRetry; executor?: SqlExecutor },
  ): Promise<void> {
    await this.boss.send(name, data, {
      retryLimit: opts.retry.limit,
      retryDelay: opts.retry.delaySeconds,
      retryBackoff: true,
      retryDelayMax: opts.retry.maxDelaySeconds,
      ...(opts.executor ? { db: opts.executor } : {}),
    });
  }

  /**
   * Consumes a task queue. A new task wakes the worker by NOTIFY; a handler that throws is retried by pg-boss
   * (TaskRetry), and a retry becomes due without a NOTIFY, so the worker also polls every `pollingIntervalSeconds`
   * (pg-boss's backstop with NOTIFY on is otherwise 30 s, which would stretch every backoff).
   */
  async workTask(
    name: TaskQueue,
    opts: { concurrency: number; pollingIntervalSeconds: number },
    handler: TaskHandler,
  ): Promise<void> {
    await this.boss.work<Record<string, unknown>>(
      name,
      {
        batchSize: 1,
        localConcurrency: opts.concurrency,
        pollingIntervalSeconds: opts.pollingIntervalSeconds,
        notifyPollingIntervalSeconds: opts.pollingIntervalSeconds,
        includeMetadata: true,
      },
      async (jobs) => {
        // includeMetadata: pg-boss hands each job with its retry counters.
        for (const job of jobs as JobWithMetadata<Record<string, unknown>>[]) {
          await handler(job.data, { retryCount: job.retryCount, retryLimit: job.retryLimit });
        }
      },
    );
  }

  isStarted(): boolean {
    return this.started;
  }

  /** Round trip to the queue's tables; used by readiness checks. */
  async ping(): Promise<void> {
    // Every process creates every queue at start, so this one exists.
    await this.boss.getQueue('system.selftest');
  }

  /**
   * Sends one job. The sender's trace context travels in the job's data (`trace`: W3C traceparent), so the worker's
   * spans continue the request's trace; without an SDK nothing is added.
   */
  async send<K extends JobKind>(message: JobMessage<K>, opts: SendOptions): Promise<void> {
    const payload = parseJobPayload(message.kind, message.payload);
    await inSpan(`queue send ${message.kind}`, producerSpan(message), async () => {
      const trace = currentTraceCarrier();
      await this.boss.send(
        message.kind,
        {
          jobId: message.jobId,
          kind: message.kind,
          machineId: message.machineId,
          payload,
          ...(trace ? { trace } : {}),
        },
        {
          id: message.jobId,
          db: opts.executor,
          ...(opts.priority === undefined ? {} : { priority: opts.priority }),
          ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
        },
      );
    });
  }

  /**
   * Delivers the same `jobs` row again after a delay (its machine is busy). A new pg-boss job, since the current
   * delivery completes normally; the handler's queued → running check keeps a double delivery harmless.
   */
  async requeue<K extends JobKind>(message: JobMessage<K>, delaySeconds: number): Promise<void> {
    // Called inside the delivery's span: the next delivery continues the same trace.
    const trace = currentTraceCarrier();
    await this.boss.send(
      message.kind,
      {
        jobId: message.jobId,
        kind: message.kind,
        machineId: message.machineId,
        payload: message.payload,
        ...(trace ? { trace } : {}),
      },
      { id: randomUUID(), startAfter: delaySeconds },
    );
    // A delayed job sends no NOTIFY when it becomes due; without this the workers would find it only at their next
    // backstop poll (30 s). Another worker process falls back to that poll.
    setTimeout(() => this.wakeWorkers(message.kind), delaySeconds * 1000 + 50).unref();
  }

  /** The batch path: one statement for many jobs of one kind (fan-out of a schedule run). */
  async sendMany<K extends JobKind>(kind: K, messages: JobMessage<K>[], opts: SendOptions): Promise<void> {
    if (messages.length === 0) return;
    // One context for the batch: the fan-out's trace (a schedule run's firing), carried by each of its jobs.
    const trace = currentTraceCarrier();
    await this.boss.insert(
      kind,
      messages.map((m) => ({
        id: m.jobId,
        data: {
          jobId: m.jobId,
          kind,
          machineId: m.machineId,
          payload: parseJobPayload(kind, m.payload),
          ...(trace ? { trace } : {}),
        },
        ...(opts.priority === undefined ? {} : { priority: opts.priority }),
      })),
      { db: opts.executor },
    );
  }

  /**
   * Deliveries of these kinds taken by a worker more than `olderThanSeconds` ago and not settled. Job kinds have no
   * pg-boss retry and pg-boss expires an active delivery only after 15 minutes, so a worker that died between taking
   * a delivery and starting its job would leave that job queued with nothing to deliver it; the caller decides which
   * of these are stranded (their job never started) and hands them to `redeliver`.
   */
  async activeDeliveries(kinds: readonly JobKind[], olderThanSeconds: number, limit = 500): Promise<QueueDelivery[]> {
    const rows = (await this.boss.getDb().executeSql(
      `SELECT id, name, data FROM pgboss.job
        WHERE name = ANY($1::text[]) AND state = 'active' AND started_on < now() - make_interval(secs => $2::double precision)
        LIMIT $3::int`,
      [kinds, olderThanSeconds, limit],
    )) as { rows: { id: string; name: JobKind; data: { jobId?: unknown } }[] };
    return rows.rows
      .filter((r) => typeof r.data?.jobId === 'string')
      .map((r) => ({ deliveryId: r.id, kind: r.name, jobId: r.data.jobId as string, data: r.data }));
  }

  /**
   * Ends a stranded delivery as failed and sends its job again. Only the caller that moved it out of `active` sends
   * (pg-boss counts the rows it failed), so two workers sweeping at once cannot deliver the job twice.
   */
  async redeliver(delivery: QueueDelivery): Promise<boolean> {
    const failed = await this.boss.fail(delivery.kind, delivery.deliveryId, {
      message: 'its worker was lost before the job started; delivered again',
    });
    // pg-boss 12 counts the rows it failed in `affected` but types the answer as an empty interface; the int-spec
    // (stranded-deliveries) pins the field.
    if ((failed as { affected?: number }).affected !== 1) return false;
    await this.boss.send(delivery.kind, delivery.data, { id: randomUUID() });
    return true;
  }

  /**
   * Registers the handler of one kind. A message that fails validation never reaches the handler: `onInvalid` gets
   * its id and the reason, so the job can be closed with a visible error instead of vanishing.
   */
  async work<K extends JobKind>(
    kind: K,
    opts: { concurrency: number; onInvalid: (jobId: string, error: Error) => Promise<void> },
    handler: QueueHandler<K>,
  ): Promise<void> {
    if (!Object.hasOwn(JOB_DEFINITIONS, kind)) throw new Error(`unknown job kind ${kind}`);
    await this.boss.work<unknown>(
      kind,
      {
        batchSize: 1,
        localConcurrency: opts.concurrency,
        pollingIntervalSeconds: this.opts.pollingIntervalSeconds,
      },
      async (jobs: Job<unknown>[]) => {
        for (const job of jobs) {
          let message: JobMessage<K>;
          try {
            message = decodeQueueMessage(kind, job.id, job.data);
          } catch (e) {
            await opts.onInvalid(job.id, e as Error);
            continue;
          }
          try {
            await withCarriedContext((job.data as { trace?: unknown }).trace, () =>
              inSpan(`queue process ${kind}`, { ...producerSpan(message), kind: SpanKind.CONSUMER }, () =>
                handler(message, job.signal),
              ),
            );
          } finally {
            this.wakeWorkers(kind, { busyOnly: true });
          }
        }
      },
    );
  }

  /**
   * pg-boss ignores its burst mode at batchSize 1, so after a job a worker waits its whole poll interval (30 s with
   * NOTIFY) before fetching again, unless a new NOTIFY arrives. A backlog (a schedule's fan-out, jobs queued behind
   * a long apply) would then drain one job per interval. Waking this queue's workers after each job makes them
   * fetch again at once (after a job, the busy ones: `busyOnly`); an empty fetch puts them back to waiting.
   */
  private wakeWorkers(kind: string, opts: { busyOnly?: boolean } = {}): void {
    for (const w of this.boss.getWipData()) {
      // After a job, only workers holding a job need the flag (this one among them): an idle worker's last fetch
      // found the queue empty, and new jobs wake it by NOTIFY. Waking every idle worker after every job made each
      // of the read-only kinds' 64 fetch again for nothing, about 64 queries per finished job at a pass's end.
      if (w.name === kind && (!opts.busyOnly || w.count > 0)) this.boss.notifyWorker(w.id);
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, timeout: 10_000, close: true });
  }
}

/** The queue's span of one job (sent or delivered): its id, kind and machine, nothing of its payload. */
function producerSpan(message: JobMessage): { kind: SpanKind; attributes: Record<string, string> } {
  return {
    kind: SpanKind.PRODUCER,
    attributes: {
      [SPAN_ATTR.jobId]: message.jobId,
      [SPAN_ATTR.jobKind]: message.kind,
      ...(message.machineId ? { [SPAN_ATTR.machineId]: message.machineId } : {}),
      'messaging.system': 'pg-boss',
    },
  };
}
