import type { DbClient } from '../database.ts';

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  role: string;
  isActive: boolean;
  mustChangePassword: boolean;
  /** Encrypted TOTP secret; a second factor is required only when `totpEnabledAt` is set too. */
  totpSecretEnc: string | null;
  totpEnabledAt: Date | null;
  totpLastStep: bigint | null;
}

/** What the API shows of a user: never the hash nor anything of the TOTP secret. */
export interface UserView {
  id: string;
  username: string;
  role: string;
  isActive: boolean;
  mustChangePassword: boolean;
  totpEnabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
  passwordChangedAt: string | null;
}

const RECORD = {
  id: true,
  username: true,
  passwordHash: true,
  role: true,
  isActive: true,
  mustChangePassword: true,
  totpSecretEnc: true,
  totpEnabledAt: true,
  totpLastStep: true,
} as const;

const VIEW = {
  id: true,
  username: true,
  role: true,
  isActive: true,
  mustChangePassword: true,
  totpEnabledAt: true,
  createdAt: true,
  lastLoginAt: true,
  passwordChangedAt: true,
} as const;

type ViewRow = {
  id: string;
  username: string;
  role: string;
  isActive: boolean;
  mustChangePassword: boolean;
  totpEnabledAt: Date | null;
  createdAt: Date;
  lastLoginAt: Date | null;
  passwordChangedAt: Date | null;
};

function toView(r: ViewRow): UserView {
  return {
    id: r.id,
    username: r.username,
    role: r.role,
    isActive: r.isActive,
    mustChangePassword: r.mustChangePassword,
    totpEnabled: r.totpEnabledAt !== null,
    createdAt: r.createdAt.toISOString(),
    lastLoginAt: r.lastLoginAt?.toISOString() ?? null,
    passwordChangedAt: r.passwordChangedAt?.toISOString() ?? null,
  };
}

export class UsersRepository {
  constructor(private readonly db: DbClient) {}

  async count(): Promise<number> {
    return this.db.user.count({ where: { deletedAt: null } });
  }

  async findByUsername(username: string): Promise<UserRecord | null> {
    return this.db.user.findFirst({ where: { username, deletedAt: null }, select: RECORD });
  }

  /** True when any user, deleted ones included, has this name. */
  async usernameTaken(username: string): Promise<boolean> {
    return (await this.db.user.count({ where: { username } })) > 0;
  }

  async findById(id: string): Promise<UserRecord | null> {
    return this.db.user.findFirst({ where: { id, deletedAt: null }, select: RECORD });
  }

  async create(input: {
    username: string;
    passwordHash: string;
    role: string;
    mustChangePassword?: boolean;
  }): Promise<{ id: string }> {
    return this.db.user.create({ data: input, select: { id: true } });
  }

  async list(): Promise<UserView[]> {
    const rows = await this.db.user.findMany({
      where: { deletedAt: null },
      orderBy: { username: 'asc' },
      select: VIEW,
    });
    return rows.map(toView);
  }

  async view(id: string): Promise<UserView | null> {
    const r = await this.db.user.findFirst({ where: { id, deletedAt: null }, select: VIEW });
    return r && toView(r);
  }

  /** Active admins other than `exceptId`: a change that would leave none is refused by the caller. */
  async countOtherActiveAdmins(exceptId: string): Promise<number> {
    return this.db.user.count({ where: { role: 'admin', isActive: true, deletedAt: null, id: { not: exceptId } } });
  }

  async setRole(id: string, role: string): Promise<void> {
    await this.db.user.update({ where: { id }, data: { role } });
  }

  async deactivate(id: string): Promise<void> {
    await this.db.user.update({ where: { id }, data: { isActive: false } });
  }

  async activate(id: string): Promise<void> {
    await this.db.user.update({ where: { id }, data: { isActive: true } });
  }

  async setPassword(id: string, passwordHash: string, mustChangePassword: boolean): Promise<void> {
    await this.db.user.update({
      where: { id },
      data: { passwordHash, mustChangePassword, passwordChangedAt: new Date() },
    });
  }

  /** Stores a TOTP secret awaiting confirmation (the factor is not required yet). */
  async setPendingTotp(id: string, totpSecretEnc: string): Promise<void> {
    await this.db.user.update({
      where: { id },
      data: { totpSecretEnc, totpEnabledAt: null, totpLastStep: null },
    });
  }

  async enableTotp(id: string, step: bigint): Promise<void> {
    await this.db.user.update({ where: { id }, data: { totpEnabledAt: new Date(), totpLastStep: step } });
  }

  async clearTotp(id: string): Promise<void> {
    await this.db.user.update({
      where: { id },
      data: { totpSecretEnc: null, totpEnabledAt: null, totpLastStep: null },
    });
  }

  /**
   * Records `step` as the last TOTP time step used, only if it is newer than the one recorded: false means the code
   * was already used (a replay, or a concurrent login with the same code that won).
   */
  async claimTotpStep(id: string, step: bigint): Promise<boolean> {
    const res = await this.db.user.updateMany({
      where: { id, OR: [{ totpLastStep: null }, { totpLastStep: { lt: step } }] },
      data: { totpLastStep: step },
    });
    return res.count === 1;
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

  async touchLogin(id: string): Promise<void> {
    await this.db.user.update({ where: { id }, data: { lastLoginAt: new Date() } });
  }
}
