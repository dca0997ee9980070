/**
 * Asynchronous exports: a job row (queued → running → done | failed), a
 * worker that writes the CSV to the BlobStore, and expiring signed download
 * links. Every finished export is audited (who, campaign, row count).
 */
import type { Readable } from 'node:stream';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, ExportJobsTable } from '../../db/schema/index.js';
import type { Clock } from '../../domain/clock.js';
import { DomainError, notFound } from '../../domain/errors.js';
import type { RecordAudit } from '../../domain/ports/audit.js';
import type { BlobStore } from '../../domain/ports/blob-store.js';
import { parseCsvOptions, type CsvOptions } from '../../domain/reporting/csv.js';
import { signLink, verifyLink } from '../../domain/reporting/signed-link.js';
import type { Logger } from '../../observability/logger.js';
import { campaignCsvStream, countExportRows, type ExportProgress } from './export.js';

export type ExportJob = Selectable<ExportJobsTable>;

export interface ExportDeps {
  readonly blobs: BlobStore;
  readonly recordAudit: RecordAudit;
  readonly clock: Clock;
  /** How long a finished export file is kept (EXPORT_RETENTION_HOURS). */
  readonly retentionMs: number;
  readonly log?: Logger;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A running job not finished after this long is considered abandoned (its worker died). */
export const STALE_RUNNING_MS = 60 * 60_000;
export const MAX_EXPORT_ATTEMPTS = 3;

/** Queues an export of the campaign; not_found for an unknown campaign, invalid for bad options. */
export async function startExportJob(
  db: Kysely<DB>,
  input: { campaignId: string; requestedByUserId: string | null; delimiter?: string; bom?: boolean | string },
): Promise<ExportJob> {
  const options = parseCsvOptions(input);
  await countExportRows(db, input.campaignId); // existence check (cheap: index-only count)
  return db.insertInto('export_jobs')
    .values({ campaign_id: input.campaignId, requested_by_user_id: input.requestedByUserId, options: JSON.stringify(options) })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getExportJob(db: Kysely<DB>, jobId: string): Promise<ExportJob> {
  if (!UUID.test(jobId)) throw notFound('export_job');
  const job = await db.selectFrom('export_jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
  if (!job) throw notFound('export_job');
  return job;
}

export const exportBlobKey = (job: Pick<ExportJob, 'id' | 'campaign_id'>): string => `exports/${job.campaign_id}/${job.id}.csv`;

/**
 * Runs one queued job: claims it (only one worker wins: the conditional UPDATE
 * re-checks `status = 'queued'` after any concurrent claim commits), writes
 * the CSV to the blob store, marks it done and audits it. Returns the job as
 * it ended, or null when someone else had already claimed it.
 */
export async function runExportJob(db: Kysely<DB>, deps: ExportDeps, jobId: string): Promise<ExportJob | null> {
  const claimed = await db.updateTable('export_jobs')
    .set({ status: 'running', started_at: deps.clock.now(), attempts: sql`attempts + 1`, error_message: null })
    .where('id', '=', jobId).where('status', '=', 'queued')
    .returningAll()
    .executeTakeFirst();
  if (!claimed) return null;
  const options = (typeof claimed.options === 'string' ? JSON.parse(claimed.options) : claimed.options) as CsvOptions;
  const key = exportBlobKey(claimed);
  const progress: ExportProgress = { rows: 0 };
  try {
    const { bytes } = await deps.blobs.put(key, campaignCsvStream(db, claimed.campaign_id, options, progress), { contentType: 'text/csv; charset=utf-8' });
    const now = deps.clock.now();
    const done = await db.updateTable('export_jobs')
      .set({ status: 'done', row_count: progress.rows, byte_size: bytes, blob_key: key, finished_at: now, expires_at: new Date(now.getTime() + deps.retentionMs) })
      .where('id', '=', jobId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await deps.recordAudit({
      actorUserId: claimed.requested_by_user_id, action: 'export.create', targetType: 'campaign', targetId: claimed.campaign_id,
      details: { rows: progress.rows, jobId, mode: 'job' },
    });
    deps.log?.info({ jobId, campaignId: claimed.campaign_id, rows: progress.rows, bytes }, 'export job done');
    return done;
  } catch (err) {
    deps.log?.error({ jobId, campaignId: claimed.campaign_id, err: (err as Error).name }, 'export job failed');
    await deps.blobs.delete(key).catch(() => {});
    // The message is ours or the driver's, never row content; keep it short.
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 200);
    const retry = claimed.attempts < MAX_EXPORT_ATTEMPTS;
    return db.updateTable('export_jobs')
      .set(retry ? { status: 'queued', error_message: message } : { status: 'failed', error_message: message, finished_at: deps.clock.now() })
      .where('id', '=', jobId)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
}

/**
 * One worker tick: requeues abandoned running jobs, runs the oldest queued
 * job (if any) and deletes expired export files. Returns the job it ran.
 */
export async function runNextExportJob(db: Kysely<DB>, deps: ExportDeps): Promise<ExportJob | null> {
  const now = deps.clock.now();
  await db.updateTable('export_jobs')
    .set({ status: 'queued' })
    .where('status', '=', 'running')
    .where('started_at', '<', new Date(now.getTime() - STALE_RUNNING_MS))
    .execute();
  await deleteExpiredExports(db, deps);
  for (;;) {
    const next = await db.selectFrom('export_jobs').select('id').where('status', '=', 'queued').orderBy('created_at').limit(1).executeTakeFirst();
    if (!next) return null;
    const ran = await runExportJob(db, deps, next.id);
    if (ran) return ran;
  }
}

/** Deletes the files of expired exports (the job row stays, without its blob). */
export async function deleteExpiredExports(db: Kysely<DB>, deps: Pick<ExportDeps, 'blobs' | 'clock'>): Promise<number> {
  const expired = await db.selectFrom('export_jobs').select(['id', 'blob_key'])
    .where('blob_key', 'is not', null).where('expires_at', '<=', deps.clock.now()).limit(100).execute();
  for (const j of expired) {
    await deps.blobs.delete(j.blob_key!);
    await db.updateTable('export_jobs').set({ blob_key: null }).where('id', '=', j.id).execute();
  }
  return expired.length;
}

const resource = (jobId: string) => `export:${jobId}`;

/** A signed, expiring download path for a finished job (expires at the earlier of now + ttl and the file's expiry). */
export function exportDownloadLink(job: ExportJob, secret: string, ttlMs: number, now: Date): { url: string; expiresAt: Date } {
  if (job.status !== 'done' || !job.blob_key || !job.expires_at) {
    throw new DomainError('export_job.not_ready', 'the export is not finished', 'conflict', { status: job.status });
  }
  const expiresAt = new Date(Math.min(now.getTime() + ttlMs, job.expires_at.getTime()));
  const { expires, signature } = signLink(secret, resource(job.id), expiresAt);
  return { url: `/api/exports/${job.id}/download?expires=${expires}&signature=${encodeURIComponent(signature)}`, expiresAt };
}

/**
 * The download route's check and open: verifies the signed link, then streams
 * the file. invalid link → forbidden; expired link or file → not_found
 * (`export_job.expired`), so a stale link never reveals anything.
 */
export async function openExportDownload(
  db: Kysely<DB>,
  deps: Pick<ExportDeps, 'blobs' | 'clock'>,
  secret: string,
  jobId: string,
  params: { expires?: string; signature?: string },
): Promise<{ job: ExportJob; body: Readable; filename: string }> {
  const now = deps.clock.now();
  const check = verifyLink(secret, resource(jobId), params.expires, params.signature, now);
  if (check === 'invalid') throw new DomainError('export_job.bad_signature', 'invalid download link', 'forbidden');
  if (check === 'expired') throw new DomainError('export_job.expired', 'this download link has expired', 'not_found');
  const job = await getExportJob(db, jobId);
  if (job.status !== 'done' || !job.blob_key || !job.expires_at || job.expires_at <= now) {
    throw new DomainError('export_job.expired', 'this export is no longer available', 'not_found');
  }
  const body = await deps.blobs.get(job.blob_key);
  return { job, body, filename: `campaign-${job.campaign_id}-export.csv` };
}

/**
 * A direct (streamed) export for one user: checks the campaign and options,
 * and returns the CSV stream plus the contact count; the export is audited
 * when the stream has been read to the end (an aborted download is not an
 * export). Callers decide beforehand whether the size calls for a job.
 */
export async function startDirectExport(
  db: Kysely<DB>,
  deps: Pick<ExportDeps, 'recordAudit' | 'log'>,
  input: { campaignId: string; actorUserId: string | null; delimiter?: string; bom?: boolean | string; batchSize?: number },
): Promise<{ body: Readable; contacts: number; progress: ExportProgress; filename: string; /** Settles once the finished export is audited. */ audited: Promise<void> }> {
  const options = parseCsvOptions(input);
  const contacts = await countExportRows(db, input.campaignId);
  const progress: ExportProgress = { rows: 0 };
  const body = campaignCsvStream(db, input.campaignId, { ...options, ...(input.batchSize ? { batchSize: input.batchSize } : {}) }, progress);
  let audited!: () => void;
  const auditDone = new Promise<void>((r) => (audited = r));
  body.once('end', () => {
    deps.recordAudit({
      actorUserId: input.actorUserId, action: 'export.create', targetType: 'campaign', targetId: input.campaignId,
      details: { rows: progress.rows, mode: 'direct' },
    })
      .catch((err: unknown) => deps.log?.error({ campaignId: input.campaignId, err: (err as Error).message }, 'export audit failed'))
      .finally(audited);
  });
  return { body, contacts, progress, audited: auditDone, filename: `campaign-${input.campaignId}-export.csv` };
}
