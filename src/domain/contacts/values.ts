/**
 * Cell-level parsing for contact files: booleans, languages, emails, time
 * zones. Pure functions; each returns a value or `undefined` for "invalid".
 */
/** Mirrors the `contact_language` enum. */
export type ContactLanguage = 'en' | 'it' | 'auto';

const TRUE = new Set(['true', 'yes', '1', 'y', 'sì', 'si', 's', 'vero']);
const FALSE = new Set(['false', 'no', '0', 'n', 'falso']);

/**
 * true/false, yes/no, 1/0, y/n, sì/si/no (any case, trimmed); empty is false.
 * Returns undefined for anything else.
 */
export function parseBoolean(raw: string | undefined): boolean | undefined {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '') return false;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return undefined;
}

/** en / it / auto (any case); empty is auto; English/Italiano spelled out also work. */
export function parseLanguage(raw: string | undefined): ContactLanguage | undefined {
  const v = (raw ?? '').trim().toLowerCase();
  switch (v) {
    case '':
    case 'auto':
      return 'auto';
    case 'en':
    case 'eng':
    case 'english':
    case 'inglese':
      return 'en';
    case 'it':
    case 'ita':
    case 'italian':
    case 'italiano':
      return 'it';
    default:
      return undefined;
  }
}

export const EMAIL_MAX_LENGTH = 254;
// Pragmatic address syntax: one @, a dotted domain with a 2+ letter TLD, no spaces.
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,63}$/;

/** A syntactically valid address (trimmed), or undefined. */
export function parseEmail(raw: string): string | undefined {
  const v = raw.trim();
  if (v.length > EMAIL_MAX_LENGTH || !EMAIL.test(v)) return undefined;
  const [local] = v.split('@');
  if (!local || local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return undefined;
  return v;
}

const zoneCache = new Map<string, string | null>();

/**
 * A valid IANA time zone name, in its canonical spelling (`europe/rome` →
 * `Europe/Rome`), or undefined. Fixed offsets like `+01:00` are not zones.
 */
export function parseTimeZone(raw: string): string | undefined {
  const v = raw.trim();
  const cached = zoneCache.get(v);
  if (cached !== undefined) return cached ?? undefined;
  let result: string | null = null;
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(v)) {
    try {
      result = new Intl.DateTimeFormat('en-US', { timeZone: v }).resolvedOptions().timeZone;
    } catch {
      result = null;
    }
  }
  if (zoneCache.size < 10_000) zoneCache.set(v, result);
  return result ?? undefined;
}
