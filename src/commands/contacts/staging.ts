/**
 * The shared path of every CSV import: validated rows stream into a temporary
 * staging table inside the import's transaction (COPY on PostgreSQL, batched
 * JSON inserts on PGlite), one segment at a time, and set-based SQL moves each
 * segment on (see stageFile).
 *
 * Memory stays bounded: the reader holds one chunk and one record, this module
 * one segment of encoded rows; the staging table lives in the
 * database and disappears at commit or rollback (`ON COMMIT DROP`).
 */
import { sql, type Kysely } from 'kysely';
import { batchIds, type BatchIds } from '../../db/batch-ids.js';
import { copyText, type CopyFrom } from '../../db/bulk.js';
import type { DB } from '../../db/schema/index.js';
import type { CsvFile } from '../../adapters/csv/reader.js';
import { REPORT_ERROR_CAP, type ImportError, type ImportReport, type RowProblem, type RowResult } from '../../domain/contacts/index.js';

export const STAGING_TABLE = 'vsa_import_staging';
const BATCH_ROWS = 4000;

/**
 * The values of a valid row, in staging column order: phone_number,
 * external_contact_id, email, preferred_language, has_prior_consent,
 * do_not_call, timezone, reason.
 */
export type StagedValues = readonly [
  string, string | null, string | null, string | null, boolean | null, boolean | null, string | null, string | null,
];

const VALUE_COLUMNS = ['phone_number', 'external_contact_id', 'email', 'preferred_language', 'has_prior_consent', 'do_not_call', 'timezone', 'reason'] as const;
const COLUMNS = ['line', 'kind', 'id', ...VALUE_COLUMNS, 'field', 'code', 'message'] as const;

export interface StagingTally {
  totalRows: number;
  validRows: number;
  rejectedRows: number;
  errorsTotal: number;
  /** The first REPORT_ERROR_CAP errors, in line order. */
  firstErrors: ImportError[];
}

export async function createStagingTable(trx: Kysely<DB>): Promise<void> {
  await sql`
    create temp table ${sql.raw(STAGING_TABLE)} (
      line                integer not null,
      kind                "char" not null,
      -- The stored row's id (valid rows): time-ordered, made in the client (db/batch-ids.ts).
      id                  uuid,
      -- Byte order, as in contacts and exclusion_list_entries (migration 0014).
      phone_number        text collate "C",
      external_contact_id text,
      email               text,
      preferred_language  text,
      has_prior_consent   boolean,
      do_not_call         boolean,
      timezone            text,
      reason              text,
      field               text,
      code                text,
      message             text
    ) on commit drop`.execute(trx);
}

/**
 * Turns validated rows into what the engine loads: COPY text, or a JSON array
 * of rows. A batch is taken in a compact, flat form (bytes, one string): a
 * segment waits in memory as a few of those, not as many small strings.
 */
interface Encoder<Chunk> {
  valid(line: number, v: StagedValues): void;
  error(line: number, p: RowProblem): void;
  /** The rows encoded since the last take. */
  take(): Chunk;
}

const NO_ERROR = '\\N\t\\N\t\\N';
const NO_VALUES = '\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N';

/** COPY text format, built as one string per batch (no per-row objects). */
function copyEncoder(ids: BatchIds): Encoder<Buffer> {
  let out = '';
  return {
    valid(line, v) {
      out += `${line}\tv\t${ids.next()}\t${copyText(v[0])}\t${copyText(v[1])}\t${copyText(v[2])}\t${copyText(v[3])}\t${copyText(v[4])}\t${copyText(v[5])}\t${copyText(v[6])}\t${copyText(v[7])}\t${NO_ERROR}\n`;
    },
    error(line, p) {
      out += `${line}\te\t${NO_VALUES}\t${copyText(p.field)}\t${copyText(p.code)}\t${copyText(p.message)}\n`;
    },
    take() {
      const chunk = Buffer.from(out, 'utf8');
      out = '';
      return chunk;
    },
  };
}

type JsonRow = (string | number | boolean | null)[];

