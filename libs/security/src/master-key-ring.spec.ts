import { randomBytes } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MASTER_KEY_FILE } from './master-key.ts';
import { NEXT_KEY_FILE, RETIRED_KEY_PREFIX, secretBoxFor } from './master-key-ring.ts';
import { SecretBox } from './secret-box.ts';

const dirs: string[] = [];
const writeKey = (path: string, key: Buffer) => writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600 });

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A data directory holding `master.key`, as a service finds it when it starts. */
function dataDirWith(key: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'su-key-ring-'));
  dirs.push(dir);
  writeKey(join(dir, MASTER_KEY_FILE), key);
  return dir;
}

/** What `npm run db -- rotate-key` does to the key files, start to end (libs/db-tool). */
function rotateFiles(dir: string, oldKey: Buffer, newKey: Buffer): void {
  writeKey(join(dir, NEXT_KEY_FILE), newKey);
  writeKey(join(dir, `${RETIRED_KEY_PREFIX}${SecretBox.keyIdOf(oldKey)}`), oldKey);
  renameSync(join(dir, NEXT_KEY_FILE), join(dir, MASTER_KEY_FILE));
}

describe('secretBoxFor: a service that started before a key rotation', () => {
  it('opens secrets re-encrypted under the new key once the rotation has ended and master.key.next is gone', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const dir = dataDirWith(oldKey);
    const running = secretBoxFor(oldKey, dir);
    rotateFiles(dir, oldKey, newKey);
    const reencrypted = new SecretBox(newKey).encrypt('ssh-password', 'machine:1:password');
    expect(running.decrypt(reencrypted, 'machine:1:password')).toBe('ssh-password');
    // It still writes under the key it started with until restarted (the doctor tells of those), and opens them.
    expect(running.keyId).toBe(SecretBox.keyIdOf(oldKey));
  });

  it('opens secrets under the key of master.key when its primary comes from SU_MASTER_KEY', () => {
    const fileKey = randomBytes(32);
    const box = secretBoxFor(randomBytes(32), dataDirWith(fileKey));
    expect(box.decrypt(new SecretBox(fileKey).encrypt('s', 'a'), 'a')).toBe('s');
  });

  it('still refuses a ciphertext under a key no file holds', () => {
    const box = secretBoxFor(randomBytes(32), dataDirWith(randomBytes(32)));
    expect(() => box.decrypt(new SecretBox(randomBytes(32)).encrypt('s', 'a'), 'a')).toThrow();
  });
});
