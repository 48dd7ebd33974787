import type { Database } from '../database.ts';

/**
 * Every column that holds a secret-box ciphertext ("v1.<keyId>.<nonce>.<ciphertext>.<tag>"). A new secret column must
 * be added here, or the master-key rotation leaves it under the old key (docs/database.md, "Secrets").
 */
export const SECRET_COLUMNS = [
  { table: 'machine_credentials', id: 'machine_id', column: 'enc_password', keyIdColumn: 'key_id' },
  { table: 'machine_credentials', id: 'machine_id', column: 'enc_private_key', keyIdColumn: 'key_id' },
  { table: 'machine_credentials', id: 'machine_id', column: 'enc_key_passphrase', keyIdColumn: 'key_id' },
  { table: 'machine_credentials', id: 'machine_id', column: 'enc_sudo_password', keyIdColumn: 'key_id' },
  { table: 'docker_registry_credentials', id: 'registry_id', column: 'enc_password', keyIdColumn: 'key_id' },
  { table: 'users', id: 'id', column: 'totp_secret_enc', keyIdColumn: null },
  { table: 'script_variables_presets', id: 'id', column: 'enc_secrets', keyIdColumn: null },
  { table: 'notification_channels', id: 'id', column: 'enc_secrets', keyIdColumn: null },
] as const;

export type SecretColumn = (typeof SECRET_COLUMNS)[number];

export interface StoredSecret {
  rowId: string;
  ciphertext: string;
}

/** The key id an envelope names (its second dot-separated part). */
const KEY_ID_SQL = (column: string) => `split_part(${column}, '.', 2)`;

/** Queries over the secret columns for the key rotation and the doctor; identifiers come from SECRET_COLUMNS only. */
export class StoredSecretsRepository {
  constructor(private readonly db: Database) {}

  /** Up to `limit` ciphertexts of `c` not written under `keyId`. */
  async notUnderKey(c: SecretColumn, keyId: string, limit: number): Promise<StoredSecret[]> {
    const { rows } = await this.db.pool.query<{ id: string; ct: string }>(
      `SELECT ${c.id}::text AS id, ${c.column} AS ct FROM ${c.table}
        WHERE ${c.column} IS NOT NULL AND ${KEY_ID_SQL(c.column)} <> $1 ORDER BY ${c.id} LIMIT $2`,
      [keyId, limit],
    );
    return rows.map((r) => ({ rowId: r.id, ciphertext: r.ct }));
  }

  /**
   * Replaces one ciphertext, only if it is still the one that was read (a secret changed meanwhile by a person is
   * newer and already under a current key): false when it was not replaced.
   */
  async replace(c: SecretColumn, rowId: string, previous: string, next: string): Promise<boolean> {
    const res = await this.db.pool.query(
      `UPDATE ${c.table} SET ${c.column} = $3 WHERE ${c.id}::text = $1 AND ${c.column} = $2`,
      [rowId, previous, next],
    );
    return res.rowCount === 1;
  }

  /** Sets a table's key_id column where every secret column of the row is under `keyId` (or empty). */
  async syncKeyIdColumn(table: string, keyId: string): Promise<void> {
    const cols = SECRET_COLUMNS.filter((c) => c.table === table && c.keyIdColumn);
    const keyIdColumn = cols[0]?.keyIdColumn;
    if (!keyIdColumn) return;
    const allUnder = cols.map((c) => `(${c.column} IS NULL OR ${KEY_ID_SQL(c.column)} = $1)`).join(' AND ');
    await this.db.pool.query(`UPDATE ${table} SET ${keyIdColumn} = $1 WHERE ${keyIdColumn} <> $1 AND ${allUnder}`, [
      keyId,
    ]);
  }

  /** How many ciphertexts each key id holds, over every secret column (and every key_id column). */
  async countByKeyId(): Promise<Map<string, number>> {
    const parts = SECRET_COLUMNS.map(
      (c) => `SELECT ${KEY_ID_SQL(c.column)} AS k FROM ${c.table} WHERE ${c.column} IS NOT NULL`,
    );
    for (const table of new Set(SECRET_COLUMNS.filter((c) => c.keyIdColumn).map((c) => c.table)))
      parts.push(`SELECT key_id AS k FROM ${table}`);
    const { rows } = await this.db.pool.query<{ k: string; n: string }>(
      `SELECT k, count(*)::text AS n FROM (${parts.join(' UNION ALL ')}) s GROUP BY k ORDER BY k`,
    );
    return new Map(rows.map((r) => [r.k, Number(r.n)]));
  }

  /** One stored ciphertext (the first found, machine credentials first), to prove the master key opens them. */
  async sample(): Promise<{ column: SecretColumn; secret: StoredSecret } | null> {
    for (const c of SECRET_COLUMNS) {
      const { rows } = await this.db.pool.query<{ id: string; ct: string }>(
        `SELECT ${c.id}::text AS id, ${c.column} AS ct FROM ${c.table} WHERE ${c.column} IS NOT NULL
          ORDER BY ${c.id} LIMIT 1`,
      );
      if (rows[0]) return { column: c, secret: { rowId: rows[0].id, ciphertext: rows[0].ct } };
    }
    return null;
  }
}
