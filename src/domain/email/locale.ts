/**
 * Which language a follow-up email is written in, and which template variant
 * provides it. Pure.
 */
export type Locale = 'en' | 'it';

export interface TemplateVariant {
  readonly id: string;
  readonly locale: Locale;
}

/** The contact's language, else (for `auto`) the campaign's. */
export function requestedLocale(contactLanguage: 'en' | 'it' | 'auto', campaignLanguage: Locale): Locale {
  return contactLanguage === 'auto' ? campaignLanguage : contactLanguage;
}

export interface TemplateChoice {
  readonly templateId: string;
  readonly locale: Locale;
  readonly requested: Locale;
  /** Set when the email is not in the requested language, saying why. */
  readonly note: string | null;
}

/**
 * Picks the variant in the requested locale: the campaign's own template when it
 * is in that locale, else a translation of it (`translations`: same type and
 * translation key or name, any locale). Falls back to the campaign's template
 * and records that.
 */
export function chooseTemplate(base: TemplateVariant, translations: readonly TemplateVariant[], requested: Locale): TemplateChoice {
  if (base.locale === requested) return { templateId: base.id, locale: requested, requested, note: null };
  const match = translations.find((t) => t.locale === requested);
  if (match) return { templateId: match.id, locale: requested, requested, note: null };
  return {
    templateId: base.id,
    locale: base.locale,
    requested,
    note: `no ${requested} version of the template; sent in ${base.locale}`,
  };
}
