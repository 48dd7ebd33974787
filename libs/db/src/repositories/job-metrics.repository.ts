import type { DbClient } from '../database.ts';

export interface JobCount {
  kind: string;
  status: string;
  count: number;
}

export interface QueueDepth {
  kind: string;
  queued: number;
  /** Seconds since the oldest queued job of the kind was created. */
  oldestAgeSeconds: number;
}

/** Job facts for /metrics, from the `jobs` table itself: true whichever worker process ran them. */
export class JobMetricsRepository {
  constructor(private readonly db: DbClient) {}

  async countsByKindAndStatus(): Promise<JobCount[]> {
    return this.db.$queryRawUnsafe<JobCount[]>(
      `SELECT kind, status, count(*)::int AS count FROM jobs GROUP BY kind, status ORDER BY kind, status`,
    );
  }

  async queueDepths(): Promise<QueueDepth[]> {
    return this.db.$queryRawUnsafe<QueueDepth[]>(
      `SELECT kind, count(*)::int AS queued,
              extract(epoch FROM now() - min(created_at))::float8 AS "oldestAgeSeconds"
       FROM jobs WHERE status = 'queued' GROUP BY kind ORDER BY kind`,
    );
  }
}
