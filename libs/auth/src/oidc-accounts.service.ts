import { Inject, Injectable } from '@nestjs/common';
import type { Actor, UserRole } from '@su/contracts';
import { Database, MachineEventsRepository, OidcIdentitiesRepository, UsersRepository, type Tx } from '@su/db';
import { generatePassword, hashPassword } from '@su/security';
import { usernameCandidates, usernameFromClaims } from './oidc-claims.ts';
import type { OidcIdentityClaims } from './oidc-client.service.ts';

export interface OidcUser {
  id: string;
  username: string;
  role: UserRole;
}

export type OidcAccountOutcome =
  | { ok: true; user: OidcUser; created: boolean }
  | { ok: false; reason: 'deactivated'; userId: string; username: string };

/**
 * The `users` row behind an OIDC identity: found through `oidc_identities` (issuer + subject), created at the first
 * sign-in, its role set from the groups at each sign-in. Never linked to an existing user by name: a provider
 * account called "admin" must not become the local admin.
 */
@Injectable()
export class OidcAccountsService {
  constructor(@Inject(Database) private readonly db: Database) {}

  async signIn(identity: OidcIdentityClaims, role: UserRole): Promise<OidcAccountOutcome> {
    const { issuer, subject } = identity;
    return this.db.transaction(async (tx) => {
      const identities = new OidcIdentitiesRepository(tx);
      await identities.lock(issuer, subject);
      const linked = await identities.findUser(issuer, subject);
      if (!linked) {
        const user = await this.createUser(tx, identity, role);
        await identities.create({ issuer, subject, userId: user.id });
        return { ok: true, user, created: true };
      }
      if (!linked.isActive || linked.deleted) {
        return { ok: false, reason: 'deactivated', userId: linked.userId, username: linked.username };
      }
      const user = { id: linked.userId, username: linked.username, role };
      if (linked.role !== role) await this.changeRole(tx, user, linked.role);
      await identities.touchLogin(issuer, subject);
      return { ok: true, user, created: false };
    });
  }

  private async createUser(tx: Tx, identity: OidcIdentityClaims, role: UserRole): Promise<OidcUser> {
    // The hash of a random password nobody ever sees: the password login fails for this user the way it does for
    // any wrong password, with the same timing.
    const passwordHash = await hashPassword(generatePassword(32));
    const users = new UsersRepository(tx);
    const base = usernameFromClaims(identity.claims);
    for (const username of [...usernameCandidates(base, 20), `${base}-${generatePassword(6)}`]) {
      const created = await users.createIfUsernameFree({ username, passwordHash, role });
      if (!created) continue;
      const user = { id: created.id, username, role };
      await new MachineEventsRepository(tx).insert({
        machineId: null,
        eventType: 'user.created',
        actor: userActor(user),
        message: `user "${username}" created at the first OIDC sign-in, role ${role}`,
        payload: { userId: user.id, role, issuer: identity.issuer, subject: identity.subject },
      });
      return user;
    }
    throw new Error('no free username for a new OIDC user');
  }

  private async changeRole(tx: Tx, user: OidcUser, previous: string): Promise<void> {
    await new UsersRepository(tx).setRole(user.id, user.role);
    await new MachineEventsRepository(tx).insert({
      machineId: null,
      eventType: 'user.role_changed',
      actor: userActor(user),
      message: `role of "${user.username}" changed from ${previous} to ${user.role} by the groups of its OIDC sign-in`,
      payload: { userId: user.id, from: previous, to: user.role },
    });
  }
}

function userActor(user: OidcUser): Actor {
  return { type: 'user', id: user.id, label: user.username };
}
