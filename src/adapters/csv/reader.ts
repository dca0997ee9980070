/**
 * Streaming CSV reading: bytes → decoded text → records with their physical
 * line numbers. Never holds more than a chunk and one record in memory.
 *
 * Line numbers are 1-based physical lines (the header is line 1): a quoted
 * field spanning three lines moves the next record's line number by three,
 * and blank lines are skipped but counted.
 */
import { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import iconv from 'iconv-lite';
import { DomainError } from '../../domain/errors.js';
import { binaryReason, detectDelimiter, detectEncoding, hasUtf8Bom, type CsvDelimiter, type CsvEncoding } from './sniff.js';

export const MAX_RECORD_BYTES = 64 * 1024;
const SNIFF_BYTES = 64 * 1024;

export interface CsvReadOptions {
  /** Detected from the header line when not given. */
  delimiter?: CsvDelimiter;
  /** Detected (UTF-8 with or without BOM, else Windows-1252) when not given. */
  encoding?: CsvEncoding;
  /** Upload size limit in bytes. */
  maxBytes: number;
  /** Called with the bytes read so far, at most once per chunk. */
  onProgress?: (bytesRead: number) => void;
}

export interface CsvRecord {
  /** Physical line the record starts on (header = 1). */
  readonly line: number;
  readonly cells: string[];
}

export interface CsvFile {
  readonly encoding: CsvEncoding;
  readonly delimiter: CsvDelimiter;
  readonly header: CsvRecord;
  /** The data records, in file order. Iterate once, either this or `batches`. */
  readonly records: AsyncIterable<CsvRecord>;
  /** The same records in batches (cheaper for large files). */
  readonly batches: AsyncIterable<CsvRecord[]>;
}

const invalid = (code: string, message: string, details?: Record<string, unknown>) => new DomainError(code, message, 'invalid', details);

export function tooLarge(maxBytes: number): DomainError {
  return new DomainError('csv.too_large', `the file is larger than the limit of ${maxBytes} bytes`, 'too_large', { limit_bytes: maxBytes });
}

/** Turns csv-parse's errors into ours; everything else passes through. */
function translate(err: unknown): unknown {
  if (!(err instanceof CsvError)) return err;
  const line = (err as unknown as { lines?: number }).lines;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return invalid('csv.unbalanced_quotes', `a quoted field is never closed (the quote opens at or before line ${line ?? '?'})`, { line });
    case 'CSV_MAX_RECORD_SIZE':
      return invalid(
        'csv.line_too_long',
        `a record at line ${line ?? '?'} is longer than ${MAX_RECORD_BYTES / 1024} KiB (a line that long, or a quote that is never closed)`,
        { line, limit_bytes: MAX_RECORD_BYTES },
      );
    default:
      return invalid('csv.malformed', `the file is not valid CSV near line ${line ?? '?'}: ${err.message.replace(/:.*$/, '')}`, { line, reason: err.code });
  }
}

/** Reads bytes, enforcing the size limit, keeping the first SNIFF_BYTES for sniffing. */
async function* limited(source: AsyncIterable<Buffer | Uint8Array | string>, maxBytes: number, onProgress?: (n: number) => void) {
  let total = 0;
  for await (const chunk of source) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buf.length;
    if (total > maxBytes) throw tooLarge(maxBytes);
    onProgress?.(total);
    yield buf;
  }
}

/** Decodes bytes to text, normalizes CRLF to LF (also across chunk borders), and rejects NULs. */
async function* decodeText(first: Uint8Array, rest: AsyncIterator<Uint8Array>, encoding: CsvEncoding) {
  let carriage = false;
  const utf8 = encoding === 'utf-8' ? new TextDecoder('utf-8', { fatal: true }) : undefined;
  const legacy = utf8 ? undefined : iconv.getDecoder(encoding === 'latin1' ? 'latin1' : 'win1252');
  let offset = 0;
  const decode = (bytes: Uint8Array, final: boolean): string => {
    if (utf8) {
      try {
        return utf8.decode(bytes, { stream: !final });
      } catch {
        throw invalid('csv.bad_encoding', `the file is not valid UTF-8 after byte ${offset}; set the encoding (latin1 or windows-1252) explicitly`);
      }
    }
    return (final ? legacy!.end() ?? '' : '') + (bytes.length ? legacy!.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)) : '');
  };
  const normalize = (text: string): string => {
    if (carriage) text = '\r' + text;
    carriage = text.endsWith('\r');
    if (carriage) text = text.slice(0, -1);
    if (text.includes('\0')) throw invalid('csv.binary', 'the file contains NUL bytes: it is binary, not CSV');
    return text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
  };
  let chunk: Uint8Array | undefined = first;
  while (chunk) {
    const text = normalize(decode(chunk, false));
    offset += chunk.length;
    if (text) yield text;
    const next = await rest.next();
    chunk = next.done ? undefined : next.value;
  }
  const tail = normalize(decode(new Uint8Array(0), true)) + (carriage ? '\r' : '');
  if (tail) yield tail;
}

