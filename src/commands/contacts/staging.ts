/**
 * The shared path of every CSV import: validated rows stream into a temporary
 * staging table inside the import's transaction (COPY on PostgreSQL, batched
 * JSON inserts on PGlite), then set-based SQL takes it from there.
 *
 * Memory stays bounded: the reader holds one chunk and one record, this module
 * one batch; the staging table lives in the database and disappears at commit
 * or rollback (`ON COMMIT DROP`).
 */
import { sql, type Kysely } from 'kysely';
import { copyText, type CopyFrom } from '../../db/bulk.js';
import type { DB } from '../../db/schema/index.js';
import type { CsvFile } from '../../adapters/csv/reader.js';
import { REPORT_ERROR_CAP, type ImportError, type RowProblem, type RowResult } from '../../domain/contacts/index.js';

export const STAGING_TABLE = 'vsa_import_staging';
const BATCH_ROWS = 2000;

/** One staged row: kind `v` is a valid row (its values), kind `e` one problem of a rejected row. */
export interface StagedRow {
  line: number;
  kind: 'v' | 'e';
  phone_number: string | null;
  external_contact_id: string | null;
  email: string | null;
  preferred_language: string | null;
  has_prior_consent: boolean | null;
  do_not_call: boolean | null;
  timezone: string | null;
  reason: string | null;
  field: string | null;
  code: string | null;
  message: string | null;
}

const COLUMNS = [
  'line', 'kind', 'phone_number', 'external_contact_id', 'email', 'preferred_language', 'has_prior_consent',
  'do_not_call', 'timezone', 'reason', 'field', 'code', 'message',
] as const satisfies readonly (keyof StagedRow)[];

const EMPTY: Omit<StagedRow, 'line' | 'kind'> = {
  phone_number: null, external_contact_id: null, email: null, preferred_language: null, has_prior_consent: null,
  do_not_call: null, timezone: null, reason: null, field: null, code: null, message: null,
};

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
      phone_number        text,
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
 * Validates every data record and yields staged rows in batches, counting as
 * it goes. `toRow` turns a valid value into the staged columns.
 */
async function* validatedBatches<T>(
  file: CsvFile,
  validate: (cells: string[]) => RowResult<T>,
  toRow: (value: T) => Partial<StagedRow>,
  tally: StagingTally,
  onRow?: (rows: number) => void,
): AsyncGenerator<StagedRow[]> {
  let batch: StagedRow[] = [];
  for await (const records of file.batches) {
   for (const record of records) {
    tally.totalRows++;
    const result = validate(record.cells);
    if (result.ok) {
      tally.validRows++;
      batch.push({ ...EMPTY, ...toRow(result.value), line: record.line, kind: 'v' });
    } else {
      tally.rejectedRows++;
      for (const p of result.problems) addError(tally, batch, record.line, p);
    }
    if (batch.length >= BATCH_ROWS) {
      onRow?.(tally.totalRows);
      yield batch;
      batch = [];
    }
   }
  }
  onRow?.(tally.totalRows);
  if (batch.length > 0) yield batch;
}

function addError(tally: StagingTally, batch: StagedRow[], line: number, p: RowProblem) {
  tally.errorsTotal++;
  if (tally.firstErrors.length < REPORT_ERROR_CAP) tally.firstErrors.push({ line, field: p.field, code: p.code, message: p.message });
  batch.push({ ...EMPTY, line, kind: 'e', field: p.field, code: p.code, message: p.message });
}

async function* asCopyText(batches: AsyncIterable<StagedRow[]>): AsyncGenerator<string> {
  for await (const batch of batches) {
    let out = '';
    for (const r of batch) {
      out += `${r.line}\t${r.kind}\t${copyText(r.phone_number)}\t${copyText(r.external_contact_id)}\t${copyText(r.email)}\t${copyText(r.preferred_language)}\t${copyText(r.has_prior_consent)}\t${copyText(r.do_not_call)}\t${copyText(r.timezone)}\t${copyText(r.reason)}\t${copyText(r.field)}\t${copyText(r.code)}\t${copyText(r.message)}\n`;
    }
    yield out;
  }
}

/**
 * Streams the file's validated rows into the staging table (which must exist)
 * and returns the tally. Throws the reader's `csv.*` errors as they surface.
 */
export async function stageFile<T>(
  trx: Kysely<DB>,
  copyFrom: CopyFrom | null,
  file: CsvFile,
  validate: (cells: string[]) => RowResult<T>,
  toRow: (value: T) => Partial<StagedRow>,
  onRow?: (rows: number) => void,
): Promise<StagingTally> {
  const tally: StagingTally = { totalRows: 0, validRows: 0, rejectedRows: 0, errorsTotal: 0, firstErrors: [] };
  const batches = validatedBatches(file, validate, toRow, tally, onRow);
  if (copyFrom) {
    await copyFrom(`COPY ${STAGING_TABLE} (${COLUMNS.join(', ')}) FROM STDIN`, asCopyText(batches));
  } else {
    for await (const batch of batches) {
      await sql`
        insert into ${sql.raw(STAGING_TABLE)} (${sql.raw(COLUMNS.join(', '))})
        select ${sql.raw(COLUMNS.join(', '))} from json_populate_recordset(null::${sql.raw(STAGING_TABLE)}, ${JSON.stringify(batch)}::json)`.execute(trx);
    }
  }
  return tally;
}

/** Copies every staged problem into contact_import_errors for the downloadable CSV. */
export async function storeErrors(trx: Kysely<DB>, importId: string): Promise<void> {
  await sql`
    insert into contact_import_errors (import_id, line, field, code, message)
    select ${importId}::uuid, line, field, code, message from ${sql.raw(STAGING_TABLE)} where kind = 'e'`.execute(trx);
}
