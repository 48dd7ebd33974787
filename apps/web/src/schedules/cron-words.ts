import cronstrue from 'cronstrue';
import 'cronstrue/locales/fr';
import type { Language } from '../i18n/translate.ts';

/**
 * A 5-field cron in words, in the user's language (cronstrue). Words only: when it fires is never computed here but
 * by the gateway with the scheduler's own library (POST /schedules/preview), so the page and the scheduler agree.
 * Null when the words cannot be made (the gateway's answer then names the faulty field).
 */
export function cronInWords(cron: string, language: Language): string | null {
  if (cron.trim().split(/\s+/).length !== 5) return null;
  try {
    return cronstrue.toString(cron, { locale: language, use24HourTimeFormat: true, verbose: false });
  } catch {
    return null;
  }
}
