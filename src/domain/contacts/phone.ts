/**
 * Phone numbers: anything a person may type → E.164, using a default region
 * for national spellings. Pure (libphonenumber-js is a pure library with its
 * metadata bundled, not an I/O SDK).
 */
import { fastParsePhone } from './phone-fast.js';
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode, type NumberType } from 'libphonenumber-js/max';

export type PhoneResult =
  | { readonly ok: true; readonly e164: string }
  | { readonly ok: false; readonly code: 'required' | 'invalid_phone' | 'not_dialable'; readonly message: string };

/**
 * Number types a survey must never dial: the callee or we would pay a premium,
 * or nobody answers (pagers, voicemail access, universal access numbers).
 */
const NOT_DIALABLE: ReadonlySet<NumberType | string> = new Set<NumberType | string>(['PREMIUM_RATE', 'SHARED_COST', 'PAGER', 'UAN', 'VOICEMAIL']);

const E164 = /^\+[1-9]\d{6,14}$/;

/** True when `region` is an ISO 3166 alpha-2 code with a known numbering plan. */
export function isKnownRegion(region: string): boolean {
  return /^[A-Z]{2}$/.test(region) && isSupportedCountry(region);
}

/**
 * Normalizes `raw` to E.164. National spellings use `region` (ISO 3166 alpha-2,
 * e.g. `IT`), so `347 123 4567` and `0039 347 1234567` both become
 * `+393471234567`. Rejects empty input, anything that is not a valid number
 * in its country's numbering plan, and premium/shared-cost/pager numbers
 * (unless `allowNotDialable`, for do-not-call lists).
 */
export function normalizePhone(raw: string, region: string, opts: { allowNotDialable?: boolean } = {}): PhoneResult {
  const v = raw.trim();
  if (v === '') return { ok: false, code: 'required', message: 'phone_number is required' };
  if (v.length > 40 || /[A-Za-z]/.test(v.replace(/\s*(ext\.?|x|#)\s*\d+$/i, ''))) {
    return { ok: false, code: 'invalid_phone', message: 'not a phone number' };
  }
  const fast = fastParsePhone(v, region);
  if (fast) {
    if (!opts.allowNotDialable && NOT_DIALABLE.has(fast.type)) {
      return { ok: false, code: 'not_dialable', message: `${fast.type.toLowerCase().replace(/_/g, ' ')} numbers are never dialled` };
    }
    if (E164.test(fast.e164)) return { ok: true, e164: fast.e164 };
  }
  const parsed = parsePhoneNumberFromString(v, region as CountryCode);
  if (!parsed || !parsed.isValid()) {
    return { ok: false, code: 'invalid_phone', message: `not a valid phone number (national numbers are read as region ${region})` };
  }
  if (parsed.ext) return { ok: false, code: 'not_dialable', message: 'numbers with an extension cannot be dialled automatically' };
  const type = parsed.getType();
  if (!opts.allowNotDialable && type !== undefined && NOT_DIALABLE.has(type)) {
    return { ok: false, code: 'not_dialable', message: `${type.toLowerCase().replace(/_/g, ' ')} numbers are never dialled` };
  }
  const e164 = parsed.number;
  if (!E164.test(e164)) return { ok: false, code: 'invalid_phone', message: 'not a valid phone number' };
  return { ok: true, e164 };
}
