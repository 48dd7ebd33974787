import { SECRET_BINDINGS, type SecretBox } from '@su/security';

// A channel's secrets, encrypted as one JSON object with the master key (the same SecretBox as machine credentials,
// ADR 0004); the channel id is the associated data, so a ciphertext copied to another channel does not decrypt.

const aad = SECRET_BINDINGS.notificationChannelSecrets;

export function encryptChannelSecrets(
  box: SecretBox,
  channelId: string,
  secrets: Record<string, unknown>,
): string | null {
  return Object.keys(secrets).length ? box.encrypt(JSON.stringify(secrets), aad(channelId)) : null;
}

export function decryptChannelSecrets(box: SecretBox, channelId: string, enc: string | null): Record<string, unknown> {
  return enc ? (JSON.parse(box.decrypt(enc, aad(channelId))) as Record<string, unknown>) : {};
}
