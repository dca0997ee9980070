/**
 * Local time of a contact: which IANA zone their calling window is read in, and
 * the wall-clock parts of an instant in that zone (DST handled by the platform's
 * time-zone database through Intl).
 */
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * Countries that observe a single time zone, by ISO 3166 alpha-2 code. Countries
 * that share a calling code are listed together with the same zone (or a zone
 * with identical rules), so that the zone follows from the calling code alone —
 * which is what the claim query uses (see callingCodeZones()). Countries with
 * several zones (US, CA, RU, ES with the Canaries, PT with the Azores, BR, AU, …)
 * are deliberately absent: their contacts fall back to the campaign's zone unless
 * imported with a zone of their own.
 */
export const COUNTRY_ZONES: Readonly<Partial<Record<CountryCode, string>>> = Object.freeze({
  IT: 'Europe/Rome', VA: 'Europe/Rome', SM: 'Europe/Rome', MT: 'Europe/Malta',
  DE: 'Europe/Berlin', AT: 'Europe/Vienna', CH: 'Europe/Zurich', LI: 'Europe/Vaduz',
  FR: 'Europe/Paris', MC: 'Europe/Monaco', BE: 'Europe/Brussels', NL: 'Europe/Amsterdam', LU: 'Europe/Luxembourg',
  GB: 'Europe/London', GG: 'Europe/London', JE: 'Europe/London', IM: 'Europe/London', IE: 'Europe/Dublin',
  DK: 'Europe/Copenhagen', SE: 'Europe/Stockholm', NO: 'Europe/Oslo', SJ: 'Europe/Oslo',
  FI: 'Europe/Helsinki', AX: 'Europe/Helsinki', IS: 'Atlantic/Reykjavik',
  PL: 'Europe/Warsaw', CZ: 'Europe/Prague', SK: 'Europe/Bratislava', HU: 'Europe/Budapest',
  SI: 'Europe/Ljubljana', HR: 'Europe/Zagreb', RO: 'Europe/Bucharest', BG: 'Europe/Sofia',
  GR: 'Europe/Athens', CY: 'Asia/Nicosia', EE: 'Europe/Tallinn', LV: 'Europe/Riga', LT: 'Europe/Vilnius',
  AD: 'Europe/Andorra', AL: 'Europe/Tirane', RS: 'Europe/Belgrade', ME: 'Europe/Podgorica',
  BA: 'Europe/Sarajevo', MK: 'Europe/Skopje', TR: 'Europe/Istanbul', IL: 'Asia/Jerusalem',
  JP: 'Asia/Tokyo', KR: 'Asia/Seoul', IN: 'Asia/Kolkata', SG: 'Asia/Singapore', HK: 'Asia/Hong_Kong',
  ZA: 'Africa/Johannesburg', EG: 'Africa/Cairo', TN: 'Africa/Tunis',
});

let codeZonesCache: Readonly<Record<string, string>> | undefined;

/**
 * Calling code (digits, no `+`) → zone, for the codes where every country
 * sharing the code is in COUNTRY_ZONES with the same zone. E.164 calling codes
 * are prefix-free, so `'+' || code` is an exact prefix test on a stored number.
 */
export function callingCodeZones(): Readonly<Record<string, string>> {
  if (codeZonesCache) return codeZonesCache;
  const byCode = new Map<string, Set<string | undefined>>();
  for (const country of getCountries()) {
    const code = getCountryCallingCode(country);
    const set = byCode.get(code) ?? new Set();
    set.add(COUNTRY_ZONES[country]);
    byCode.set(code, set);
  }
  const out: Record<string, string> = {};
  for (const [code, zones] of byCode) {
    if (zones.size === 1) {
      const [zone] = [...zones];
      if (zone) out[code] = zone;
    }
  }
  codeZonesCache = Object.freeze(out);
  return codeZonesCache;
}

/** The zone implied by an E.164 number's country, when that country has one zone. */
export function zoneForNumber(e164: string): string | undefined {
  const code = parsePhoneNumberFromString(e164)?.countryCallingCode;
  return code ? callingCodeZones()[code] : undefined;
}

/** The zone a contact's calling window is evaluated in. */
export function resolveTimeZone(input: { contactTimezone?: string | null; phoneNumber: string; campaignTimezone: string }): string {
  if (input.contactTimezone && isValidTimeZone(input.contactTimezone)) return input.contactTimezone;
  return zoneForNumber(input.phoneNumber) ?? input.campaignTimezone;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', weekday: 'short',
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

export function isValidTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalParts {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  readonly isoWeekday: number;
  /** Seconds since local midnight. */
  readonly secondOfDay: number;
  /** `YYYY-MM-DD` local date. */
  readonly date: string;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** Wall-clock parts of `instant` in `zone`. Throws RangeError for an unknown zone. */
export function localParts(instant: Date, zone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(instant)) parts[p.type] = p.value;
  return {
    isoWeekday: WEEKDAYS[parts.weekday!]!,
    secondOfDay: Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second),
    date: `${parts.year}-${parts.month}-${parts.day}`,
  };
}

/** `HH:MM` or `HH:MM:SS` → seconds since midnight. */
export function parseTimeOfDay(t: string): number {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(t);
  if (!m) throw new RangeError(`not a time of day: ${t}`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0);
}
