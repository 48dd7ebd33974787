import type { DbClient } from '../database.ts';

export interface UserPreferencesRow {
  theme: string;
  density: string;
  language: string;
  updatedAt: Date;
}

const columns = { theme: true, density: true, language: true, updatedAt: true } as const;

/** One row per user (`user_preferences`); absent until the user first saves. */
export class UserPreferencesRepository {
  constructor(private readonly db: DbClient) {}

  async find(userId: string): Promise<UserPreferencesRow | null> {
    return this.db.userPreferences.findUnique({ where: { userId }, select: columns });
  }

  async upsert(
    userId: string,
    prefs: { theme: string; density: string; language: string },
  ): Promise<UserPreferencesRow> {
    return this.db.userPreferences.upsert({
      where: { userId },
      create: { userId, ...prefs },
      update: prefs,
      select: columns,
    });
  }
}
