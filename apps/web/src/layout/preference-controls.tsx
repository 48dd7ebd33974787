import { Stack, Text } from '@mantine/core';
import { useId } from 'react';
import type { MessageKey } from '../i18n/en.ts';
import type { Translate } from '../i18n/translate.ts';
import { usePreferences, type Preferences } from '../preferences/preferences.tsx';
import classes from './choice-switch.module.css';

/**
 * One preference as a labelled group of radio buttons, saved in the user's preferences as soon as it changes. Drawn
 * like Mantine's SegmentedControl, but native radios and CSS only: that control measured its options to place a
 * floating indicator, a forced layout in every first paint of every page (ADR 0041). Arrow keys move the choice, as in
 * any radio group.
 */
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
      <div role="radiogroup" aria-labelledby={id} className={classes.group}>
        {props.options(t).map((o) => (
          <span key={o.value}>
            <input
              type="radio"
              className={classes.input}
              id={`${id}-${o.value}`}
              name={id}
              value={o.value}
              checked={prefs[props.name] === o.value}
              onChange={() => update({ [props.name]: o.value } as Partial<Preferences>)}
            />
            <label className={classes.label} htmlFor={`${id}-${o.value}`}>
              {o.label}
            </label>
          </span>
        ))}
      </div>
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
