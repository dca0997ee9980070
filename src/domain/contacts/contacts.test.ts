import { describe, expect, it } from 'vitest';
import {
  CONTACT_COLUMNS,
  EXCLUSION_COLUMNS,
  assertCampaignAcceptsContacts,
  isKnownRegion,
  mapHeader,
  normalizePhone,
  parseBoolean,
  parseEmail,
  parseLanguage,
  parseTimeZone,
  validateContactRow,
  validateExclusionRow,
} from './index.js';
import { DomainError } from '../errors.js';

describe('normalizePhone', () => {
  it.each([
    ['347 123 4567', '+393471234567'],
    ['0039 347 1234567', '+393471234567'],
    ['+39 347 123 4567', '+393471234567'],
    ['+39-347-123-4567', '+393471234567'],
    ['(347) 123.4567', '+393471234567'],
    ['3471234567', '+393471234567'],
    ['  +393471234567  ', '+393471234567'],
    ['06 6982 0000', '+390669820000'], // Rome landline keeps its leading 0
    ['+44 20 7946 0958', '+442079460958'],
    ['+1 (415) 555-2671', '+14155552671'],
    ['0044 7911 123456', '+447911123456'],
  ])('%s → %s (region IT)', (raw, e164) => {
    expect(normalizePhone(raw, 'IT')).toEqual({ ok: true, e164 });
  });

  it('reads national numbers in the given region', () => {
    expect(normalizePhone('020 7946 0958', 'GB')).toEqual({ ok: true, e164: '+442079460958' });
    expect(normalizePhone('(415) 555-2671', 'US')).toEqual({ ok: true, e164: '+14155552671' });
    expect(normalizePhone('(415) 555-2671', 'IT').ok).toBe(false);
  });

  it.each([
    ['', 'required'],
    ['   ', 'required'],
    ['abc', 'invalid_phone'],
    ['347', 'invalid_phone'],
    ['12345', 'invalid_phone'],
    ['+39 347 123', 'invalid_phone'],
    ['347 123 4567 8901 2345', 'invalid_phone'],
    ['+999 1234567', 'invalid_phone'],
    ['call me maybe 3471234567', 'invalid_phone'],
    ['1'.repeat(60), 'invalid_phone'],
    ['899 123 456', 'not_dialable'], // Italian premium rate
    ['+39 347 1234567 ext. 12', 'not_dialable'],
  ])('rejects %j as %s', (raw, code) => {
    const r = normalizePhone(raw, 'IT');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });

  it('lets do-not-call lists keep premium numbers', () => {
    expect(normalizePhone('899 123 456', 'IT', { allowNotDialable: true })).toEqual({ ok: true, e164: '+39899123456' });
  });

  it('knows real regions only', () => {
    expect(isKnownRegion('IT')).toBe(true);
    expect(isKnownRegion('GB')).toBe(true);
    expect(isKnownRegion('XX')).toBe(false);
    expect(isKnownRegion('it')).toBe(false);
  });
});

describe('cell values', () => {
  it.each([
    ['true', true], ['TRUE', true], ['yes', true], ['Y', true], ['1', true], ['sì', true], ['SI', true], ['Sì', true],
    ['false', false], ['No', false], ['n', false], ['0', false], ['', false], ['  ', false],
  ])('boolean %j → %s', (raw, value) => expect(parseBoolean(raw)).toBe(value));

  it.each(['maybe', '2', 'ja', 'tru', '-1'])('boolean %j is invalid', (raw) => expect(parseBoolean(raw)).toBeUndefined());

  it.each([
    ['en', 'en'], ['EN', 'en'], [' It ', 'it'], ['auto', 'auto'], ['AUTO', 'auto'], ['', 'auto'], ['italiano', 'it'], ['English', 'en'],
  ])('language %j → %s', (raw, value) => expect(parseLanguage(raw)).toBe(value));

  it.each(['fr', 'de', 'e', 'auto-detect'])('language %j is invalid', (raw) => expect(parseLanguage(raw)).toBeUndefined());

  it.each(['a@example.org', 'first.last+tag@sub.example.co.uk', ' mario.rossi@esempio.it '])('email %j is valid', (raw) => {
    expect(parseEmail(raw)).toBe(raw.trim());
  });

  it.each(['a@b', 'no-at.example.org', 'a@@example.org', 'a b@example.org', '.a@example.org', 'a..b@example.org', 'a@example.', `${'x'.repeat(250)}@example.org`])(
    'email %j is invalid',
    (raw) => expect(parseEmail(raw)).toBeUndefined(),
  );

  it('time zones are IANA names, canonicalized', () => {
    expect(parseTimeZone('Europe/Rome')).toBe('Europe/Rome');
    expect(parseTimeZone(' America/New_York ')).toBe('America/New_York');
    expect(parseTimeZone('europe/rome')).toBe('Europe/Rome');
    expect(parseTimeZone('UTC')).toBe('UTC');
    expect(parseTimeZone('Mars/Olympus')).toBeUndefined();
    expect(parseTimeZone('+01:00')).toBeUndefined();
    expect(parseTimeZone('CET now')).toBeUndefined();
  });
});

