import { Inject, Injectable } from '@nestjs/common';
import type { ApprovedPlan, JobMessage, JobResult } from '@su/contracts';
import { machineJob, type JobContext, type JobHandler } from '@su/platform';
import { AptApplyService, type AptApplyAction } from './apt-apply.service.ts';
import { DpkgRepairService } from './dpkg-repair.service.ts';

abstract class AptApplyHandlerBase {
  constructor(protected readonly apply: AptApplyService) {}

  protected run(
    ctx: { message: JobMessage; signal: AbortSignal },
    action: AptApplyAction,
    extra: { packages?: string[]; keepLocalConfig?: boolean; approvedPlan?: ApprovedPlan } = {},
  ) {
    return this.apply.apply({
      ...machineJob(ctx),
      action,
      signal: ctx.signal,
      ...extra,
    });
  }
}

@Injectable()
export class AptUpgradeHandler extends AptApplyHandlerBase implements JobHandler<'apt.upgrade'> {
  readonly kind = 'apt.upgrade' as const;
  constructor(@Inject(AptApplyService) apply: AptApplyService) {
    super(apply);
  }
  handle(ctx: JobContext<'apt.upgrade'>): Promise<JobResult<'apt.upgrade'>> {
    const p = ctx.message.payload;
    return this.run(ctx, 'apt_upgrade', {
      ...(p.packages ? { packages: p.packages } : {}),
      ...(p.keepLocalConfig === undefined ? {} : { keepLocalConfig: p.keepLocalConfig }),
      ...(p.approvedPlan ? { approvedPlan: p.approvedPlan } : {}),
    });
  }
}

@Injectable()
export class AptDistUpgradeHandler extends AptApplyHandlerBase implements JobHandler<'apt.dist_upgrade'> {
  readonly kind = 'apt.dist_upgrade' as const;
  constructor(@Inject(AptApplyService) apply: AptApplyService) {
    super(apply);
  }
  handle(ctx: JobContext<'apt.dist_upgrade'>): Promise<JobResult<'apt.dist_upgrade'>> {
    const p = ctx.message.payload;
    return this.run(ctx, 'apt_dist_upgrade', {
      ...(p.keepLocalConfig === undefined ? {} : { keepLocalConfig: p.keepLocalConfig }),
      ...(p.approvedPlan ? { approvedPlan: p.approvedPlan } : {}),
    });
  }
}

@Injectable()
export class AptAutoremoveHandler extends AptApplyHandlerBase implements JobHandler<'apt.autoremove'> {
  readonly kind = 'apt.autoremove' as const;
  constructor(@Inject(AptApplyService) apply: AptApplyService) {
    super(apply);
  }
  handle(ctx: JobContext<'apt.autoremove'>): Promise<JobResult<'apt.autoremove'>> {
    const p = ctx.message.payload;
    return this.run(ctx, 'apt_autoremove', p.approvedPlan ? { approvedPlan: p.approvedPlan } : {});
  }
}

@Injectable()
export class AptCleanHandler extends AptApplyHandlerBase implements JobHandler<'apt.clean'> {
  readonly kind = 'apt.clean' as const;
  constructor(@Inject(AptApplyService) apply: AptApplyService) {
    super(apply);
  }
  handle(ctx: JobContext<'apt.clean'>): Promise<JobResult<'apt.clean'>> {
    return this.run(ctx, 'apt_clean');
  }
}

@Injectable()
export class DpkgRepairHandler implements JobHandler<'apt.dpkg_repair'> {
  readonly kind = 'apt.dpkg_repair' as const;
  constructor(@Inject(DpkgRepairService) private readonly service: DpkgRepairService) {}
  handle(ctx: JobContext<'apt.dpkg_repair'>): Promise<JobResult<'apt.dpkg_repair'>> {
    return this.service.repair({ ...machineJob(ctx), signal: ctx.signal });
  }
}
