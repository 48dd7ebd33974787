import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '@su/security';
import {
  credentialFieldsGiven,
  credentialFieldsStored,
  decryptCredentials,
  encryptCredentials,
} from './machine-credentials.cipher.ts';

const box = new SecretBox(randomBytes(32));
const M1 = '11111111-1111-4111-8111-111111111111';
const M2 = '22222222-2222-4222-8222-222222222222';

describe('machine credentials cipher (the one module that encrypts and decrypts them)', () => {
  it('round-trips every secret, and no column holds a value in clear', () => {
    const stored = encryptCredentials(box, M1, {
      authMethod: 'ssh_key',
      password: 'login-pw',
      privateKey: 'KEY TEXT',
      keyPassphrase: 'passphrase',
      sudoMode: 'separate',
      sudoPassword: 'sudo-pw',
    });
    expect(JSON.stringify(stored)).not.toMatch(/login-pw|KEY TEXT|passphrase|sudo-pw/);
    expect(decryptCredentials(box, M1, stored)).toEqual({
      auth: { password: 'login-pw', privateKey: 'KEY TEXT', passphrase: 'passphrase' },
      sudo: { mode: 'separate', password: 'sudo-pw' },
    });
    expect(credentialFieldsStored(stored)).toEqual(['password', 'private_key', 'key_passphrase', 'sudo_password']);
  });

  it('keeps a sudo password only when sudo has its own (separate)', () => {
    const stored = encryptCredentials(box, M1, {
      authMethod: 'password',
      password: 'login-pw',
      sudoMode: 'same_as_ssh',
      sudoPassword: 'ignored',
    });
    expect(stored.encSudoPassword).toBeNull();
    expect(decryptCredentials(box, M1, stored).sudo).toEqual({ mode: 'same_as_ssh' });
    expect(credentialFieldsStored(stored)).toEqual(['password']);
  });

  it('a ciphertext opens only in the row and column it was written for', () => {
    const stored = encryptCredentials(box, M1, { authMethod: 'password', password: 'pw', sudoMode: 'none' });
    expect(() => decryptCredentials(box, M2, stored)).toThrow();
    const moved = { ...stored, encPassword: null, encKeyPassphrase: stored.encPassword };
    expect(() => decryptCredentials(box, M1, moved)).toThrow();
  });

  it('names the secrets given, never their values', () => {
    expect(
      credentialFieldsGiven({ authMethod: 'password', password: 'pw', sudoMode: 'separate', sudoPassword: 's' }),
    ).toEqual(['password', 'sudoPassword']);
  });
});