describe('mapHeader', () => {
  it('matches case-insensitively and trimmed, lists unknown columns once', () => {
    const h = mapHeader([' Phone_Number ', 'EMAIL', 'Language', 'notes', 'Do Not Call', '', 'notes', 'external-contact-id'], CONTACT_COLUMNS);
    expect(h.index).toEqual({ phone_number: 0, email: 1, language: 2, do_not_call: 4, external_contact_id: 7 });
    expect(h.unknown).toEqual(['notes']);
    expect(h.repeated).toEqual([]);
  });

  it('reports repeated known columns and keeps the first', () => {
    const h = mapHeader(['phone_number', 'PHONE_NUMBER'], CONTACT_COLUMNS);
    expect(h.index.phone_number).toBe(0);
    expect(h.repeated).toEqual(['phone_number']);
  });

  it('finds no phone column when there is none', () => {
    expect(mapHeader(['name', 'mobile'], CONTACT_COLUMNS).index.phone_number).toBeUndefined();
  });
});

describe('validateContactRow', () => {
  const header = mapHeader(
    ['phone_number', 'external_contact_id', 'email', 'language', 'has_prior_consent', 'do_not_call', 'timezone', 'notes'],
    CONTACT_COLUMNS,
  );
  const row = (cells: string[]) => validateContactRow(cells, header, 8, 'IT');

  it('accepts a full row', () => {
    expect(row(['347 123 4567', ' ext-1 ', 'a@example.org', 'IT', 'sì', 'no', 'Europe/Rome', 'anything'])).toEqual({
      ok: true,
      value: {
        phone_number: '+393471234567',
        external_contact_id: 'ext-1',
        email: 'a@example.org',
        preferred_language: 'it',
        has_prior_consent: true,
        do_not_call: false,
        timezone: 'Europe/Rome',
      },
    });
  });

  it('fills defaults for empty and missing cells', () => {
    expect(row(['+393471234567'])).toEqual({
      ok: true,
      value: {
        phone_number: '+393471234567',
        external_contact_id: null,
        email: null,
        preferred_language: 'auto',
        has_prior_consent: false,
        do_not_call: false,
        timezone: null,
      },
    });
  });

  it('reports every failing field of the row', () => {
    const r = row(['12', 'x'.repeat(201), 'bad@', 'fr', 'maybe', 'perhaps', 'Mars/Base', '']);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => `${p.field}:${p.code}`)).toEqual([
      'phone_number:invalid_phone',
      'external_contact_id:too_long',
      'email:invalid_email',
      'language:invalid_language',
      'has_prior_consent:invalid_boolean',
      'do_not_call:invalid_boolean',
      'timezone:invalid_timezone',
    ]);
    for (const p of r.problems) expect(p.message).not.toMatch(/\d{6,}/);
  });

  it('an invalid optional email rejects the row', () => {
    const r = row(['3471234567', '', 'not-an-email']);
    expect(r).toMatchObject({ ok: false, problems: [{ field: 'email', code: 'invalid_email' }] });
  });

  it('rejects a row with non-empty cells beyond the header, tolerates empty ones', () => {
    expect(row(['3471234567', '', '', '', '', '', '', '', 'surprise'])).toMatchObject({ ok: false, problems: [{ field: 'row', code: 'too_many_columns' }] });
    expect(row(['3471234567', '', '', '', '', '', '', '', '', '']).ok).toBe(true);
  });

  it('rejects a missing number as required', () => {
    expect(row(['', 'ext'])).toMatchObject({ ok: false, problems: [{ field: 'phone_number', code: 'required' }] });
  });
});

describe('validateExclusionRow', () => {
  const header = mapHeader(['Phone_Number', 'Reason'], EXCLUSION_COLUMNS);
  it('normalizes the number and keeps the reason', () => {
    expect(validateExclusionRow(['0039 347 1234567', ' asked '], header, 2, 'IT')).toEqual({
      ok: true,
      value: { phone_number: '+393471234567', reason: 'asked' },
    });
    expect(validateExclusionRow(['899 123 456'], header, 2, 'IT')).toMatchObject({ ok: true, value: { phone_number: '+39899123456', reason: null } });
    expect(validateExclusionRow(['nope'], header, 2, 'IT')).toMatchObject({ ok: false, problems: [{ field: 'phone_number', code: 'invalid_phone' }] });
  });
});

describe('assertCampaignAcceptsContacts', () => {
  it.each(['draft', 'scheduled', 'paused', 'running'])('%s accepts contacts', (s) => expect(() => assertCampaignAcceptsContacts(s)).not.toThrow());
  it.each(['completed', 'cancelled'])('%s is a conflict', (s) => {
    try {
      assertCampaignAcceptsContacts(s);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toMatchObject({ code: 'contacts.import_not_allowed', kind: 'conflict' });
    }
  });
});
