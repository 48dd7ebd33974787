import { createHash, randomBytes } from 'node:crypto';

/**
 * Bearer tokens: 32 random bytes. Stored as SHA-256 only: with 256 bits of entropy a slow hash adds nothing, and a
 * fast one keeps every authenticated request cheap. The prefix tells a person what kind of token leaked.
 */
export function generateToken(prefix: 'sua' | 'sus'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** First characters of a token, shown in listings so a person can tell tokens apart without the secret. */
export function tokenDisplayPrefix(token: string): string {
  return token.slice(0, 10);
}

export function generatePassword(length = 20): string {
  // base64url without ambiguous-looking padding; 20 chars ≈ 120 bits.
  return randomBytes(Math.ceil((length * 3) / 4))
    .toString('base64url')
    .slice(0, length);
}
