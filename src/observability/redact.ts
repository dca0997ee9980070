/**
 * Personal-data scrubbing for anything that may reach a log line or an error
 * message shown to an operator. Pure functions, no I/O.
 */

/** Keys whose values are never logged, whatever they contain. */
/** Keys whose values are secrets (masked even in audit images). */
const SECRET_KEY = /(pass(word)?|secret|token|authorization|cookie|api[-_]?key|auth[-_]?token|signature|credential|private[-_]?key)/i;

const SENSITIVE_KEY =
  /(pass(word)?|secret|token|authorization|cookie|api[-_]?key|auth[-_]?token|phone|e-?mail|^to$|^from$|transcript|speech|heard|answer|signature|credential|private[-_]?key)/i;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** E.164 numbers and "+39 347 123 4567"-style spellings. */
const INTL_PHONE = /\+\d(?:[ .()-]?\d){6,16}/g;
/** National spellings: 9–15 digits in groups, not glued to letters, digits or hyphens (ids, dates). */
const NATIONAL_PHONE = /(?<![\w-])(?:\(?\d{2,4}\)?[ .]?)\d{2,4}[ .]?\d{3,4}(?:[ .]?\d{1,4})?(?![\w-])/g;

/** Replaces emails and phone-number-like digit runs in free text. */
export function scrubText(text: string): string {
  if (text.length === 0) return text;
  return text
    .replace(EMAIL, '[email]')
    .replace(INTL_PHONE, '[phone]')
    .replace(NATIONAL_PHONE, (m) => (m.replace(/\D/g, '').length >= 9 ? '[phone]' : m));
}

/** Deep copy of `value` with sensitive keys masked and free text scrubbed. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  if (value instanceof Error) return scrubError(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SENSITIVE_KEY.test(k) && v !== null && v !== undefined && typeof v !== 'boolean' ? '[redacted]' : scrubValue(v, depth + 1);
  }
  return out;
}

function scrubError(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: err.name,
    message: scrubText(err.message),
    stack: err.stack ? scrubText(err.stack) : undefined,
  };
  for (const [k, v] of Object.entries(err)) {
    if (k === 'message' || k === 'stack') continue;
    out[k] = SENSITIVE_KEY.test(k) ? '[redacted]' : scrubValue(v, 1);
  }
  return out;
}

/** Keeps the country code and the last two digits: `+39347*****67`. */
export function maskPhone(e164: string): string {
  if (e164.length <= 7) return e164.replace(/\d/g, '*');
  return e164.slice(0, 6) + '*'.repeat(e164.length - 8) + e164.slice(-2);
}

/**
 * Masks values under secret-looking keys (tokens, passwords, keys) but leaves
 * other text alone: for audit images, where wording must stay readable and
 * personal data is kept out by the caller.
 */
export function maskSecretKeys(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 8 || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => maskSecretKeys(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== 'boolean' ? '[redacted]' : maskSecretKeys(v, depth + 1);
  }
  return out;
}
