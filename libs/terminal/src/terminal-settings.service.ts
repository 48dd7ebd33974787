import { Inject, Injectable } from '@nestjs/common';
import type { Actor, TerminalSettings } from '@su/contracts';
import { AppSettingsRepository, Database, MachineEventsRepository, type DbClient } from '@su/db';

/** `app_settings` key of the web terminal's settings (one JSON object). */
export const TERMINAL_SETTING = 'terminal';

export const TERMINAL_DEFAULTS: TerminalSettings = {
  enabled: false,
  idleTimeoutSeconds: 900,
  maxDurationSeconds: 4 * 3600,
  logInput: false,
};

export const TERMINAL_LIMITS = { minSeconds: 10, maxSeconds: 24 * 3600 } as const;

function read(value: unknown): TerminalSettings {
  const v = (value && typeof value === 'object' ? value : {}) as Partial<Record<keyof TerminalSettings, unknown>>;
  const seconds = (x: unknown, fallback: number) =>
    typeof x === 'number' && Number.isInteger(x) && x >= TERMINAL_LIMITS.minSeconds && x <= TERMINAL_LIMITS.maxSeconds
      ? x
      : fallback;
  return {
    enabled: v.enabled === true,
    idleTimeoutSeconds: seconds(v.idleTimeoutSeconds, TERMINAL_DEFAULTS.idleTimeoutSeconds),
    maxDurationSeconds: seconds(v.maxDurationSeconds, TERMINAL_DEFAULTS.maxDurationSeconds),
    logInput: v.logInput === true,
  };
}

/** The web terminal's settings, as an administrator set them (ADR 0043). */
@Injectable()
export class TerminalSettingsService {
  constructor(@Inject(Database) private readonly db: Database) {}

  async get(client: DbClient = this.db.prisma): Promise<TerminalSettings> {
    return read(await new AppSettingsRepository(client).get(TERMINAL_SETTING));
  }

  async set(settings: TerminalSettings, actor: Actor): Promise<TerminalSettings> {
    const value = read(settings);
    await this.db.transaction(async (tx) => {
      await new AppSettingsRepository(tx).set(TERMINAL_SETTING, { ...value }, actor.label ?? actor.id);
      await new MachineEventsRepository(tx).insert({
        machineId: null,
        eventType: 'settings.terminal',
        actor,
        message: `web terminal ${value.enabled ? 'enabled' : 'disabled'}; input logging ${value.logInput ? 'on' : 'off'}`,
        payload: { ...value },
      });
    });
    return this.get();
  }
}
