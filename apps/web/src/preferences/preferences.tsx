import { useMantineColorScheme } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, unwrap } from '../api/client.ts';
import { translator, type Language, type Translate } from '../i18n/translate.ts';

export interface Preferences {
  theme: 'light' | 'dark' | 'system';
  density: 'comfortable' | 'compact';
  language: Language;
}

const FALLBACK_KEY = 'su.preferences';
const DEFAULTS: Preferences = { theme: 'system', density: 'comfortable', language: 'en' };

/** The last preferences seen, for the first paint before the server answers (never a secret). */
function firstPaint(): Preferences {
  try {
    const saved = JSON.parse(localStorage.getItem(FALLBACK_KEY) ?? 'null') as Partial<Preferences> | null;
    const browserFr = navigator.language.toLowerCase().startsWith('fr');
    return { ...DEFAULTS, ...(browserFr ? { language: 'fr' as const } : {}), ...(saved ?? {}) };
  } catch {
    return DEFAULTS;
  }
}

interface PreferencesContext {
  prefs: Preferences;
  t: Translate;
  /** Applies at once; saved server-side when signed in. */
  update(change: Partial<Preferences>): void;
}

const Ctx = createContext<PreferencesContext | null>(null);

/** Theme, density and language: server-side in `user_preferences` (ADR 0019), localStorage as first-paint fallback. */
export function PreferencesProvider({ signedIn, children }: { signedIn: boolean; children: ReactNode }) {
  const queryClient = useQueryClient();
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const server = useQuery({
    queryKey: ['preferences'],
    enabled: signedIn,
    queryFn: () => unwrap<Preferences>(api.GET('/api/v1/me/preferences')),
  });
  const [local, setLocal] = useState(firstPaint);
  // The same object while the values are the same: the server's answer usually repeats the first-paint fallback, and a
  // new object would re-render every consumer (the dashboard's tiles among them) for nothing.
  const { theme, density, language } = signedIn && server.data ? server.data : local;
  const prefs = useMemo(() => ({ theme, density, language }), [theme, density, language]);
  const save = useMutation({
    mutationFn: (p: Preferences) => unwrap(api.PUT('/api/v1/me/preferences', { body: p })),
  });

  useEffect(() => {
    localStorage.setItem(FALLBACK_KEY, JSON.stringify(prefs));
    document.documentElement.lang = prefs.language;
  }, [prefs]);
  // Only a change: Mantine's setter turns transitions off and reads the page's style to turn them on again (a forced
  // style recalculation), which the first paint paid when the preference was already the one shown (ADR 0041).
  const scheme = prefs.theme === 'system' ? 'auto' : prefs.theme;
  useEffect(() => {
    if (colorScheme !== scheme) setColorScheme(scheme);
  }, [colorScheme, scheme, setColorScheme]);

  const update = useCallback(
    (change: Partial<Preferences>) => {
      const next = { ...prefs, ...change };
      setLocal(next);
      if (signedIn) {
        queryClient.setQueryData(['preferences'], next);
        save.mutate(next);
      }
    },
    [prefs, signedIn, queryClient, save],
  );
  const value = useMemo(() => ({ prefs, t: translator(prefs.language), update }), [prefs, update]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function usePreferences(): PreferencesContext {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error('usePreferences outside PreferencesProvider');
  return ctx;
}

export const useT = (): Translate => usePreferences().t;
