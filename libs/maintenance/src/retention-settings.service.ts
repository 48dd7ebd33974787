import { Inject, Injectable } from '@nestjs/common';
import { DEFAULT_RETENTION, type Actor, type RetentionSettings } from '@su/contracts';
import { AppSettingsRepository, Database, MachineEventsRepository } from '@su/db';

const KEY = 'retention';

/** The rules a PUT sends: the later ones may be left out. */
export type RetentionSettingsInput = Omit<RetentionSettings, 'hostMetrics' | 'terminal'> & Partial<RetentionSettings>;

/** The retention rules in `app_settings` (key `retention`); what is not set takes its default. */
@Injectable()
export class RetentionSettingsService {
  constructor(@Inject(Database) private readonly db: Database) {}

  async get(): Promise<RetentionSettings> {
    const stored = ((await new AppSettingsRepository(this.db.prisma).get(KEY)) ?? {}) as Partial<RetentionSettings>;
    return {
      ...DEFAULT_RETENTION,
      ...stored,
      history: { ...DEFAULT_RETENTION.history, ...(stored.history ?? {}) },
      hostMetrics: { ...DEFAULT_RETENTION.hostMetrics, ...(stored.hostMetrics ?? {}) },
      terminal: { ...DEFAULT_RETENTION.terminal, ...(stored.terminal ?? {}) },
    };
  }

  /** A rule the request leaves out (hostMetrics, terminal: added later than the others) keeps its stored value. */
  async set(input: RetentionSettingsInput, actor: Actor): Promise<RetentionSettings> {
    const stored = await this.get();
    const s: RetentionSettings = {
      ...input,
      hostMetrics: input.hostMetrics ?? stored.hostMetrics,
      terminal: input.terminal ?? stored.terminal,
    };
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
