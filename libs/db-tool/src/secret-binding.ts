import type { SecretColumn } from '@su/db';
import { SECRET_BINDINGS } from '@su/security';

/** The associated data a stored ciphertext was encrypted with, from its column and row (see SECRET_BINDINGS). */
export function secretBinding(c: SecretColumn, rowId: string): string {
  switch (c.table) {
    case 'machine_credentials':
      return SECRET_BINDINGS.machineCredential(rowId, c.column.slice('enc_'.length));
    case 'docker_registry_credentials':
      return SECRET_BINDINGS.registryPassword(rowId);
    case 'users':
      return SECRET_BINDINGS.userTotp(rowId);
    case 'script_variables_presets':
      return SECRET_BINDINGS.presetSecrets(rowId);
    case 'notification_channels':
      return SECRET_BINDINGS.notificationChannelSecrets(rowId);
  }
}
