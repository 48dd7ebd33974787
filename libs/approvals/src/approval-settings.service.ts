import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@su/contracts';
import { AppSettingsRepository, Database, MachineEventsRepository, type DbClient } from '@su/db';

/** `app_settings` key: when true, whoever asked for an action may not approve it themselves (four eyes). */
export const DISTINCT_APPROVER_SETTING = 'approvals.require_distinct_approver';

export interface ApprovalSettings {
  requireDistinctApprover: boolean;
}

/** How approvals are decided, as an administrator set it. Off by default: a homelab often has one person. */
@Injectable()
export class ApprovalSettingsService {
  constructor(@Inject(Database) private readonly db: Database) {}

  async get(client: DbClient = this.db.prisma): Promise<ApprovalSettings> {
    const v = await new AppSettingsRepository(client).get(DISTINCT_APPROVER_SETTING);
    return { requireDistinctApprover: v === true };
  }

  async set(settings: ApprovalSettings, actor: Actor): Promise<ApprovalSettings> {
    await this.db.transaction(async (tx) => {
      await new AppSettingsRepository(tx).set(
        DISTINCT_APPROVER_SETTING,
        settings.requireDistinctApprover,
        actor.label ?? actor.id,
      );
      await new MachineEventsRepository(tx).insert({
        machineId: null,
        eventType: 'settings.approvals',
        actor,
        message: `approvals: the approver ${settings.requireDistinctApprover ? 'must differ from' : 'may be'} the requester`,
        payload: { requireDistinctApprover: settings.requireDistinctApprover },
      });
    });
    return this.get();
  }
}
