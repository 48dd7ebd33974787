import { Inject, Injectable } from '@nestjs/common';
import { Database, MachineEventsRepository, UsersRepository } from '@su/db';
import { generatePassword, hashPassword } from '@su/security';

/**
 * First start: create the admin user with a generated password that must be changed at first login. The password
 * is returned so the launcher can print it once; only its hash is stored. Later starts find a user and return null.
 */
@Injectable()
export class AdminBootstrapService {
  constructor(@Inject(Database) private readonly db: Database) {}

  async ensureAdmin(username: string): Promise<{ username: string; password: string } | null> {
    if ((await new UsersRepository(this.db.prisma).count()) > 0) return null;
    // Hashed before the transaction: the hash is slow by design, and on a loaded host (several services starting at
    // once) it outlived the transaction's timeout, so the gateway failed to start.
    const password = generatePassword(20);
    const passwordHash = await hashPassword(password);
    // Serialised with an advisory lock so two gateways starting together cannot both create an admin.
    return this.db.transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('su:admin-bootstrap'))`);
      const users = new UsersRepository(tx);
      if ((await users.count()) > 0) return null;
      // The printed password has been on a terminal (and maybe in a log): its owner must replace it.
      await users.create({ username, passwordHash, role: 'admin', mustChangePassword: true });
      await new MachineEventsRepository(tx).insert({
        machineId: null,
        eventType: 'user.created',
        actor: { type: 'system', id: 'bootstrap' },
        message: `first admin user "${username}" created`,
      });
      return { username, password };
    });
  }
}
