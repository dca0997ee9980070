/**
 * The exclusion (do-not-call) list: add one number, import a list, remove an
 * entry, list entries, and the periodic re-check.
 *
 * Adding marks every matching contact that may still be dialled — state
 * `pending` or `not_reached` — as `excluded`, in every campaign, in the same
 * transaction. Contacts `in_progress` are left alone: a call is live and its
 * outcome must still be recorded; they are caught when it ends, by the
 * dial-time check and by `recheckExclusions`. Terminal contacts (completed,
 * refused, excluded) keep their state. Removing an entry never re-includes
 * anyone (docs/compliance.md says how an admin does it).
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { openCsv } from '../../adapters/csv/reader.js';
import type { CsvDelimiter, CsvEncoding } from '../../adapters/csv/sniff.js';
import { withBulkTransaction } from '../../db/bulk.js';
import type { DB, ExclusionListEntriesTable, ExclusionSource } from '../../db/schema/index.js';
import {
  EXCLUSION_COLUMNS,
  REASON_MAX_LENGTH,
  isKnownRegion,
  mapHeader,
  normalizePhone,
  validateExclusionRow,
  type ImportReport,
} from '../../domain/contacts/index.js';
import { ValidationError, notFound } from '../../domain/errors.js';
import { invalidFile } from '../contacts/import-contacts.js';
import { createStagingTable, finishImport, STAGING_TABLE, stageFile } from '../contacts/staging.js';
import { lockExclusionNumber } from './number-lock.js';

export type ExclusionEntry = Selectable<ExclusionListEntriesTable>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkRegion(region: string) {
  if (!isKnownRegion(region)) {
    throw new ValidationError('exclusion.invalid', 'invalid exclusion', [{ field: 'region', code: 'invalid_region', message: 'must be an ISO 3166 alpha-2 region such as IT' }]);
  }
}

/**
 * Marks the contacts of one number excluded (all campaigns), locking them in id
 * order (src/commands/exclusions/number-lock.ts); returns how many changed.
 */
async function markContacts(trx: Transaction<DB>, phoneNumber: string): Promise<number> {
  const r = await sql`
    WITH locked AS (
      SELECT id FROM contacts WHERE phone_number = ${phoneNumber} AND state IN ('pending', 'not_reached') AND closed_at IS NULL
      ORDER BY id
      FOR UPDATE
    )
    UPDATE contacts c SET state = 'excluded'
    FROM locked
    WHERE c.id = locked.id AND c.state IN ('pending', 'not_reached') AND c.closed_at IS NULL`.execute(trx);
  return Number(r.numAffectedRows ?? 0);
}

export interface AddExclusionInput {
  readonly phoneNumber: string;
  readonly reason?: string | null;
  readonly source?: ExclusionSource;
  /** Region for national spellings (default IT). */
  readonly region?: string;
}

/**
 * Adds one number (normalized like contacts). Idempotent: a number already on
 * the list is returned as it is (`created: false`), and contacts are still
 * marked. Returns how many contacts became excluded.
 */
export async function addExclusion(
  db: Kysely<DB>,
  input: AddExclusionInput,
): Promise<{ entry: ExclusionEntry; created: boolean; contactsExcluded: number }> {
  const region = input.region ?? 'IT';
  checkRegion(region);
  const phone = normalizePhone(input.phoneNumber, region, { allowNotDialable: true });
  const problems = [];
  if (!phone.ok) problems.push({ field: 'phone_number', code: phone.code, message: phone.message });
  const reason = input.reason?.trim() || null;
  if (reason && reason.length > REASON_MAX_LENGTH) problems.push({ field: 'reason', code: 'too_long', message: `at most ${REASON_MAX_LENGTH} characters` });
  if (problems.length > 0 || !phone.ok) throw new ValidationError('exclusion.invalid', 'invalid exclusion', problems);

  return db.transaction().execute(async (trx) => {
    // Before the entry and the contacts: opt-outs of this number take their turns with this.
    await lockExclusionNumber(trx, phone.e164);
    const inserted = await trx
      .insertInto('exclusion_list_entries')
      .values({ phone_number: phone.e164, reason, source: input.source ?? 'api' })
      .onConflict((oc) => oc.column('phone_number').doNothing())
      .returningAll()
      .executeTakeFirst();
    const entry =
      inserted ?? (await trx.selectFrom('exclusion_list_entries').selectAll().where('phone_number', '=', phone.e164).executeTakeFirstOrThrow());
    const contactsExcluded = await markContacts(trx, phone.e164);
    return { entry, created: inserted !== undefined, contactsExcluded };
  });
}

