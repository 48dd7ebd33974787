import { en, type MessageKey } from './en.ts';
import { fr } from './fr.ts';

export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

const catalogues: Record<Language, Record<MessageKey, string>> = { en, fr };

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** A translator for one language; `{name}` placeholders take `values` (as text: the UI never renders HTML). */
export function translator(language: Language): Translate {
  const catalogue = catalogues[language];
  return (key, values) =>
    catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
      values && name in values ? String(values[name]) : whole,
    );
}

/** Whether a string names a key of the catalogue (error kinds, machine kinds and statuses come from the API). */
export function isMessageKey(key: string): key is MessageKey {
  return key in en;
}
