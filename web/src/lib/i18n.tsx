/** English and Italian interface text; the choice is remembered in this browser. */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import * as admin from '../i18n/admin';
import * as core from '../i18n/core';
import * as dashboard from '../i18n/dashboard';
import * as demo from '../i18n/demo';
import * as exclusions from '../i18n/exclusions';
import * as templates from '../i18n/templates';
import * as testcall from '../i18n/testcall';

/**
 * Each area keeps its messages in `web/src/i18n/<area>.ts` exporting `en` and `it`
 * (`it` typed as `Record<keyof typeof en, string>` so no translation is missing); list it here.
 */
const areas = [core, testcall, dashboard, exclusions, templates, admin, demo] as const;
const en = Object.assign({}, ...areas.map((a) => a.en)) as UnionToIntersection<(typeof areas)[number]['en']>;
const it = Object.assign({}, ...areas.map((a) => a.it)) as Record<MessageKey, string>;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
export type MessageKey = keyof typeof en;

export type Locale = 'en' | 'it';
const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, it };
const STORAGE_KEY = 'vsa.locale';

interface I18n {
  locale: Locale;
  setLocale(l: Locale): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
}

const Ctx = createContext<I18n | null>(null);

function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'it') return saved;
  return navigator.language.toLowerCase().startsWith('it') ? 'it' : 'en';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);
  const setLocale = useCallback((l: Locale) => {
    localStorage.setItem(STORAGE_KEY, l);
    setLocaleState(l);
  }, []);
  const value = useMemo<I18n>(
    () => ({
      locale,
      setLocale,
      t: (key, vars) => dictionaries[locale][key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars?.[k] ?? `{${k}}`)),
    }),
    [locale, setLocale],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
