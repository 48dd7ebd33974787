import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_RETENTION, type Actor, type RetentionSettings } from '@su/contracts';
import { AppSettingsRepository, Database, MachineEventsRepository } from '@su/db';

const KEY = 'retention';

/** The retention rules in `app_settings` (key `retention`); what is not set takes its default. */
@Injectable()
export class RetentionSettingsService {
  constructor(@Inject(Database) private readonly db: Database) {}

  async get(): Promise<RetentionSettings> {
    const stored = ((await new AppSettingsRepository(this.db.prisma).get(KEY)) ?? {}) as Partial<RetentionSettings>;
    return { ...DEFAULT_RETENTION, ...stored, history: { ...DEFAULT_RETENTION.history, ...(stored.history ?? {}) } };
  }

  async set(s: RetentionSettings, actor: Actor): Promise<RetentionSettings> {
    await this.db.transaction(async (tx) => {
      await new AppSettingsRepository(tx).set(KEY, { ...s }, actor.label ?? actor.id);
      await new MachineEventsRepository(tx).insert({
        machineId: null,
        eventType: 'settings.retention',
        actor,
        message: 'retention rules changed',
        payload: { ...s },
      });
    });
    return this.get();
  }
}
