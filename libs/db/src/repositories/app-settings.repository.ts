import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export class AppSettingsRepository {
  constructor(private readonly db: DbClient) {}

  async get(key: string): Promise<unknown> {
    const row = await this.db.appSetting.findUnique({ where: { key } });
    return row?.valueJson ?? null;
  }

  async set(key: string, value: Prisma.InputJsonValue, updatedBy: string | null): Promise<void> {
    await this.db.appSetting.upsert({
      where: { key },
      create: { key, valueJson: value, updatedBy },
      update: { valueJson: value, updatedBy },
    });
  }
}
