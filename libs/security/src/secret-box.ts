import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM with a fresh 96-bit nonce per record. The envelope names the key id so keys can be rotated: a record
 * written under an old key still says which key opens it. The associated data (for example "machine:<id>:password")
 * binds a ciphertext to its row and field, so a ciphertext copied into another row does not decrypt.
 *
 * Envelope: v1.<keyId>.<nonce b64url>.<ciphertext b64url>.<tag b64url>
 */
export class SecretBox {
  readonly keyId: string;
  private readonly primaryKey: Buffer;
  private readonly keys: Map<string, Buffer>;

  /**
   * `resolveKey` is asked for a key id no key given here has (a key added after this box was made, by a rotation);
   * what it returns is remembered.
   */
  constructor(
    primaryKey: Buffer,
    previousKeys: Buffer[] = [],
    private readonly resolveKey?: (keyId: string) => Buffer | undefined,
  ) {
    if (primaryKey.length !== 32) throw new Error('master key must be 32 bytes');
    this.keyId = SecretBox.keyIdOf(primaryKey);
    this.primaryKey = primaryKey;
    this.keys = new Map([[this.keyId, primaryKey], ...previousKeys.map((k) => [SecretBox.keyIdOf(k), k] as const)]);
  }

  /** A short, non-secret identifier of a key (first 8 hex digits of its SHA-256). */
  static keyIdOf(key: Buffer): string {
    return createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  encrypt(plaintext: string, associatedData: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.primaryKey, nonce);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v1',
      this.keyId,
      nonce.toString('base64url'),
      ct.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }

  decrypt(envelope: string, associatedData: string): string {
    const parts = envelope.split('.');
    if (parts.length !== 5 || parts[0] !== 'v1') throw new Error('not a v1 secret envelope');
    const [, keyId, nonce, ct, tag] = parts as [string, string, string, string, string];
    const key = this.keys.get(keyId) ?? this.learn(keyId);
    if (!key) throw new Error(`secret was encrypted with unknown key ${keyId}`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  private learn(keyId: string): Buffer | undefined {
    const key = this.resolveKey?.(keyId);
    if (key && SecretBox.keyIdOf(key) === keyId) this.keys.set(keyId, key);
    return key && this.keys.get(keyId);
  }
}
