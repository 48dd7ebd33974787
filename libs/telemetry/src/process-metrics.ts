import promClient from 'prom-client';

// prom-client is CommonJS and Node's export detection misses some of its names once bundled: take everything from
// the default export.
const { Counter, Gauge, Histogram, Registry } = promClient;

const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const JOB_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const DELAY_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60];

/** What a database pool tells about itself (pg.Pool's counters), without this lib knowing pg. */
export interface PoolCounters {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

const pools = new Map<string, PoolCounters>();

/**
 * The metrics this process observes, in one registry per process. The gateway serves its own live and the other
 * processes' as they last published them (docs/adr/0034). Label values are kinds and outcomes, never ids: a label
 * per machine would grow the series with the fleet.
 */
export const processRegistry = new Registry();

export const METRICS = {
  sshConnectSeconds: new Histogram({
    name: 'su_ssh_connect_seconds',
    help: 'SSH connection set-up (TCP, key exchange, host key, authentication), by outcome.',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [processRegistry],
  }),
  sshCommandSeconds: new Histogram({
    name: 'su_ssh_command_seconds',
    help: 'One remote command on an open connection, by outcome (ok, nonzero exit, error).',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [processRegistry],
  }),
  jobDurationSeconds: new Histogram({
    name: 'su_job_duration_seconds',
    help: 'Jobs from start to end in a worker, by kind and final status.',
    labelNames: ['kind', 'status'] as const,
    buckets: JOB_BUCKETS,
    registers: [processRegistry],
  }),
  lockWaits: new Counter({
    name: 'su_machine_lock_waits_total',
    help: 'Deliveries that found their machine locked by another job and were put back to wait, by job kind.',
    labelNames: ['kind'] as const,
    registers: [processRegistry],
  }),
  lockAcquireSeconds: new Histogram({
    name: 'su_machine_lock_acquire_seconds',
    help: 'Taking (or failing to take) a machine lock, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [processRegistry],
  }),
  errors: new Counter({
    name: 'su_errors_total',
    help: 'Failures by where they happened (job, ssh, http) and their classified kind.',
    labelNames: ['source', 'kind'] as const,
    registers: [processRegistry],
  }),
  sseClients: new Gauge({
    name: 'su_sse_clients',
    help: 'Open live-event streams (SSE) on this gateway.',
    registers: [processRegistry],
  }),
  schedulerFiringDelaySeconds: new Histogram({
    name: 'su_scheduler_firing_delay_seconds',
    help: 'From a schedule slot to its run being fired.',
    buckets: DELAY_BUCKETS,
    registers: [processRegistry],
  }),
  dbPool: new Gauge({
    name: 'su_db_pool_connections',
    help: 'Database pool connections of each service in this process, by state (total, idle, waiting clients).',
    labelNames: ['service', 'state'] as const,
    registers: [processRegistry],
    collect() {
      this.reset();
      for (const [service, p] of pools) {
        this.set({ service, state: 'total' }, p.totalCount);
        this.set({ service, state: 'idle' }, p.idleCount);
        this.set({ service, state: 'waiting' }, p.waitingCount);
      }
    },
  }),
};

/** Reports this pool under `su_db_pool_connections{service}` until `unregister` is called. */
export function registerPoolMetrics(service: string, pool: PoolCounters): () => void {
  pools.set(service, pool);
  return () => {
    if (pools.get(service) === pool) pools.delete(service);
  };
}

/** Seconds since a `performance.now()` reading. */
export function secondsSince(startMs: number): number {
  return (performance.now() - startMs) / 1000;
}
