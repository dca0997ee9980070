import fc from 'fast-check';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { fastParsePhone } from './phone-fast.js';

/** What libphonenumber-js says: E.164 and type when valid, else undefined. */
function library(raw: string, region: string) {
  const p = parsePhoneNumberFromString(raw, region as CountryCode);
  if (!p || !p.isValid()) return undefined;
  return { e164: p.number as string, type: p.getType() };
}

const REGIONS = ['IT', 'GB', 'US', 'DE', 'FR', 'ES', 'CH', 'VA', 'SM', 'NL', 'BR', 'IN', 'AU', 'RU', 'JP'];
const PREFIXES = ['', '+', '00', '0039', '+39', '+39 3', '+39 0', '3', '0', '+44', '+1', '011', '+49', '0049', '+33', '+378', '+379', '+800', '+7', '+61'];

const spelling = fc.tuple(
  fc.constantFrom(...PREFIXES),
  fc.array(fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), { minLength: 4, maxLength: 13 }),
  fc.constantFrom('', ' ', '-', '.', '/'),
  fc.nat(8),
);

describe('fastParsePhone', () => {
  it('agrees with libphonenumber-js whenever it answers (random spellings, many regions)', () => {
    let answered = 0;
    fc.assert(
      fc.property(spelling, fc.constantFrom(...REGIONS), ([prefix, digits, sep, at], region) => {
        const body = digits.join('');
        const raw = prefix + body.slice(0, at) + sep + body.slice(at);
        const fast = fastParsePhone(raw, region);
        if (fast === undefined) return;
        answered++;
        expect(fast, `${raw} in ${region}`).toEqual(library(raw, region));
      }),
      { numRuns: 20_000 },
    );
    expect(answered).toBeGreaterThan(1000);
  });

  it('answers for the spellings of Italian numbers an import mostly sees', () => {
    for (const raw of ['347 123 4567', '0039 347 1234567', '+39 347 123 4567', '+393471234567', '02 1234 5678', '(347) 123.4567']) {
      const fast = fastParsePhone(raw, 'IT');
      expect(fast, raw).toBeDefined();
      expect(fast).toEqual(library(raw, 'IT'));
    }
    expect(fastParsePhone('+44 20 7946 0958', 'IT')).toEqual(library('+44 20 7946 0958', 'IT'));
  });

  it('leaves what it cannot decide to the library', () => {
    expect(fastParsePhone('347 123 4567 ext 5', 'IT')).toBeUndefined();
    expect(fastParsePhone('020 7946 0958', 'GB')).toBeUndefined(); // national prefix 0
    expect(fastParsePhone('347', 'IT')).toBeUndefined(); // invalid: the library explains
    expect(fastParsePhone('06 698 12345', 'VA')).toBeUndefined();
  });
});
