/**
 * What a file is before we parse it: binary or text, which encoding, which
 * delimiter. Pure functions over the first bytes / the first line.
 */

export type CsvEncoding = 'utf-8' | 'latin1' | 'windows-1252';
export type CsvDelimiter = ',' | ';' | '\t';

export const DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t'];

/** A reason the bytes are not a text file, or undefined when they look like text. */
export function binaryReason(sample: Uint8Array): string | undefined {
  if (sample.length >= 2 && ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff))) {
    return 'the file is UTF-16 text; save it as UTF-8 CSV';
  }
  if (sample.length >= 4 && sample[0] === 0x50 && sample[1] === 0x4b && sample[2] === 0x03 && sample[3] === 0x04) {
    return 'the file is a ZIP archive (an .xlsx workbook?); save it as CSV';
  }
  if (sample.length >= 4 && sample[0] === 0x25 && sample[1] === 0x50 && sample[2] === 0x44 && sample[3] === 0x46) {
    return 'the file is a PDF, not CSV';
  }
  if (sample.length >= 8 && sample[0] === 0xd0 && sample[1] === 0xcf && sample[2] === 0x11 && sample[3] === 0xe0) {
    return 'the file is a legacy Office document (.xls?); save it as CSV';
  }
  let control = 0;
  for (const b of sample) {
    if (b === 0) return 'the file contains NUL bytes: it is binary, not CSV';
    // Control characters other than tab, LF, FF, CR are rare in text.
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) control++;
  }
  if (sample.length > 0 && control / sample.length > 0.01) return 'the file contains control characters: it is binary, not CSV';
  return undefined;
}

/** True when the bytes start with the UTF-8 byte order mark. */
export const hasUtf8Bom = (sample: Uint8Array): boolean => sample.length >= 3 && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf;

/**
 * UTF-8 when the sample is valid UTF-8 (a multi-byte sequence cut at the end
 * of the sample is tolerated), else Windows-1252 (a superset of Latin-1's
 * printable characters, what spreadsheet software writes as "ANSI").
 */
export function detectEncoding(sample: Uint8Array, complete: boolean): CsvEncoding {
  if (hasUtf8Bom(sample)) return 'utf-8';
  let end = sample.length;
  if (!complete) {
    // Drop a trailing incomplete sequence: back up over continuation bytes to the lead byte.
    let i = end - 1;
    while (i >= 0 && i > end - 4 && (sample[i]! & 0xc0) === 0x80) i--;
    if (i >= 0 && sample[i]! >= 0xc0) end = i;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

/**
 * The delimiter used by a header line: the most frequent of comma, semicolon
 * and tab outside quotes; a comma when there is none (a one-column file).
 */
export function detectDelimiter(headerLine: string): CsvDelimiter {
  const counts = new Map<CsvDelimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch as CsvDelimiter)) counts.set(ch as CsvDelimiter, counts.get(ch as CsvDelimiter)! + 1);
  }
  let best: CsvDelimiter = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}
