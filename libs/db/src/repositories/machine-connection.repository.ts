import type { Actor, AuthMethod, SudoMode } from '@su/contracts';
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

/** A connection's audit row: its credentials were decrypted, for what, by whom (field names, never values). */
export interface ConnectionOpened {
  machineId: string;
  actor: Actor;
  jobId: string | null;
  purpose: string;
  fields: string[];
  /** The trusted host key the server presented, when the connection verified it against `trustedHostKeys`. */
  seenHostKey: string | null;
}

/**
 * What opening a connection to a machine reads, and the one row it writes: on the pool, as named statements,
 * because every job reads the first before its first byte on the network and every new connection writes the second.
 */
export class MachineConnectionRepository {
  constructor(private readonly db: Database) {}

  /**
   * What a connection needs (address, login, the encrypted credentials, decrypted by the caller and audited, and the
   * trusted host keys) and whether the machine is blocked (a changed host key), in one statement: every job's
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

  /**
   * The `credentials.decrypted` event and, when the server presented a key trusted at `connectionTarget`, that key's
   * `last_seen_at`, in one statement: the two were a statement each at every login, the key's inside the handshake
   * (ADR 0062).
   */
  async recordOpened(o: ConnectionOpened): Promise<void> {
    await this.db.pool.query({
      name: 'su_connection_opened',
      text: `WITH e AS (
         INSERT INTO machine_events (machine_id, event_type, severity, created_at, actor_type, actor_id, job_id, message, payload)
         VALUES ($1::uuid, 'credentials.decrypted', 'info', now(), $2, $3, $4::uuid, $5, $6::jsonb)
       ), k AS (
         UPDATE machine_host_keys SET last_seen_at = now()
          WHERE $7::text IS NOT NULL AND machine_id = $1::uuid AND fingerprint_sha256 = $7 AND status = 'approved'
       )
       SELECT 1`,
      values: [
        o.machineId,
        o.actor.type,
        o.actor.id,
        o.jobId,
        `credentials opened for ${o.purpose}`,
        JSON.stringify({ purpose: o.purpose, fields: o.fields }),
        o.seenHostKey,
      ],
    });
  }
}
