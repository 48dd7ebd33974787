import { PasswordInput, SegmentedControl, Select, Stack, Text, Textarea } from '@mantine/core';
import { useId } from 'react';
import type { components } from '../api/schema';
import type { FieldErrors } from '../layout/field-errors.ts';
import { useT } from '../preferences/preferences.tsx';

export type CredentialsInput = components['schemas']['CredentialsDto'];

export const EMPTY_CREDENTIALS: CredentialsInput = { authMethod: 'password', sudoMode: 'same_as_ssh' };

const SUDO_MODES = ['same_as_ssh', 'separate', 'none', 'root'] as const;

/** Only the fields the chosen method uses are sent: a stale key must not travel with a password login. */
export function credentialsBody(c: CredentialsInput): CredentialsInput {
  const out: CredentialsInput = { authMethod: c.authMethod, sudoMode: c.sudoMode };
  if (c.authMethod === 'password') out.password = c.password ?? '';
  else {
    out.privateKey = c.privateKey ?? '';
    if (c.keyPassphrase) out.keyPassphrase = c.keyPassphrase;
  }
  if (c.sudoMode === 'separate') out.sudoPassword = c.sudoPassword ?? '';
  return out;
}

/**
 * Write-only credential fields (password or key, sudo mode): the values stay in the form's memory, are sent once and
 * are never read back — the API has no way to return them. `errors` are the API's, keyed `credentials.<field>`.
 */
export function CredentialsFields({
  value,
  onChange,
  errors,
  prefix = 'credentials.',
}: {
  value: CredentialsInput;
  onChange: (next: CredentialsInput) => void;
  errors: FieldErrors;
  prefix?: string;
}) {
  const t = useT();
  const methodLabel = useId();
  const set = (patch: Partial<CredentialsInput>) => onChange({ ...value, ...patch });
  return (
    <Stack gap="sm">
      <div>
        <Text size="sm" fw={500} id={methodLabel}>
          {t('creds.method')}
        </Text>
        <SegmentedControl
          aria-labelledby={methodLabel}
          value={value.authMethod}
          onChange={(v) => set({ authMethod: v === 'ssh_key' ? 'ssh_key' : 'password' })}
          data={[
            { value: 'password', label: t('creds.method.password') },
            { value: 'ssh_key', label: t('creds.method.ssh_key') },
          ]}
        />
      </div>
      {value.authMethod === 'password' ? (
        <PasswordInput
          label={t('creds.password')}
          autoComplete="new-password"
          required
          value={value.password ?? ''}
          error={errors[`${prefix}password`]}
          onChange={(e) => set({ password: e.currentTarget.value })}
        />
      ) : (
        <>
          <Textarea
            label={t('creds.privateKey')}
            description={t('creds.privateKeyHint')}
            required
            autosize
            minRows={3}
            maxRows={8}
            spellCheck={false}
            autoComplete="off"
            value={value.privateKey ?? ''}
            error={errors[`${prefix}privateKey`]}
            onChange={(e) => set({ privateKey: e.currentTarget.value })}
            styles={{ input: { fontFamily: 'monospace' } }}
          />
          <PasswordInput
            label={t('creds.keyPassphrase')}
            autoComplete="off"
            value={value.keyPassphrase ?? ''}
            error={errors[`${prefix}keyPassphrase`]}
            onChange={(e) => set({ keyPassphrase: e.currentTarget.value })}
          />
        </>
      )}
      <Select
        label={t('creds.sudoMode')}
        allowDeselect={false}
        value={value.sudoMode}
        error={errors[`${prefix}sudoMode`]}
        onChange={(v) => set({ sudoMode: SUDO_MODES.find((m) => m === v) ?? 'same_as_ssh' })}
        data={SUDO_MODES.map((m) => ({ value: m, label: t(`creds.sudo.${m}`) }))}
      />
      {value.sudoMode === 'separate' && (
        <PasswordInput
          label={t('creds.sudoPassword')}
          autoComplete="off"
          required
          value={value.sudoPassword ?? ''}
          error={errors[`${prefix}sudoPassword`]}
          onChange={(e) => set({ sudoPassword: e.currentTarget.value })}
        />
      )}
      <Text size="xs" c="dimmed">
        {t('creds.writeOnly')}
      </Text>
    </Stack>
  );
}