/**
 * Opens a CSV byte stream: checks it is text, detects encoding and delimiter,
 * reads the header. Throws DomainError `csv.*` (kind invalid, or too_large)
 * for files that are not CSV; the records iterator throws the same way for
 * faults found later (unbalanced quotes, over-long records, size limit).
 */
export async function openCsv(source: AsyncIterable<Buffer | Uint8Array | string>, opts: CsvReadOptions): Promise<CsvFile> {
  const bytes = limited(source, opts.maxBytes, opts.onProgress)[Symbol.asyncIterator]();
  // Gather up to SNIFF_BYTES for detection.
  const parts: Uint8Array[] = [];
  let size = 0;
  let ended = false;
  while (size < SNIFF_BYTES) {
    const next = await bytes.next();
    if (next.done) {
      ended = true;
      break;
    }
    parts.push(next.value);
    size += next.value.length;
  }
  const sample = Buffer.concat(parts);
  if (sample.length === 0 || (hasUtf8Bom(sample) && sample.length === 3)) throw invalid('csv.empty', 'the file is empty');
  const binary = binaryReason(sample.subarray(0, SNIFF_BYTES));
  if (binary) throw invalid('csv.binary', binary);
  const encoding = opts.encoding ?? detectEncoding(sample.subarray(0, SNIFF_BYTES), ended);

  const text = decodeText(sample, ended ? emptyIterator() : bytes, encoding);
  // Peek the first decoded chunk for the delimiter; then hand everything to the parser.
  const firstText = await text.next();
  if (firstText.done || firstText.value.replace(/^\uFEFF/, '').trim() === '') throw invalid('csv.empty', 'the file is empty');
  const firstChunk = firstText.value.replace(/^\uFEFF/, '');
  const headerEnd = firstChunk.indexOf('\n');
  if (headerEnd < 0 && firstChunk.length > MAX_RECORD_BYTES) {
    throw invalid('csv.line_too_long', `line 1 is longer than ${MAX_RECORD_BYTES / 1024} KiB`, { line: 1, limit_bytes: MAX_RECORD_BYTES });
  }
  const delimiter = opts.delimiter ?? detectDelimiter(firstChunk.slice(0, headerEnd < 0 ? undefined : headerEnd));

  async function* allText() {
    yield firstChunk;
    for (;;) {
      const n = await text.next();
      if (n.done) return;
      yield n.value;
    }
  }

  // Blank lines are kept (as `['']`) so physical lines can be counted without
  // csv-parse's per-record `info` (three times slower); we drop them below.
  const parser = parse({
    delimiter,
    record_delimiter: '\n',
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_BYTES,
  });
  const input = Readable.from(allText(), { objectMode: false, encoding: 'utf8' });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);

  let failure: unknown;
  let parsed = false;
  let wake: (() => void) | undefined;
  parser.on('readable', () => wake?.());
  parser.on('end', () => {
    parsed = true;
    wake?.();
  });
  parser.on('error', (err) => {
    failure = err;
    wake?.();
  });

  let nextLine = 1;
  /** Reads what the parser has buffered, in batches, without a promise per record. */
  const batches = (async function* (): AsyncGenerator<CsvRecord[]> {
    try {
      for (;;) {
        if (failure) throw failure;
        const batch: CsvRecord[] = [];
        let cells: string[] | null;
        while (batch.length < 1000 && (cells = parser.read() as string[] | null) !== null) {
          const line = nextLine;
          nextLine++;
          for (const cell of cells) {
            for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) nextLine++;
          }
          if (cells.length === 1 && cells[0]!.trim() === '') continue; // blank line
          batch.push({ line, cells });
        }
        if (batch.length > 0) {
          yield batch;
          continue;
        }
        if (failure) throw failure;
        if (parsed) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } catch (err) {
      throw translate(err);
    } finally {
      input.destroy();
      parser.destroy();
    }
  })();

  // The header: the first non-blank record.
  let header: CsvRecord | undefined;
  let pending: CsvRecord[] = [];
  for (;;) {
    const next = await batches.next();
    if (next.done) break;
    if (next.value.length > 0) {
      header = next.value[0];
      pending = next.value.slice(1);
      break;
    }
  }
  if (!header) throw invalid('csv.empty', 'the file has no header line');
  async function* allBatches(): AsyncGenerator<CsvRecord[]> {
    if (pending.length > 0) yield pending;
    pending = [];
    yield* batches;
  }
  async function* records(): AsyncGenerator<CsvRecord> {
    for await (const batch of allBatches()) yield* batch;
  }
  return { encoding, delimiter, header, batches: allBatches(), records: records() };
}

async function* emptyIterator(): AsyncGenerator<Uint8Array> {}
