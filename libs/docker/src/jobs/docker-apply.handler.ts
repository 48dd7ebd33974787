import { Inject, Injectable } from '@nestjs/common';
import type { JobResult } from '@su/contracts';
import { machineJob, type JobContext, type JobHandler } from '@su/platform';
import { DockerApplyService } from './docker-apply.service.ts';

@Injectable()
export class DockerApplyHandler implements JobHandler<'docker.apply'> {
  readonly kind = 'docker.apply' as const;

  constructor(@Inject(DockerApplyService) private readonly service: DockerApplyService) {}

  async handle(ctx: JobContext<'docker.apply'>): Promise<JobResult<'docker.apply'>> {
    const { machineId, jobId } = machineJob(ctx);
    const p = ctx.message.payload;
    return this.service.apply({ machineId, jobId, ...p, signal: ctx.signal });
  }
}
