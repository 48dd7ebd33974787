import type { DbClient } from '../database.ts';

export interface OidcLinkedUser {
  userId: string;
  username: string;
  role: string;
  isActive: boolean;
  deleted: boolean;
}

/** Links between an OpenID Connect identity (issuer + subject) and a `users` row. */
export class OidcIdentitiesRepository {
  constructor(private readonly db: DbClient) {}

  /** Serialises sign-ins of one identity until the transaction ends (two first sign-ins must not make two users). */
  async lock(issuer: string, subject: string): Promise<void> {
    await this.db
      .$executeRaw`SELECT pg_advisory_xact_lock(hashtext('su:oidc-identity:' || ${issuer} || ' ' || ${subject}))`;
  }

  /** The user this identity signed in as before, deleted or deactivated ones included (the caller refuses them). */
  async findUser(issuer: string, subject: string): Promise<OidcLinkedUser | null> {
    const row = await this.db.oidcIdentity.findUnique({
      where: { issuer_subject: { issuer, subject } },
      select: { user: { select: { id: true, username: true, role: true, isActive: true, deletedAt: true } } },
    });
    return (
      row && {
        userId: row.user.id,
        username: row.user.username,
        role: row.user.role,
        isActive: row.user.isActive,
        deleted: row.user.deletedAt !== null,
      }
    );
  }

  async create(input: { issuer: string; subject: string; userId: string }): Promise<void> {
    await this.db.oidcIdentity.create({ data: { ...input, lastLoginAt: new Date() } });
  }

  async touchLogin(issuer: string, subject: string): Promise<void> {
    await this.db.oidcIdentity.update({
      where: { issuer_subject: { issuer, subject } },
      data: { lastLoginAt: new Date() },
    });
  }
}
