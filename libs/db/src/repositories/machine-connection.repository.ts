import type { AuthMethod, SudoMode } from '@su/contracts';
import type { Database } from '../database.ts';
import type { EncryptedCredentials } from './machines.repository.ts';

export interface ConnectionInfo {
  id: string;
  name: string;
  hostname: string;
  port: number;
  username: string;
  credentials: Omit<EncryptedCredentials, 'keyId'> | null;
  /** Fingerprints of the host keys trusted now: a connection kept under other keys is not handed out again. */
  trustedHostKeys: string[];
}

/** One row of `connectionTarget`'s statement. */
interface ConnectionRow {
  id: string;
  name: string;
  hostname: string;
  port: number;
  username: string;
  has_credentials: boolean;
  auth_method: string | null;
  sudo_mode: string | null;
  enc_password: string | null;
  enc_private_key: string | null;
  enc_key_passphrase: string | null;
  enc_sudo_password: string | null;
  blocked: boolean;
  blocked_reason: string | null;
  trusted: string[];
}

/**
 * What opening a connection to a machine reads: on the pool, as a named statement, because every job reads it
 * before its first byte on the network.
 */
export class MachineConnectionRepository {
  constructor(private readonly db: Database) {}

  /** What a connection needs: address, login and the encrypted credentials (decrypted by the caller, audited). */
  async findConnectionInfo(id: string): Promise<ConnectionInfo | null> {
    return (await this.connectionTarget(id))?.info ?? null;
  }

  /**
   * `findConnectionInfo` and whether the machine is blocked (a changed host key), in one statement: every job's
   * connection reads them first, and Prisma's relation loads made them four (ADR 0049).
   */
  async connectionTarget(
    id: string,
  ): Promise<{ info: ConnectionInfo; blocked: boolean; reason: string | null } | null> {
    const { rows } = await this.db.pool.query<ConnectionRow>({
      // Named: planned once per connection, not at every job (ADR 0061).
      name: 'su_connection_target',
      text: `SELECT m.id, m.name, m.hostname, m.port, m.username, c.machine_id IS NOT NULL AS has_credentials,
              c.auth_method, c.sudo_mode, c.enc_password, c.enc_private_key, c.enc_key_passphrase, c.enc_sudo_password,
              coalesce(s.blocked, false) AS blocked, s.blocked_reason,
              ARRAY(SELECT k.fingerprint_sha256 FROM machine_host_keys k
                     WHERE k.machine_id = m.id AND k.status = 'approved') AS trusted
         FROM machines m
         LEFT JOIN machine_credentials c ON c.machine_id = m.id
         LEFT JOIN machine_state s ON s.machine_id = m.id
        WHERE m.id = $1::uuid AND m.deleted_at IS NULL`,
      values: [id],
    });
    const r = rows[0];
    if (!r) return null;
    const credentials = r.has_credentials
      ? {
          authMethod: r.auth_method as AuthMethod,
          sudoMode: r.sudo_mode as SudoMode,
          encPassword: r.enc_password,
          encPrivateKey: r.enc_private_key,
          encKeyPassphrase: r.enc_key_passphrase,
          encSudoPassword: r.enc_sudo_password,
        }
      : null;
    const { name, hostname, port, username } = r;
    // Sorted here, not by the database's collation: the list is part of a kept connection's key.
    const info = { id: r.id, name, hostname, port, username, credentials, trustedHostKeys: [...r.trusted].sort() };
    return { info, blocked: r.blocked, reason: r.blocked_reason };
  }
}
