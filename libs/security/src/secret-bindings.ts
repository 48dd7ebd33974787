/*
 * Every stored secret and what its ciphertext is bound to (the secret box's associated data). A ciphertext only
 * opens in the row and column it was written for, so whoever encrypts, decrypts or re-encrypts one (the owning
 * feature, the master-key rotation, the doctor) must use the same binding: it is written once, here.
 */
export const SECRET_BINDINGS = {
  /** machine_credentials.enc_<field>; field is password | private_key | key_passphrase | sudo_password. */
  machineCredential: (machineId: string, field: string) => `machine:${machineId}:${field}`,
  /** docker_registry_credentials.enc_password */
  registryPassword: (registryId: string) => `docker_registry:${registryId}:password`,
  /** users.totp_secret_enc */
  userTotp: (userId: string) => `user:${userId}:totp`,
  /** script_variables_presets.enc_secrets */
  presetSecrets: (presetId: string) => `preset:${presetId}:secrets`,
  /** notification_channels.enc_secrets */
  notificationChannelSecrets: (channelId: string) => `notification_channel:${channelId}:secrets`,
} as const;
