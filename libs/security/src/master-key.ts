import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const MASTER_KEY_FILE = 'master.key';

/** Parses a 32-byte key given as 64 hex digits or base64/base64url. */
export function parseMasterKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new Error('master key must be 32 bytes (64 hex digits or base64)');
  return key;
}

export interface MasterKeySource {
  key: Buffer;
  source: 'env' | 'file-existing' | 'file-created';
  path?: string;
}

/**
 * The master key: SU_MASTER_KEY when given, else `<dataDir>/master.key`, created on first start with mode 0600.
 * A key file readable by others is refused rather than used, since it opens every stored credential.
 */
export function loadOrCreateMasterKey(opts: { envKey: string | undefined; dataDir: string }): MasterKeySource {
  if (opts.envKey) return { key: parseMasterKey(opts.envKey), source: 'env' };
  const path = join(opts.dataDir, MASTER_KEY_FILE);
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) {
      throw new Error(`${path} has mode ${mode.toString(8)}; it must be readable by its owner only (chmod 600)`);
    }
    return { key: parseMasterKey(readFileSync(path, 'utf8')), source: 'file-existing', path };
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  // 'wx' fails if another service created it in the meantime; then we read theirs.
  try {
    writeFileSync(path, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return { key, source: 'file-created', path };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateMasterKey(opts);
    throw e;
  }
}
