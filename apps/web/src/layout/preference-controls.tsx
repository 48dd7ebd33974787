import { SegmentedControl, Stack, Text } from '@mantine/core';
import { useId } from 'react';
import { usePreferences, type Preferences } from '../preferences/preferences.tsx';

/** English / French, saved in the user's preferences. */
export function LanguageSwitch() {
  const { prefs, t, update } = usePreferences();
  const id = useId();
  return (
    <Stack gap={4}>
      <Text size="xs" c="dimmed" id={id}>
        {t('prefs.language')}
      </Text>
      <SegmentedControl
        size="xs"
        aria-labelledby={id}
        value={prefs.language}
        onChange={(v) => update({ language: v as Preferences['language'] })}
        data={[
          { value: 'en', label: 'English' },
          { value: 'fr', label: 'Français' },
        ]}
      />
    </Stack>
  );
}

export function ThemeSwitch() {
  const { prefs, t, update } = usePreferences();
  const id = useId();
  return (
    <Stack gap={4}>
      <Text size="xs" c="dimmed" id={id}>
        {t('prefs.theme')}
      </Text>
      <SegmentedControl
        size="xs"
        aria-labelledby={id}
        value={prefs.theme}
        onChange={(v) => update({ theme: v as Preferences['theme'] })}
        data={[
          { value: 'light', label: t('prefs.theme.light') },
          { value: 'dark', label: t('prefs.theme.dark') },
          { value: 'system', label: t('prefs.theme.system') },
        ]}
      />
    </Stack>
  );
}

export function DensitySwitch() {
  const { prefs, t, update } = usePreferences();
  const id = useId();
  return (
    <Stack gap={4}>
      <Text size="xs" c="dimmed" id={id}>
        {t('prefs.density')}
      </Text>
      <SegmentedControl
        size="xs"
        aria-labelledby={id}
        value={prefs.density}
        onChange={(v) => update({ density: v as Preferences['density'] })}
        data={[
          { value: 'comfortable', label: t('prefs.density.comfortable') },
          { value: 'compact', label: t('prefs.density.compact') },
        ]}
      />
    </Stack>
  );
}
