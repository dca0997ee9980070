/**
 * importContacts: one uploaded CSV → contacts of one campaign, all or nothing.
 *
 * The file streams through validation into a staging table one segment at a
 * time (see staging.ts); set-based statements move each segment on in the
 * same transaction: store its errors, and insert its valid rows — first
 * occurrence of a number wins, numbers already in the campaign are skipped
 * (`ON CONFLICT DO NOTHING`, which also covers a concurrent writer of the
 * same numbers), and rows on the exclusion list or flagged do_not_call are
 * stored as `excluded`.
 * A file-level fault anywhere (not CSV, unbalanced quotes, size limit, a
 * dropped connection) rolls everything back.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { openCsv, type CsvReadOptions } from '../../adapters/csv/reader.js';
import type { CsvDelimiter, CsvEncoding } from '../../adapters/csv/sniff.js';
import { withBulkTransaction } from '../../db/bulk.js';
import type { DB } from '../../db/schema/index.js';
import {
  CONTACT_COLUMNS,
  assertCampaignAcceptsContacts,
  isKnownRegion,
  mapHeader,
  validateContactRow,
  type ImportReport,
} from '../../domain/contacts/index.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { createStagingTable, finishImport, STAGING_TABLE, stageFile } from './staging.js';

export interface ImportContactsInput {
  readonly campaignId: string;
  /** The file's bytes, streamed. */
  readonly source: AsyncIterable<Buffer | Uint8Array | string>;
  readonly fileName?: string | null;
  readonly delimiter?: CsvDelimiter;
  readonly encoding?: CsvEncoding;
  /** Size limit in bytes (config `IMPORT_MAX_BYTES`). */
  readonly maxBytes: number;
  readonly userId?: string | null;
  /** Progress: bytes read and data rows seen so far. */
  readonly onProgress?: (progress: { bytes: number; rows: number }) => void;
  /** Rows per staged segment (default SEGMENT_ROWS; tests use small ones). */
  readonly segmentRows?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function invalidFile(code: string, message: string, details?: Record<string, unknown>): DomainError {
  return new DomainError(code, message, 'invalid', details);
}

/** Loads the campaign or throws not_found; checks it accepts contacts. */
async function campaignForImport(db: Kysely<DB>, campaignId: string, lock: boolean) {
  if (!UUID.test(campaignId)) throw notFound('campaign');
  let q = db.selectFrom('campaigns').select(['id', 'status', 'phone_region']).where('id', '=', campaignId);
  if (lock) q = q.forShare();
  const campaign = await q.executeTakeFirst();
  if (!campaign) throw notFound('campaign');
  assertCampaignAcceptsContacts(campaign.status);
  return campaign;
}

export async function importContacts(db: Kysely<DB>, input: ImportContactsInput): Promise<ImportReport> {
  const campaign = await campaignForImport(db, input.campaignId, false);
  let bytes = 0;
  const readOpts: CsvReadOptions = {
    maxBytes: input.maxBytes,
    ...(input.delimiter ? { delimiter: input.delimiter } : {}),
    ...(input.encoding ? { encoding: input.encoding } : {}),
    onProgress: (n) => (bytes = n),
  };
  const file = await openCsv(input.source, readOpts);
  const header = mapHeader(file.header.cells, CONTACT_COLUMNS);
  if (header.index.phone_number === undefined) {
    // No header cells in the error: a file without a header would put personal data there.
    throw invalidFile('csv.missing_phone_column', `the header (line ${file.header.line}) has no phone_number column; is the first line a header?`);
  }
  if (header.repeated.length > 0) {
    throw invalidFile('csv.repeated_column', `the header repeats ${header.repeated.join(', ')}`, { columns: header.repeated });
  }
  const width = file.header.cells.length;
  const region = campaign.phone_region;
  if (!isKnownRegion(region)) {
    throw new DomainError('contacts.unknown_phone_region', `the campaign's phone region ${region} has no known numbering plan; set phone_region (e.g. IT)`, 'conflict', { phone_region: region });
  }
  const importId = randomUUID();

  return withBulkTransaction(db, async (trx, copyFrom) => {
    // One import per campaign at a time: segments insert in file order, and two
    // uploads with shared numbers inserting at once could wait on each other.
    await sql`select pg_advisory_xact_lock(hashtextextended(${`contacts-import:${campaign.id}`}, 0))`.execute(trx);
    await sql`set local work_mem = '64MB'`.execute(trx);
    await createStagingTable(trx);
    await trx
      .insertInto('contact_imports')
      .values({ id: importId, kind: 'contacts', campaign_id: campaign.id, created_by_user_id: input.userId ?? null, file_name: input.fileName ?? null })
      .execute();

    let accepted = 0;
    let excluded = 0;
    const tally = await stageFile(trx, copyFrom, file, {
      validate: (cells) => validateContactRow(cells, header, width, region),
      toValues: (c) => [c.phone_number, c.external_contact_id, c.email, c.preferred_language, c.has_prior_consent, c.do_not_call, c.timezone, null],
      ...(input.onProgress ? { onRow: (rows: number) => input.onProgress!({ bytes, rows }) } : {}),
      ...(input.segmentRows ? { segmentRows: input.segmentRows } : {}),
      importId,
      apply: async (q) => {
        const inserted = await sql<{ accepted: number; excluded: number }>`
          with ins as (
            insert into contacts (id, campaign_id, phone_number, external_contact_id, email, preferred_language,
                                  has_prior_consent, do_not_call, timezone, state)
            select s.id, ${campaign.id}::uuid, s.phone_number, s.external_contact_id, s.email, s.preferred_language::contact_language,
                   s.has_prior_consent, s.do_not_call, s.timezone,
                   case when s.do_not_call or e.phone_number is not null then 'excluded'::contact_state else 'pending'::contact_state end
            from ${sql.raw(STAGING_TABLE)} s
            left join exclusion_list_entries e on e.phone_number = s.phone_number
            where s.kind = 'v'
            -- Number order within the segment: its first line of a repeated number
            -- wins (earlier segments are already stored), and index inserts stay local.
            order by s.phone_number, s.line
            on conflict (campaign_id, phone_number) do nothing
            returning state
          )
          select count(*)::int as accepted, count(*) filter (where state = 'excluded')::int as excluded from ins`.execute(q);
        accepted += inserted.rows[0]!.accepted;
        excluded += inserted.rows[0]!.excluded;
      },
    });
    if (tally.totalRows === 0) throw invalidFile('csv.header_only', 'the file has a header but no data rows');

    // The campaign may have been completed or cancelled while the file streamed.
    await campaignForImport(trx, campaign.id, true);
    return finishImport(trx, importId, tally, header.unknown, { accepted, excluded });
  });
}
