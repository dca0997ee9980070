/**
 * The campaign CSV export as a stream: one row per contact, read in keyset
 * batches (`campaign_id = $1 AND id > $last ORDER BY id LIMIT n`, through
 * contacts_campaign_id_id_idx). Keyset pagination behaves like a server-side
 * cursor on both engines without holding a transaction open for the whole
 * export; each batch is read only when the consumer asks for more bytes
 * (Readable.from pulls the generator), so a slow client never makes us buffer.
 *
 * Columns and cell rules: src/domain/reporting/csv.ts and docs/reporting.md.
 * No transcripts, no emails, ever: the query does not select them.
 */
import { Readable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema/index.js';
import { notFound } from '../../domain/errors.js';
import { formatRecord, headerRecord, UTF8_BOM, type CsvOptions } from '../../domain/reporting/csv.js';

/** Rows per keyset batch: 2,000 keeps peak RSS under 180 MB for a 1M export at ≥ 0.3 × COPY (bench/README.md). */
export const DEFAULT_EXPORT_BATCH = 2_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Column index of phone_number: always written as text (see neutralizeCell). */
const TEXT_COLUMNS: ReadonlySet<number> = new Set([3]);

export interface ExportRow {
  id: string;
  campaign_id: string;
  external_contact_id: string | null;
  phone_number: string;
  state: string;
  last_outcome: string | null;
  attempts_count: number;
  first_attempt_at: Date | null;
  last_attempt_at: Date | null;
  completed_at: Date | null;
  q1_answer: string | null;
  q2_answer: string | null;
  q3_answer: string | null;
  q1_confidence: number | null;
  q2_confidence: number | null;
  q3_confidence: number | null;
}

/** The export's SELECT for one batch; also used by the benchmark's COPY reference. */
export function exportBatchQuery(campaignId: string, after: string | null, limit: number) {
  return sql<ExportRow>`
    select c.id, c.campaign_id, c.external_contact_id, c.phone_number, c.state::text as state,
           c.last_outcome::text as last_outcome, c.attempts_count::int as attempts_count,
           coalesce(fa.started_at, fa.created_at) as first_attempt_at, c.last_attempt_at, sr.completed_at,
           sr.q1_answer, sr.q2_answer, sr.q3_answer, sr.q1_confidence, sr.q2_confidence, sr.q3_confidence
    from contacts c
    -- LATERAL … LIMIT 1 keeps these as per-row index lookups: as plain joins the
    -- planner picks merge joins that rescan from the first contact on every
    -- batch (quadratic: 10 min instead of seconds for 1M contacts).
    left join lateral (
      select a.started_at, a.created_at from call_attempts a where a.contact_id = c.id and a.attempt_number = 1 limit 1
    ) fa on true
    left join lateral (
      select r.completed_at, r.q1_answer, r.q2_answer, r.q3_answer, r.q1_confidence, r.q2_confidence, r.q3_confidence
      from survey_responses r where r.contact_id = c.id limit 1
    ) sr on true
    where c.campaign_id = ${campaignId}${after === null ? sql`` : sql` and c.id > ${after}`}
    order by c.id
    limit ${limit}`;
}

/** Every contact of the campaign, in id order, `batchSize` at a time. */
export async function* exportRowBatches(db: Kysely<DB>, campaignId: string, batchSize = DEFAULT_EXPORT_BATCH): AsyncGenerator<ExportRow[]> {
  let after: string | null = null;
  for (;;) {
    const { rows }: { rows: ExportRow[] } = await exportBatchQuery(campaignId, after, batchSize).execute(db);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1]!.id;
  }
}

export const toRecord = (r: ExportRow, delimiter: string): string =>
  formatRecord([
    r.campaign_id, r.id, r.external_contact_id, r.phone_number, r.state, r.last_outcome, r.attempts_count,
    r.first_attempt_at, r.last_attempt_at, r.completed_at,
    r.q1_answer, r.q2_answer, r.q3_answer, r.q1_confidence, r.q2_confidence, r.q3_confidence,
  ], delimiter, TEXT_COLUMNS);

export interface ExportProgress {
  /** Data rows written so far (not counting the header). */
  rows: number;
}

/** Throws not_found unless the campaign exists; returns its contact count. */
export async function countExportRows(db: Kysely<DB>, campaignId: string): Promise<number> {
  if (!UUID.test(campaignId)) throw notFound('campaign');
  const c = await db.selectFrom('campaigns').select('id').where('id', '=', campaignId).executeTakeFirst();
  if (!c) throw notFound('campaign');
  const r = await db.selectFrom('contacts').select(sql<number>`count(*)::int`.as('n')).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
  return r.n;
}

/**
 * The CSV text of a campaign's export, as a byte stream with backpressure.
 * `progress.rows` counts rows as they are produced (final once the stream ends).
 */
export function campaignCsvStream(
  db: Kysely<DB>,
  campaignId: string,
  opts: CsvOptions & { batchSize?: number; highWaterMark?: number } = {},
  progress: ExportProgress = { rows: 0 },
): Readable {
  const delimiter = opts.delimiter ?? ',';
  async function* generate(): AsyncGenerator<Buffer> {
    yield Buffer.from((opts.bom ? UTF8_BOM : '') + headerRecord(delimiter), 'utf8');
    for await (const batch of exportRowBatches(db, campaignId, opts.batchSize)) {
      let chunk = '';
      for (const r of batch) chunk += toRecord(r, delimiter);
      progress.rows += batch.length;
      yield Buffer.from(chunk, 'utf8');
    }
  }
  return Readable.from(generate(), { objectMode: false, highWaterMark: opts.highWaterMark ?? 64 * 1024 });
}