/** Arrays in COLUMNS order, for json_populate_recordset-free loading on PGlite. */
function jsonEncoder(ids: BatchIds): Encoder<string> {
  let rows: JsonRow[] = [];
  return {
    valid(line, v) {
      rows.push([line, 'v', ids.next(), ...v, null, null, null]);
    },
    error(line, p) {
      rows.push([line, 'e', null, null, null, null, null, null, null, null, null, p.field, p.code, p.message]);
    },
    take() {
      const chunk = JSON.stringify(rows);
      rows = [];
      return chunk;
    },
  };
}

/**
 * Validates every data record and yields encoded batches, counting as it
 * goes. `toValues` turns a valid value into the staged columns.
 */
async function* encodedBatches<T, Chunk>(
  file: CsvFile,
  validate: (cells: string[]) => RowResult<T>,
  toValues: (value: T) => StagedValues,
  encoder: Encoder<Chunk>,
  tally: StagingTally,
  onRow: ((rows: number) => void) | undefined,
  batchRows: number,
): AsyncGenerator<Chunk> {
  let pending = 0;
  for await (const records of file.batches) {
    for (const record of records) {
      tally.totalRows++;
      const result = validate(record.cells);
      if (result.ok) {
        tally.validRows++;
        encoder.valid(record.line, toValues(result.value));
      } else {
        tally.rejectedRows++;
        for (const p of result.problems) {
          tally.errorsTotal++;
          if (tally.firstErrors.length < REPORT_ERROR_CAP) tally.firstErrors.push({ line: record.line, field: p.field, code: p.code, message: p.message });
          encoder.error(record.line, p);
        }
      }
      pending++;
    }
    if (pending >= batchRows) {
      onRow?.(tally.totalRows);
      pending = 0;
      yield encoder.take();
    }
  }
  onRow?.(tally.totalRows);
  if (pending > 0) yield encoder.take();
}

/**
 * Rows per segment: the staging table holds one segment at a time. Large
 * enough that the per-statement costs vanish (20 segments per million rows),
 * small enough that one encoded segment (~7 MB) is what a waiting segment
 * holds in memory.
 */
export const SEGMENT_ROWS = 50_000;

export interface StageOptions<T> {
  readonly validate: (cells: string[]) => RowResult<T>;
  readonly toValues: (value: T) => StagedValues;
  /** The upload's `contact_imports` row: each segment's errors are stored under it. */
  readonly importId: string;
  /**
   * Moves one segment's valid rows from the staging table to where they
   * belong (its errors are already stored). Called once per segment, in file order, with the
   * staging table holding exactly that segment; it is emptied afterwards.
   */
  readonly apply: (trx: Kysely<DB>) => Promise<void>;
  readonly onRow?: (rows: number) => void;
  /** Defaults to SEGMENT_ROWS (tests use small segments). */
  readonly segmentRows?: number;
}

/**
 * Streams the file's validated rows through the staging table (which must
 * exist) in segments and returns the tally. Throws the reader's `csv.*`
 * errors as they surface; the caller's transaction then undoes every segment.
 *
 * Pipelined: while the database applies segment n (dedupe, exclusion match,
 * insert: the expensive part), this process reads, decodes and validates
 * segment n + 1, so the import costs about the larger of the two instead of
 * their sum. Segments are applied in file order, so "the first line of a
 * repeated number wins" holds across segments as within one.
 */
