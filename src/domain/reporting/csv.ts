/**
 * The campaign export's CSV format, as pure functions: columns, cell
 * neutralization against spreadsheet formula injection, RFC 4180 quoting.
 * docs/reporting.md describes the format for analysts.
 */
import { ValidationError } from '../errors.js';

export const EXPORT_COLUMNS = [
  'campaign_id', 'contact_id', 'external_contact_id', 'phone_number', 'state', 'outcome', 'attempt_count',
  'first_attempt_at', 'last_attempt_at', 'completed_at',
  'q1_answer', 'q2_answer', 'q3_answer', 'q1_confidence', 'q2_confidence', 'q3_confidence',
] as const;

export const EXPORT_DELIMITERS = [',', ';', '\t', '|'] as const;
export type ExportDelimiter = (typeof EXPORT_DELIMITERS)[number];

export interface CsvOptions {
  /** Field separator (default ','). */
  readonly delimiter?: ExportDelimiter;
  /** Start the file with a UTF-8 byte order mark so Excel reads it as UTF-8. */
  readonly bom?: boolean;
}

export const UTF8_BOM = '\uFEFF';

/** Parses user-supplied options; `;` and `\t`/`tab` are accepted spellings. */
export function parseCsvOptions(input: { delimiter?: string; bom?: boolean | string }): Required<CsvOptions> {
  const raw = input.delimiter ?? ',';
  const delimiter = raw === 'tab' || raw === '\\t' ? '\t' : raw === 'semicolon' ? ';' : raw === 'comma' ? ',' : raw;
  if (!(EXPORT_DELIMITERS as readonly string[]).includes(delimiter)) {
    throw new ValidationError('export.invalid_options', 'invalid export options', [
      { field: 'delimiter', code: 'invalid', message: 'must be one of , ; tab |' },
    ]);
  }
  const bom = input.bom === true || input.bom === 'true' || input.bom === '1';
  return { delimiter: delimiter as ExportDelimiter, bom };
}

/** A plain decimal number (what a spreadsheet reads as a number, never a formula). */
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d+)?|\.\d+)$/;
/** First characters a spreadsheet treats as the start of a formula (or strips before one). */
const DANGEROUS_START = /^[=+\-@\t\r]/;

/**
 * Neutralizes a text cell against formula injection (OWASP): a cell starting
 * with = + - @ tab or CR gets a leading apostrophe, which spreadsheets show as
 * text. Plain numbers (`-3`, `+2.5`) stay numbers, because they cannot carry a
 * formula — unless `asText` is set: phone numbers are E.164 (`+39…`), which a
 * spreadsheet would otherwise turn into `3.93E+11`; the apostrophe keeps them
 * readable, with their `+`, and inert.
 */
export function neutralizeCell(value: string, asText = false): string {
  if (!asText && PLAIN_NUMBER.test(value)) return value;
  return DANGEROUS_START.test(value) ? `'${value}` : value;
}

/** RFC 4180 quoting: quote when the field holds the delimiter, a quote, CR or LF. */
export function quoteField(value: string, delimiter: string): string {
  if (value.includes(delimiter) || value.includes('"') || value.includes('\n') || value.includes('\r')) {
    return `"${value.replace(/"/g, '""')}"`;
  }
  return value;
}

export type CellValue = string | number | Date | null | undefined;

/** ISO 8601 UTC, whole seconds: `2026-03-02T09:15:00Z`. */
export const formatTimestamp = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** One CSV record (with CRLF). Strings are neutralized; numbers and dates are written as they are. */
export function formatRecord(values: readonly CellValue[], delimiter: string, textColumns: ReadonlySet<number> = new Set()): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let cell: string;
    if (v === null || v === undefined) cell = '';
    else if (typeof v === 'number') cell = Number.isFinite(v) ? String(v) : '';
    else if (v instanceof Date) cell = formatTimestamp(v);
    else cell = quoteField(neutralizeCell(v, textColumns.has(i)), delimiter);
    line += i === 0 ? cell : delimiter + cell;
  }
  return `${line}\r\n`;
}

export const headerRecord = (delimiter: string): string => formatRecord([...EXPORT_COLUMNS], delimiter);
