import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRET_COLUMNS, StoredSecretsRepository, type Database, type SecretColumn } from '@su/db';
import {
  MASTER_KEY_FILE,
  NEXT_KEY_FILE,
  readableKeys,
  readKeyFile,
  readMasterKey,
  RETIRED_KEY_PREFIX,
  SecretBox,
} from '@su/security';
import { secretBinding } from './secret-binding.ts';

export interface RotationOptions {
  dataDir: string;
  /** SU_MASTER_KEY when the key comes from the environment; the new key must then be given as `newKey`. */
  masterKeyEnv: string | undefined;
  /** The new key (required with SU_MASTER_KEY; with a key file, a random one is made when omitted). */
  newKey?: Buffer;
  batchSize?: number;
  /** Called after each committed batch (progress; a test interrupts the rotation here). */
  onBatch?: (done: number) => void;
}

export interface RotationResult {
  oldKeyId: string;
  newKeyId: string;
  reencrypted: number;
  /** False with SU_MASTER_KEY: the operator must put the new key in the environment. */
  keyFileSwitched: boolean;
}

/**
 * The key a rotation re-encrypts under. It is written first, as master.key.next (0600), so that an interrupted
 * rotation resumes under the same key and running services already read it (secretBoxFor).
 */
function nextKey(opts: RotationOptions, current: Buffer): Buffer {
  const path = join(opts.dataDir, NEXT_KEY_FILE);
  if (existsSync(path)) {
    const pending = readKeyFile(path);
    if (!pending.equals(current)) {
      if (opts.newKey && !opts.newKey.equals(pending))
        throw new Error(
          `a rotation to key ${SecretBox.keyIdOf(pending)} is in progress: run it again without a new key`,
        );
      return pending;
    }
    // Left by a finished rotation under SU_MASTER_KEY, whose key is now the one in use.
    rmSync(path);
  }
  if (opts.masterKeyEnv && !opts.newKey)
    throw new Error('SU_MASTER_KEY is set: give the new key with --new-key-file <file>');
  const key = opts.newKey ?? randomBytes(32);
  writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}

async function rotateColumn(
  repo: StoredSecretsRepository,
  box: SecretBox,
  c: SecretColumn,
  opts: RotationOptions,
  progress: { done: number },
): Promise<void> {
  for (;;) {
    const batch = await repo.notUnderKey(c, box.keyId, opts.batchSize ?? 100);
    if (batch.length === 0) return;
    for (const s of batch) {
      const aad = secretBinding(c, s.rowId);
      if (await repo.replace(c, s.rowId, s.ciphertext, box.encrypt(box.decrypt(s.ciphertext, aad), aad)))
        progress.done++;
    }
    opts.onBatch?.(progress.done);
  }
}

/**
 * The old key is kept as master.key.retired-<id> (backups made before, and secrets a service still writes under it
 * until restarted). With a key file, master.key.next then replaces master.key; with SU_MASTER_KEY the next-key file
 * stays readable for the running services until they restart with the new key in the environment.
 */
function switchKeyFiles(dataDir: string, oldKey: Buffer, keyFile: boolean): void {
  const retired = join(dataDir, `${RETIRED_KEY_PREFIX}${SecretBox.keyIdOf(oldKey)}`);
  if (!existsSync(retired)) writeFileSync(retired, `${oldKey.toString('hex')}\n`, { mode: 0o600 });
  if (keyFile) renameSync(join(dataDir, NEXT_KEY_FILE), join(dataDir, MASTER_KEY_FILE));
}

/**
 * `npm run db -- rotate-key`: re-encrypts every stored secret (SECRET_COLUMNS) under a new key id. Each secret is
 * replaced on its own (compare-and-swap), so the rotation can stop anywhere and be run again; until it ends the old
 * key stays readable to every service, and the new one already is.
 */
export async function rotateMasterKey(db: Database, opts: RotationOptions): Promise<RotationResult> {
  const oldKey = readMasterKey({ envKey: opts.masterKeyEnv, dataDir: opts.dataDir });
  if (!oldKey)
    throw new Error(`no master key to rotate (SU_MASTER_KEY unset, no ${join(opts.dataDir, MASTER_KEY_FILE)})`);
  const newKey = nextKey(opts, oldKey);
  const box = new SecretBox(newKey, [oldKey, ...readableKeys(opts.dataDir)]);
  const repo = new StoredSecretsRepository(db);
  const progress = { done: 0 };
  for (const c of SECRET_COLUMNS) await rotateColumn(repo, box, c, opts, progress);
  for (const table of new Set(SECRET_COLUMNS.map((c) => c.table))) await repo.syncKeyIdColumn(table, box.keyId);
  const left = [...(await repo.countByKeyId())].filter(([k]) => k !== box.keyId);
  if (left.length)
    throw new Error(
      `secrets were written under an old key meanwhile (${left.map(([k, n]) => `${n} under ${k}`).join(', ')}): run again`,
    );
  const keyFileSwitched = !opts.masterKeyEnv;
  switchKeyFiles(opts.dataDir, oldKey, keyFileSwitched);
  return { oldKeyId: SecretBox.keyIdOf(oldKey), newKeyId: box.keyId, reencrypted: progress.done, keyFileSwitched };
}