export async function stageFile<T>(trx: Kysely<DB>, copyFrom: CopyFrom | null, file: CsvFile, opts: StageOptions<T>): Promise<StagingTally> {
  const tally: StagingTally = { totalRows: 0, validRows: 0, rejectedRows: 0, errorsTotal: 0, firstErrors: [] };
  const segmentRows = opts.segmentRows ?? SEGMENT_ROWS;
  const applySegment = async (q: Kysely<DB>) => {
    await storeErrors(q, opts.importId);
    await opts.apply(q);
  };
  if (copyFrom) {
    const copySql = `COPY ${STAGING_TABLE} (${COLUMNS.join(', ')}) FROM STDIN`;
    const batches = encodedBatches(file, opts.validate, opts.toValues, copyEncoder(batchIds()), tally, opts.onRow, Math.min(BATCH_ROWS, segmentRows));
    await inSegments(trx, batches, tally, segmentRows, applySegment, async (chunks) => {
      await copyFrom(copySql, chunksOf(chunks));
    });
  } else {
    const select = COLUMNS.map((c, i) => `(r->>${i})::${c === 'line' ? 'integer' : c === 'kind' ? '"char"' : c === 'id' ? 'uuid' : c.startsWith('has_') || c === 'do_not_call' ? 'boolean' : 'text'}`).join(', ');
    const batches = encodedBatches(file, opts.validate, opts.toValues, jsonEncoder(batchIds()), tally, opts.onRow, Math.min(BATCH_ROWS, segmentRows));
    await inSegments(trx, batches, tally, segmentRows, applySegment, async (chunks) => {
      for (const rows of chunks) {
        await sql`
          insert into ${sql.raw(STAGING_TABLE)} (${sql.raw(COLUMNS.join(', '))})
          select ${sql.raw(select)} from json_array_elements(${rows}::json) as r`.execute(trx);
      }
    });
  }
  return tally;
}

async function* chunksOf(chunks: readonly Buffer[]): AsyncGenerator<Buffer> {
  yield* chunks;
}

/**
 * Collects encoded batches into segments; each full segment waits for the
 * previous one's `apply`, is loaded into the staging table, and its `apply`
 * starts without being awaited, so validation of the next segment overlaps it.
 */
async function inSegments<Chunk>(
  trx: Kysely<DB>,
  batches: AsyncGenerator<Chunk>,
  tally: StagingTally,
  segmentRows: number,
  apply: (trx: Kysely<DB>) => Promise<void>,
  load: (chunks: Chunk[]) => Promise<void>,
): Promise<void> {
  let segment: Chunk[] = [];
  let segmentStart = 0;
  let inFlight: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;
  const settled = async () => {
    await inFlight;
    if (failure) throw failure.error;
  };
  const flush = async () => {
    const chunks = segment;
    segment = [];
    segmentStart = tally.totalRows;
    await settled();
    await load(chunks);
    inFlight = apply(trx)
      .then(() => sql`truncate ${sql.raw(STAGING_TABLE)}`.execute(trx))
      .then(
        () => undefined,
        (error: unknown) => void (failure = { error }),
      );
  };
  try {
    for await (const chunk of batches) {
      segment.push(chunk);
      if (tally.totalRows - segmentStart >= segmentRows) await flush();
    }
    if (segment.length > 0) await flush();
    await settled();
  } finally {
    // Never hand the connection back (to a rollback) with a statement of ours still running.
    await inFlight;
  }
}

/** Copies every staged problem into contact_import_errors for the downloadable CSV. */
async function storeErrors(trx: Kysely<DB>, importId: string): Promise<void> {
  await sql`
    insert into contact_import_errors (import_id, line, field, code, message)
    select ${importId}::uuid, line, field, code, message from ${sql.raw(STAGING_TABLE)} where kind = 'e'`.execute(trx);
}

/**
 * Records an upload's final counts on its `contact_imports` row and returns the
 * report (contacts and exclusion-list imports share it). Duplicates are the
 * valid rows that were not stored.
 */
export async function finishImport(
  trx: Kysely<DB>,
  importId: string,
  tally: StagingTally,
  unknownColumns: readonly string[],
  stored: { accepted: number; excluded: number },
): Promise<ImportReport> {
  const { accepted, excluded } = stored;
  const duplicates = tally.validRows - accepted;
  await trx
    .updateTable('contact_imports')
    .set({
      total_rows: tally.totalRows,
      accepted,
      rejected: tally.rejectedRows,
      duplicates,
      excluded,
      errors_total: tally.errorsTotal,
      unknown_columns: [...unknownColumns],
    })
    .where('id', '=', importId)
    .execute();
  return {
    total_rows: tally.totalRows,
    accepted,
    rejected: tally.rejectedRows,
    duplicates,
    excluded,
    unknown_columns: [...unknownColumns],
    errors: tally.firstErrors,
    errors_total: tally.errorsTotal,
    import_id: importId,
  };
}
