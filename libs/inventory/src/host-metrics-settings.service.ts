import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { DEFAULT_HOST_METRICS_SETTINGS, type Actor, type HostMetricsSettings } from '@su/contracts';
import { AppSettingsRepository, Database, MachineEventsRepository, type DbClient } from '@su/db';

const KEY = 'host_metrics';
export const MIN_INTERVAL_SECONDS = 10;

/** Reads the host-metrics settings (`app_settings`, key `host_metrics`) with a client of the caller's choosing. */
export async function readHostMetricsSettings(db: DbClient): Promise<HostMetricsSettings> {
  const stored = ((await new AppSettingsRepository(db).get(KEY)) ?? {}) as Partial<HostMetricsSettings>;
  return { ...DEFAULT_HOST_METRICS_SETTINGS, ...stored };
}

/** The host-metrics settings in `app_settings`: sample interval and disk threshold (ADR 0044). */
@Injectable()
export class HostMetricsSettingsService {
  constructor(@Inject(Database) private readonly db: Database) {}

  get(): Promise<HostMetricsSettings> {
    return readHostMetricsSettings(this.db.prisma);
  }

  async set(s: HostMetricsSettings, actor: Actor): Promise<HostMetricsSettings> {
    // A sample every few seconds per machine would be a flood, not a history.
    if (s.sampleIntervalSeconds > 0 && s.sampleIntervalSeconds < MIN_INTERVAL_SECONDS)
      throw new BadRequestException({
        message: 'invalid sampleIntervalSeconds',
        errors: [{ field: 'sampleIntervalSeconds', reasons: [`0 (off) or at least ${MIN_INTERVAL_SECONDS}`] }],
      });
    const value = { sampleIntervalSeconds: s.sampleIntervalSeconds, diskThresholdPercent: s.diskThresholdPercent };
    await this.db.transaction(async (tx) => {
      await new AppSettingsRepository(tx).set(KEY, value, actor.label ?? actor.id);
      await new MachineEventsRepository(tx).insert({
        machineId: null,
        eventType: 'settings.host_metrics',
        actor,
        message: 'host metrics settings changed',
        payload: value,
      });
    });
    return this.get();
  }
}
