import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateMasterKey } from './master-key.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';
import { SecretBox } from './secret-box.ts';

describe('SecretBox', () => {
  it('round-trips and never contains the plaintext', () => {
    const box = new SecretBox(randomBytes(32));
    const env = box.encrypt('hunter2-secret', 'machine:1:password');
    expect(env).not.toContain('hunter2');
    expect(env.startsWith(`v1.${box.keyId}.`)).toBe(true);
    expect(box.decrypt(env, 'machine:1:password')).toBe('hunter2-secret');
  });

  it('uses a fresh nonce per record', () => {
    const box = new SecretBox(randomBytes(32));
    expect(box.encrypt('x', 'a')).not.toBe(box.encrypt('x', 'a'));
  });

  it('refuses a ciphertext moved to another row or field, and a tampered one', () => {
    const box = new SecretBox(randomBytes(32));
    const env = box.encrypt('s3cret', 'machine:1:password');
    expect(() => box.decrypt(env, 'machine:2:password')).toThrow();
    const parts = env.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.decrypt(parts.join('.'), 'machine:1:password')).toThrow();
  });

  it('opens records of a previous key after rotation', () => {
    const oldKey = randomBytes(32);
    const env = new SecretBox(oldKey).encrypt('s', 'a');
    const rotated = new SecretBox(randomBytes(32), [oldKey]);
    expect(rotated.decrypt(env, 'a')).toBe('s');
  });
});

describe('master key file', () => {
  it('is created once with mode 0600 and reused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'su-key-'));
    const a = loadOrCreateMasterKey({ envKey: undefined, dataDir: dir });
    expect(a.source).toBe('file-created');
    expect(statSync(join(dir, 'master.key')).mode & 0o777).toBe(0o600);
    const b = loadOrCreateMasterKey({ envKey: undefined, dataDir: dir });
    expect(b.source).toBe('file-existing');
    expect(b.key.equals(a.key)).toBe(true);
  });

  it('refuses a key file readable by others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'su-key-'));
    writeFileSync(join(dir, 'master.key'), randomBytes(32).toString('hex'));
    chmodSync(join(dir, 'master.key'), 0o644);
    expect(() => loadOrCreateMasterKey({ envKey: undefined, dataDir: dir })).toThrow(/chmod 600/);
  });
});

describe('password hashing', () => {
  it('verifies the right password only', async () => {
    const h = await hashPassword('correct horse');
    expect(h).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(await verifyPassword('wrong', h)).toBe(false);
  });
});

describe('SecretBox key resolution (rotation)', () => {
  it('opens a ciphertext of a key it was not given by asking the resolver, and remembers it', () => {
    const later = randomBytes(32);
    let asked = 0;
    const box = new SecretBox(randomBytes(32), [], (keyId) => {
      asked++;
      return keyId === SecretBox.keyIdOf(later) ? later : undefined;
    });
    const env = new SecretBox(later).encrypt('rotated', 'user:1:totp');
    expect(box.decrypt(env, 'user:1:totp')).toBe('rotated');
    expect(box.decrypt(env, 'user:1:totp')).toBe('rotated');
    expect(asked).toBe(1);
    // A resolver answering with the wrong key is not believed.
    const liar = new SecretBox(randomBytes(32), [], () => randomBytes(32));
    expect(() => liar.decrypt(env, 'user:1:totp')).toThrow(/unknown key/);
  });
});