export interface ImportExclusionsInput {
  readonly source: AsyncIterable<Buffer | Uint8Array | string>;
  readonly fileName?: string | null;
  /** Default reason for rows without a `reason` cell. */
  readonly reason?: string | null;
  /** Name of the list (e.g. "Registro pubblico delle opposizioni"). */
  readonly listName?: string | null;
  /** Date of the list extract, `YYYY-MM-DD`. */
  readonly listDate?: string | null;
  readonly region?: string;
  readonly delimiter?: CsvDelimiter;
  readonly encoding?: CsvEncoding;
  readonly maxBytes: number;
  readonly userId?: string | null;
  readonly onProgress?: (progress: { bytes: number; rows: number }) => void;
  /** Rows per staged segment (default SEGMENT_ROWS; tests use small ones). */
  readonly segmentRows?: number;
}

/**
 * Imports a do-not-call list with the contacts' streaming path and report
 * shape: `accepted` = new entries, `duplicates` = numbers repeated in the
 * file or already listed, `excluded` = contacts (any campaign) newly marked
 * excluded. All or nothing.
 */
export async function importExclusions(db: Kysely<DB>, input: ImportExclusionsInput): Promise<ImportReport> {
  const region = input.region ?? 'IT';
  checkRegion(region);
  const listDate = input.listDate?.trim() || null;
  if (listDate && (!DATE.test(listDate) || Number.isNaN(Date.parse(`${listDate}T00:00:00Z`)))) {
    throw new ValidationError('exclusion.invalid', 'invalid exclusion import', [{ field: 'list_date', code: 'invalid_date', message: 'must be a date, YYYY-MM-DD' }]);
  }
  const defaultReason = input.reason?.trim() || null;
  let bytes = 0;
  const file = await openCsv(input.source, {
    maxBytes: input.maxBytes,
    ...(input.delimiter ? { delimiter: input.delimiter } : {}),
    ...(input.encoding ? { encoding: input.encoding } : {}),
    onProgress: (n) => (bytes = n),
  });
  const header = mapHeader(file.header.cells, EXCLUSION_COLUMNS);
  if (header.index.phone_number === undefined) {
    // No header cells in the error: a file without a header would put personal data there.
    throw invalidFile('csv.missing_phone_column', `the header (line ${file.header.line}) has no phone_number column; is the first line a header?`);
  }
  const width = file.header.cells.length;
  const importId = randomUUID();

  return withBulkTransaction(db, async (trx, copyFrom) => {
    // One list import at a time: segments insert in file order, and two lists
    // with shared numbers inserting at once could wait on each other.
    await sql`select pg_advisory_xact_lock(hashtextextended('exclusions-import', 0))`.execute(trx);
    await createStagingTable(trx);
    await trx
      .insertInto('contact_imports')
      .values({
        id: importId,
        kind: 'exclusions',
        campaign_id: null,
        created_by_user_id: input.userId ?? null,
        file_name: input.fileName ?? null,
        list_name: input.listName?.trim() || null,
        list_date: listDate,
      })
      .execute();

    let accepted = 0;
    let excluded = 0;
    const tally = await stageFile(trx, copyFrom, file, {
      validate: (cells) => validateExclusionRow(cells, header, width, region),
      toValues: (e) => [e.phone_number, null, null, null, null, null, null, e.reason],
      ...(input.onProgress ? { onRow: (rows: number) => input.onProgress!({ bytes, rows }) } : {}),
      ...(input.segmentRows ? { segmentRows: input.segmentRows } : {}),
      importId,
      apply: async (q) => {
        const inserted = await sql<{ accepted: number }>`
          with ins as (
            insert into exclusion_list_entries (id, phone_number, reason, source, list_name, list_date, import_id)
            select s.id, s.phone_number, coalesce(s.reason, ${defaultReason}), 'import', ${input.listName?.trim() || null}, ${listDate}::date, ${importId}::uuid
            from ${sql.raw(STAGING_TABLE)} s
            where s.kind = 'v'
            order by s.phone_number, s.line
            on conflict (phone_number) do nothing
            returning 1
          )
          select count(*)::int as accepted from ins`.execute(q);
        accepted += inserted.rows[0]!.accepted;
        // Locked in id order, like every writer that excludes by number (number-lock.ts).
        const marked = await sql`
          with locked as (
            select c.id from contacts c
            where c.phone_number in (select phone_number from ${sql.raw(STAGING_TABLE)} where kind = 'v')
              and c.state in ('pending', 'not_reached') and c.closed_at is null
            order by c.id
            for update
          )
          update contacts c set state = 'excluded'
          from locked
          where c.id = locked.id and c.state in ('pending', 'not_reached') and c.closed_at is null`.execute(q);
        excluded += Number(marked.numAffectedRows ?? 0);
      },
    });
    if (tally.totalRows === 0) throw invalidFile('csv.header_only', 'the file has a header but no data rows');
    return finishImport(trx, importId, tally, header.unknown, { accepted, excluded });
  });
}

