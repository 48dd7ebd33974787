import { SegmentedControl, Stack, Text } from '@mantine/core';
import { useId } from 'react';
import type { MessageKey } from '../i18n/en.ts';
import type { Translate } from '../i18n/translate.ts';
import { usePreferences, type Preferences } from '../preferences/preferences.tsx';

/** One preference as a labelled choice, saved in the user's preferences as soon as it changes. */
function PreferenceSwitch<K extends keyof Preferences>(props: {
  name: K;
  label: MessageKey;
  options: (t: Translate) => { value: Preferences[K]; label: string }[];
}) {
  const { prefs, t, update } = usePreferences();
  const id = useId();
  return (
    <Stack gap={4}>
      <Text size="xs" c="dimmed" id={id}>
        {t(props.label)}
      </Text>
      <SegmentedControl
        size="xs"
        aria-labelledby={id}
        value={prefs[props.name]}
        onChange={(v) => update({ [props.name]: v } as Partial<Preferences>)}
        data={props.options(t)}
      />
    </Stack>
  );
}

/** English / French (each named in its own language). */
export function LanguageSwitch() {
  return (
    <PreferenceSwitch
      name="language"
      label="prefs.language"
      options={() => [
        { value: 'en', label: 'English' },
        { value: 'fr', label: 'Français' },
      ]}
    />
  );
}

export function ThemeSwitch() {
  return (
    <PreferenceSwitch
      name="theme"
      label="prefs.theme"
      options={(t) => [
        { value: 'light', label: t('prefs.theme.light') },
        { value: 'dark', label: t('prefs.theme.dark') },
        { value: 'system', label: t('prefs.theme.system') },
      ]}
    />
  );
}

export function DensitySwitch() {
  return (
    <PreferenceSwitch
      name="density"
      label="prefs.density"
      options={(t) => [
        { value: 'comfortable', label: t('prefs.density.comfortable') },
        { value: 'compact', label: t('prefs.density.compact') },
      ]}
    />
  );
}
