import type { MachineCredentialsInput } from '@su/contracts';
import type { EncryptedCredentials } from '@su/db';
import { SECRET_BINDINGS, type SecretBox } from '@su/security';
import type { SshAuth, SudoMode } from '@su/ssh';

// The one module that encrypts and decrypts machine credentials (ADR 0004). Each secret is encrypted with the machine
// id and its column as associated data (`machine:<id>:<field>`), so a ciphertext is only valid in the row and column
// it was written for.

type EncryptedColumns = Omit<EncryptedCredentials, 'keyId'>;

const FIELDS = [
  { column: 'encPassword', input: 'password', field: 'password' },
  { column: 'encPrivateKey', input: 'privateKey', field: 'private_key' },
  { column: 'encKeyPassphrase', input: 'keyPassphrase', field: 'key_passphrase' },
  { column: 'encSudoPassword', input: 'sudoPassword', field: 'sudo_password' },
] as const;

const associatedData = SECRET_BINDINGS.machineCredential;

/** The columns to store for `c`. A sudo password is kept only when sudo has a password of its own (`separate`). */
export function encryptCredentials(
  box: SecretBox,
  machineId: string,
  c: MachineCredentialsInput,
): EncryptedCredentials {
  const enc = (field: string, v: string | undefined) =>
    v === undefined ? null : box.encrypt(v, associatedData(machineId, field));
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

/** What an SSH session needs from stored credentials: the login's secrets and how sudo gets root. */
export interface DecryptedCredentials {
  auth: SshAuth;
  /** `password` is the separate sudo password, when sudo has one; which password sudo uses is the ssh lib's rule. */
  sudo: { mode: SudoMode; password?: string };
}

/** Decrypts stored credentials for one use; the caller audits it (MachineConnector, `credentials.decrypted`). */
export function decryptCredentials(box: SecretBox, machineId: string, c: EncryptedColumns): DecryptedCredentials {
  const dec = (field: string, v: string | null) =>
    v === null ? undefined : box.decrypt(v, associatedData(machineId, field));
  const password = dec('password', c.encPassword);
  const privateKey = dec('private_key', c.encPrivateKey);
  const passphrase = dec('key_passphrase', c.encKeyPassphrase);
  const sudoPassword = c.sudoMode === 'separate' ? dec('sudo_password', c.encSudoPassword) : undefined;
  return {
    auth: {
      ...(password === undefined ? {} : { password }),
      ...(privateKey === undefined ? {} : { privateKey }),
      ...(passphrase === undefined ? {} : { passphrase }),
    },
    sudo: { mode: c.sudoMode, ...(sudoPassword === undefined ? {} : { password: sudoPassword }) },
  };
}

/** Which secrets are stored, by column name only: what the audit event of a decryption may say. */
export function credentialFieldsStored(c: EncryptedColumns): string[] {
  return FIELDS.filter((f) => c[f.column] !== null).map((f) => f.field);
}

/** Which secrets were given, by name only: what audit events may say about credentials. */
export function credentialFieldsGiven(c: MachineCredentialsInput): string[] {
  return FIELDS.filter((f) => c[f.input] !== undefined).map((f) => f.input);
}
