import type { JobKind, JobResult } from '@su/contracts';
import type { JobContext, JobHandler } from './job-handler.ts';

/**
 * The round-trip probe used by readiness checks and tests: proves that a job written by the gateway reaches the
 * owning worker and that the worker records the outcome.
 */
export class SelftestHandler<K extends 'system.selftest' | 'docker.selftest'> implements JobHandler<K> {
  constructor(
    readonly kind: K,
    private readonly service: string,
  ) {}

  async handle(ctx: JobContext<K>): Promise<JobResult<K>> {
    // Both selftest kinds share one result shape; TypeScript cannot see that through the generic K.
    return { echo: ctx.message.payload.echo ?? null, service: this.service, pid: process.pid } as JobResult<K>;
  }
}

export type SelftestKind = Extract<JobKind, `${string}.selftest`>;
