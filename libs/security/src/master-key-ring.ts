import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MASTER_KEY_FILE, parseMasterKey } from './master-key.ts';
import { SecretBox } from './secret-box.ts';

/*
 * Key files beside the master key, written by the key rotation (`npm run db -- rotate-key`):
 *   master.key.next              the key a rotation in progress re-encrypts under (becomes master.key when it ends)
 *   master.key.retired-<keyId>   a key a finished rotation replaced: kept so that backups made before can be opened
 * Both are readable keys for every service (never used to encrypt), so a secret re-encrypted by a rotation that
 * started after a service did still opens in that service. So is master.key itself: a rotation that ends renames
 * master.key.next to it, and a service that had not needed the next key before then must still find it (the lab test
 * of issue 17 found an apt-worker, started before a rotation, unable to open any credential after it).
 */
export const NEXT_KEY_FILE = `${MASTER_KEY_FILE}.next`;
export const RETIRED_KEY_PREFIX = `${MASTER_KEY_FILE}.retired-`;

/** Reads a key file, refusing one that others may read (it opens every stored secret). */
export function readKeyFile(path: string): Buffer {
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077)
    throw new Error(`${path} has mode ${mode.toString(8)}; it must be readable by its owner only (chmod 600)`);
  return parseMasterKey(readFileSync(path, 'utf8'));
}

/**
 * The keys a service may decrypt with besides its primary one: a rotation's next key, the retired keys, and the key
 * file (the primary may come from SU_MASTER_KEY; after a rotation, master.key is the key that was next).
 */
export function readableKeys(dataDir: string): Buffer[] {
  if (!existsSync(dataDir)) return [];
  const names = readdirSync(dataDir).filter(
    (n) => n === MASTER_KEY_FILE || n === NEXT_KEY_FILE || n.startsWith(RETIRED_KEY_PREFIX),
  );
  return names.sort().map((n) => readKeyFile(join(dataDir, n)));
}

/**
 * The secret box of a service: `primary` encrypts; the readable keys of the data directory decrypt too, and are
 * read again when a ciphertext names a key id not known yet (a rotation started after this process).
 */
export function secretBoxFor(primary: Buffer, dataDir: string): SecretBox {
  return new SecretBox(primary, readableKeys(dataDir), (keyId) =>
    readableKeys(dataDir).find((k) => SecretBox.keyIdOf(k) === keyId),
  );
}

/** The master key in use (SU_MASTER_KEY, else `<dataDir>/master.key`) without creating one; null when there is none. */
export function readMasterKey(opts: { envKey: string | undefined; dataDir: string }): Buffer | null {
  if (opts.envKey) return parseMasterKey(opts.envKey);
  const path = join(opts.dataDir, MASTER_KEY_FILE);
  return existsSync(path) ? readKeyFile(path) : null;
}
