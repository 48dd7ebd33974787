import { createHash } from 'node:crypto';

export interface HostKeyInfo {
  /** e.g. `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa` (the type inside the key blob). */
  keyType: string;
  /** Exactly as `ssh-keygen -lf` prints it: `SHA256:` + unpadded base64 of the SHA-256 of the key blob. */
  fingerprintSha256: string;
  /** OpenSSH public key line without comment: `ssh-ed25519 AAAA...`. */
  publicKey: string;
}

/** SHA-256 fingerprint of an SSH public key blob, in OpenSSH's format (base64 without `=` padding). */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type is the first SSH `string` in the wire-format blob: uint32 length, then the name. */
function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) throw new Error('host key blob too short');
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) throw new Error('malformed host key blob');
  return blob.subarray(4, 4 + len).toString('ascii');
}

/** Describes a host key from its wire-format blob (what the server sends during key exchange). */
export function hostKeyInfoFromBlob(blob: Buffer): HostKeyInfo {
  const keyType = keyTypeOf(blob);
  return { keyType, fingerprintSha256: fingerprintSha256(blob), publicKey: `${keyType} ${blob.toString('base64')}` };
}

/** Describes a host key from an OpenSSH public key line (`ssh-ed25519 AAAA... comment`), e.g. a `.pub` file. */
export function hostKeyInfoFromPublicKey(line: string): HostKeyInfo {
  const [type, b64] = line.trim().split(/\s+/);
  if (!type || !b64) throw new Error('not an OpenSSH public key line');
  const info = hostKeyInfoFromBlob(Buffer.from(b64, 'base64'));
  if (info.keyType !== type) throw new Error(`public key line says ${type} but the key is ${info.keyType}`);
  return info;
}
