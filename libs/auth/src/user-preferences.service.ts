import { Inject, Injectable } from '@nestjs/common';
import { Database, UserPreferencesRepository, type UserPreferencesRow } from '@su/db';
import type { UserPreferencesDto, UserPreferencesView } from './user-preferences.dto.ts';

const DEFAULTS: UserPreferencesDto = { theme: 'system', density: 'comfortable', language: 'en' };

/** A user's web UI preferences: the saved row, or the defaults until the first save. */
@Injectable()
export class UserPreferencesService {
  constructor(@Inject(Database) private readonly db: Database) {}

  async get(userId: string): Promise<UserPreferencesView> {
    const row = await new UserPreferencesRepository(this.db.prisma).find(userId);
    return row ? viewOf(row) : { ...DEFAULTS, updatedAt: null };
  }

  async put(userId: string, prefs: UserPreferencesDto): Promise<UserPreferencesView> {
    const { theme, density, language } = prefs;
    return viewOf(await new UserPreferencesRepository(this.db.prisma).upsert(userId, { theme, density, language }));
  }
}

// Rows hold only values the DTO allowed; the cast narrows the column's plain string back to them.
function viewOf(row: UserPreferencesRow): UserPreferencesView {
  return { ...(row as unknown as UserPreferencesDto), updatedAt: row.updatedAt.toISOString() };
}
