import { Inject, Injectable } from '@nestjs/common';
import { MACHINE_ACTIONS, type JobKind, type JobKindOf, type JobResult } from '@su/contracts';
import { machineJob, type JobContext, type JobHandler } from '@su/platform';
import { APT_APPLY_ACTIONS, type AptApplyAction } from './apt-apply.recipes.ts';
import { AptApplyService } from './apt-apply.service.ts';
import { DpkgRepairService } from './dpkg-repair.service.ts';

/** A handler made from a row of the table: the job kind and how it runs. */
class TableJobHandler<K extends JobKind> implements JobHandler<K> {
  constructor(
    readonly kind: K,
    private readonly run: (ctx: JobContext<K>) => Promise<JobResult<K>>,
  ) {}

  handle(ctx: JobContext<K>): Promise<JobResult<K>> {
    return this.run(ctx);
  }
}

/**
 * The handlers of the APT jobs that change a machine, one per job kind (contracts `MACHINE_ACTIONS`): every apply of
 * APT_APPLIES runs AptApplyService with its job's payload (packages, keepLocalConfig, approvedPlan, as the kind
 * allows), and dpkg_repair runs DpkgRepairService.
 */
@Injectable()
export class AptApplyHandlers {
  readonly handlers: readonly JobHandler[];

  constructor(
    @Inject(AptApplyService) apply: AptApplyService,
    @Inject(DpkgRepairService) repair: DpkgRepairService,
  ) {
    const applies = APT_APPLY_ACTIONS.map(
      (action) =>
        new TableJobHandler<JobKindOf<AptApplyAction>>(MACHINE_ACTIONS[action].kind, (ctx) =>
          apply.apply({ ...machineJob(ctx), ...ctx.message.payload, action, signal: ctx.signal }),
        ),
    );
    const dpkgRepair = new TableJobHandler(MACHINE_ACTIONS.dpkg_repair.kind, (ctx) =>
      repair.repair({ ...machineJob(ctx), signal: ctx.signal }),
    );
    this.handlers = [...applies, dpkgRepair] as JobHandler[];
  }
}
