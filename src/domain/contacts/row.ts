/**
 * One data row of a contacts (or exclusion) file → a contact to store, or the
 * list of problems that reject it. Pure.
 */
import type { ContactColumn, ExclusionColumn, HeaderMapping } from './fields.js';
import { normalizePhone } from './phone.js';
import { parseBoolean, parseEmail, parseLanguage, parseTimeZone, type ContactLanguage } from './values.js';

/** One reason a row was rejected: `{ field, code, message }` (the report adds the line). */
export interface RowProblem {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

export interface ContactRow {
  readonly phone_number: string;
  readonly external_contact_id: string | null;
  readonly email: string | null;
  readonly preferred_language: ContactLanguage;
  readonly has_prior_consent: boolean;
  readonly do_not_call: boolean;
  readonly timezone: string | null;
}

export type RowResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly RowProblem[] };

export const EXTERNAL_ID_MAX_LENGTH = 200;
export const REASON_MAX_LENGTH = 500;

const cell = (cells: readonly string[], i: number | undefined): string => (i === undefined ? '' : (cells[i] ?? ''));

/** Non-empty cells beyond the header's width: the row does not fit the header. */
function extraCells(cells: readonly string[], width: number): RowProblem | undefined {
  for (let i = width; i < cells.length; i++) {
    if (cells[i]!.trim() !== '') {
      return { field: 'row', code: 'too_many_columns', message: `the row has ${cells.length} columns, the header ${width}` };
    }
  }
  return undefined;
}

/**
 * Validates one contacts row. Every failing field is reported, so a person
 * fixing the file sees all problems of a line at once.
 */
export function validateContactRow(
  cells: readonly string[],
  header: HeaderMapping<ContactColumn>,
  headerWidth: number,
  region: string,
): RowResult<ContactRow> {
  const problems: RowProblem[] = [];
  const { index } = header;

  const extra = extraCells(cells, headerWidth);
  if (extra) problems.push(extra);

  const phone = normalizePhone(cell(cells, index.phone_number), region);
  if (!phone.ok) problems.push({ field: 'phone_number', code: phone.code, message: phone.message });

  const externalRaw = cell(cells, index.external_contact_id).trim();
  if (externalRaw.length > EXTERNAL_ID_MAX_LENGTH) {
    problems.push({ field: 'external_contact_id', code: 'too_long', message: `at most ${EXTERNAL_ID_MAX_LENGTH} characters` });
  }

  const emailRaw = cell(cells, index.email).trim();
  let email: string | null = null;
  if (emailRaw !== '') {
    const parsed = parseEmail(emailRaw);
    if (parsed === undefined) problems.push({ field: 'email', code: 'invalid_email', message: 'not a valid email address' });
    else email = parsed;
  }

  const language = parseLanguage(cell(cells, index.language));
  if (language === undefined) problems.push({ field: 'language', code: 'invalid_language', message: 'must be en, it or auto' });

  const consent = parseBoolean(cell(cells, index.has_prior_consent));
  if (consent === undefined) {
    problems.push({ field: 'has_prior_consent', code: 'invalid_boolean', message: 'must be true/false, yes/no, 1/0, y/n or sì/no' });
  }
  const dnc = parseBoolean(cell(cells, index.do_not_call));
  if (dnc === undefined) {
    problems.push({ field: 'do_not_call', code: 'invalid_boolean', message: 'must be true/false, yes/no, 1/0, y/n or sì/no' });
  }

  const tzRaw = cell(cells, index.timezone).trim();
  let timezone: string | null = null;
  if (tzRaw !== '') {
    const tz = parseTimeZone(tzRaw);
    if (tz === undefined) problems.push({ field: 'timezone', code: 'invalid_timezone', message: 'not an IANA time zone (e.g. Europe/Rome)' });
    else timezone = tz;
  }

  if (problems.length > 0 || !phone.ok) return { ok: false, problems };
  return {
    ok: true,
    value: {
      phone_number: phone.e164,
      external_contact_id: externalRaw === '' ? null : externalRaw,
      email,
      preferred_language: language!,
      has_prior_consent: consent!,
      do_not_call: dnc!,
      timezone,
    },
  };
}

export interface ExclusionRow {
  readonly phone_number: string;
  readonly reason: string | null;
}

/** Validates one exclusion-file row: a dialable number and an optional reason. */
export function validateExclusionRow(
  cells: readonly string[],
  header: HeaderMapping<ExclusionColumn>,
  headerWidth: number,
  region: string,
): RowResult<ExclusionRow> {
  const problems: RowProblem[] = [];
  const extra = extraCells(cells, headerWidth);
  if (extra) problems.push(extra);
  // A premium-rate number on a do-not-call list is harmless: keep it listed.
  const phone = normalizePhone(cell(cells, header.index.phone_number), region, { allowNotDialable: true });
  if (!phone.ok) problems.push({ field: 'phone_number', code: phone.code, message: phone.message });
  const reasonRaw = cell(cells, header.index.reason).trim();
  if (reasonRaw.length > REASON_MAX_LENGTH) problems.push({ field: 'reason', code: 'too_long', message: `at most ${REASON_MAX_LENGTH} characters` });
  if (problems.length > 0 || !phone.ok) return { ok: false, problems };
  return { ok: true, value: { phone_number: phone.e164, reason: reasonRaw === '' ? null : reasonRaw } };
}
