import type { MachineCredentialsInput } from '@su/contracts';
import type { EncryptedCredentials } from '@su/db';
import type { SecretBox } from '@su/security';

/**
 * Encrypts each secret with the machine id and the field name as associated data, so a ciphertext is only valid in
 * the row and column it was written for.
 */
export function encryptCredentials(
  box: SecretBox,
  machineId: string,
  c: MachineCredentialsInput,
): EncryptedCredentials {
  const enc = (field: string, v: string | undefined) =>
    v === undefined ? null : box.encrypt(v, `machine:${machineId}:${field}`);
  return {
    authMethod: c.authMethod,
    sudoMode: c.sudoMode,
    keyId: box.keyId,
    encPassword: enc('password', c.password),
    encPrivateKey: enc('private_key', c.privateKey),
    encKeyPassphrase: enc('key_passphrase', c.keyPassphrase),
    encSudoPassword: enc('sudo_password', c.sudoMode === 'separate' ? c.sudoPassword : undefined),
  };
}

/** Which secrets were given, by name only: what audit events may say about credentials. */
export function credentialFieldsGiven(c: MachineCredentialsInput): string[] {
  return (['password', 'privateKey', 'keyPassphrase', 'sudoPassword'] as const).filter((k) => c[k] !== undefined);
}
