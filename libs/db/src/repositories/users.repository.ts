import type { DbClient } from '../database.ts';

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  role: string;
  isActive: boolean;
}

export class UsersRepository {
  constructor(private readonly db: DbClient) {}

  async count(): Promise<number> {
    return this.db.user.count({ where: { deletedAt: null } });
  }

  async findByUsername(username: string): Promise<UserRecord | null> {
    return this.db.user.findFirst({
      where: { username, deletedAt: null },
      select: { id: true, username: true, passwordHash: true, role: true, isActive: true },
    });
  }

  async create(input: { username: string; passwordHash: string; role: string }): Promise<{ id: string }> {
    return this.db.user.create({ data: input, select: { id: true } });
  }

  /**
   * Creates the user unless the username is taken (by any row, deleted ones included: the name is unique for
   * good); null when taken. ON CONFLICT DO NOTHING, so the caller's transaction survives a taken name.
   */
  async createIfUsernameFree(input: {
    username: string;
    passwordHash: string;
    role: string;
  }): Promise<{ id: string } | null> {
    const rows = await this.db.user.createManyAndReturn({ data: [input], skipDuplicates: true, select: { id: true } });
    return rows[0] ?? null;
  }

  async setRole(id: string, role: string): Promise<void> {
    await this.db.user.update({ where: { id }, data: { role } });
  }

  async touchLogin(id: string): Promise<void> {
    await this.db.user.update({ where: { id }, data: { lastLoginAt: new Date() } });
  }
}