/**
 * Deletes one entry. Contacts it excluded stay excluded (no automatic
 * re-inclusion); returns the deleted entry for the audit record.
 */
export async function removeExclusion(db: Kysely<DB>, id: string): Promise<ExclusionEntry> {
  if (!UUID.test(id)) throw notFound('exclusion');
  const deleted = await db.deleteFrom('exclusion_list_entries').where('id', '=', id).returningAll().executeTakeFirst();
  if (!deleted) throw notFound('exclusion');
  return deleted;
}

export interface ListExclusionsQuery {
  /** Digits to match at the end of the number, or a full number. */
  readonly search?: string;
  readonly source?: ExclusionSource;
  readonly page?: number;
  readonly pageSize?: number;
}

export interface Page<T> {
  readonly items: T[];
  readonly page: number;
  readonly page_size: number;
  readonly total: number;
}

/** Newest first, paginated; `search` matches the trailing digits of the number. */
export async function listExclusions(db: Kysely<DB>, query: ListExclusionsQuery = {}): Promise<Page<ExclusionEntry>> {
  const page = Math.max(1, Math.floor(query.page ?? 1));
  const pageSize = Math.min(200, Math.max(1, Math.floor(query.pageSize ?? 50)));
  let q = db.selectFrom('exclusion_list_entries');
  const digits = (query.search ?? '').replace(/\D/g, '');
  if (query.search !== undefined && query.search.trim() !== '') {
    if (digits === '') throw new ValidationError('exclusion.invalid_query', 'invalid query', [{ field: 'search', code: 'invalid', message: 'search by the digits of the number' }]);
    // Index-backed suffix match (exclusion_list_entries_phone_reversed_idx).
    q = q.where(sql<string>`reverse(phone_number)`, 'like', `${[...digits].reverse().join('')}%`);
  }
  if (query.source) q = q.where('source', '=', query.source);
  const [items, count] = await Promise.all([
    q.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, page, page_size: pageSize, total: Number(count.n) };
}

/**
 * The periodic re-check: excludes every dialable contact (pending or
 * not_reached) whose number is on the list or who is flagged do_not_call,
 * whatever slipped past the import and add-time checks. Safe to run from any
 * number of processes. It never waits for a contact another transaction holds
 * (`SKIP LOCKED`): that one is being excluded, dialled or ended right now, and
 * the next run (or the dial-time check) sees it — so the re-check can never be
 * part of a deadlock with an opt-out, an import or another re-check.
 * Returns how many contacts changed.
 */
export async function recheckExclusions(db: Kysely<DB>): Promise<number> {
  const r = await sql`
    with locked as (
      select c.id from contacts c
      where c.state in ('pending', 'not_reached') and c.closed_at is null
        and (c.do_not_call or exists (select 1 from exclusion_list_entries e where e.phone_number = c.phone_number))
      for update skip locked
    )
    update contacts c set state = 'excluded'
    from locked
    where c.id = locked.id and c.state in ('pending', 'not_reached') and c.closed_at is null`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
