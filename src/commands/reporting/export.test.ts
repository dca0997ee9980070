import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { parse } from 'csv-parse/sync';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/support/clock.js';
import { freshDatabase, type TestDatabase } from '../../../test/support/db.js';
import { createCampaign, createContact } from '../../../test/support/factories.js';
import { LocalBlobStore } from '../../adapters/storage/local/local-blob-store.js';
import type { DB } from '../../db/schema/index.js';
import type { AuditEntry } from '../../domain/ports/audit.js';
import type { BlobStore } from '../../domain/ports/blob-store.js';
import { EXPORT_COLUMNS } from '../../domain/reporting/csv.js';
import { campaignCsvStream, countExportRows, type ExportProgress } from './export.js';
import {
  deleteExpiredExports, exportDownloadLink, getExportJob, openExportDownload, runExportJob, runNextExportJob,
  startDirectExport, startExportJob, type ExportDeps,
} from './export-jobs.js';

let t: TestDatabase;
let db: Kysely<DB>;
let dir: string;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
  dir = mkdtempSync(join(tmpdir(), 'vsa-export-'));
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const rowsOf = (csv: string, delimiter = ',') => parse(csv.replace(/^\uFEFF/, ''), { columns: true, delimiter }) as Record<string, string>[];

/** A campaign with `n` contacts: a third completed (with answers), a third not reached after two attempts, the rest pending. */
async function campaignWith(n: number) {
  const campaign = await createCampaign(db);
  const contacts = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 3;
    const c = await createContact(db, campaign.id, {
      external_contact_id: i === 0 ? '=HYPERLINK("http://evil","x")' : `CRM-${i}`,
      email: `person${i}@example.org`,
      state: kind === 0 ? 'completed' : kind === 1 ? 'not_reached' : 'pending',
      attempts_count: kind === 2 ? 0 : kind === 1 ? 2 : 1,
      last_outcome: kind === 0 ? 'completed' : kind === 1 ? 'no_answer' : null,
      last_attempt_at: kind === 2 ? null : '2026-01-12T10:00:00Z',
    });
    contacts.push(c);
    if (kind === 2) continue;
    for (let a = 1; a <= (kind === 1 ? 2 : 1); a++) {
      const attempt = await db.insertInto('call_attempts').values({
        contact_id: c.id, campaign_id: campaign.id, attempt_number: a,
        started_at: `2026-01-1${a}T09:00:00Z`, ended_at: `2026-01-1${a}T09:01:00Z`, outcome: kind === 0 ? 'completed' : 'no_answer',
      }).returning('id').executeTakeFirstOrThrow();
      await db.insertInto('transcript_snippets').values({ call_attempt_id: attempt.id, transcript_text: `SECRET TRANSCRIPT ${i}`, language: 'en' }).execute();
      if (kind === 0) {
        await db.insertInto('survey_responses').values({
          contact_id: c.id, campaign_id: campaign.id, call_attempt_id: attempt.id, completed_at: '2026-01-11T09:01:00Z',
          q1_answer: '8', q1_confidence: 0.9, q2_answer: '-5', q2_confidence: 0.75, q3_answer: i === 3 ? '@SUM(1+1)' : 'più "veloce", grazie',
        }).execute();
      }
    }
  }
  return { campaign, contacts };
}

const memoryAudit = () => {
  const entries: AuditEntry[] = [];
  return { entries, recordAudit: async (e: AuditEntry) => void entries.push(e) };
};

describe('campaign CSV stream', () => {
  it('writes exactly one row per contact (small batches: no duplicates, none missing), no emails or transcripts', async () => {
    const { campaign, contacts } = await campaignWith(11);
    const progress: ExportProgress = { rows: 0 };
    const csv = await text(campaignCsvStream(db, campaign.id, { batchSize: 3 }, progress));
    const rows = rowsOf(csv);
    expect(Object.keys(rows[0]!)).toEqual([...EXPORT_COLUMNS]);
    expect(rows).toHaveLength(11);
    expect(progress.rows).toBe(11);
    expect(new Set(rows.map((r) => r.contact_id))).toEqual(new Set(contacts.map((c) => c.id)));
    expect(csv).not.toMatch(/@example\.org|SECRET TRANSCRIPT/);
    const notReached = rows.find((r) => r.contact_id === contacts[1]!.id)!;
    expect(notReached).toMatchObject({ state: 'not_reached', outcome: 'no_answer', attempt_count: '2', first_attempt_at: '2026-01-11T09:00:00Z', completed_at: '' });
    const done = rows.find((r) => r.contact_id === contacts[3]!.id)!;
    expect(done).toMatchObject({ state: 'completed', q1_answer: '8', q2_answer: '-5', q3_answer: "'@SUM(1+1)", q1_confidence: '0.9', q2_confidence: '0.75', q3_confidence: '' });
    expect(rows.find((r) => r.contact_id === contacts[6]!.id)!.q3_answer).toBe('più "veloce", grazie');
  });

  it('neutralizes formulas and keeps phone numbers as readable text', async () => {
    const { campaign, contacts } = await campaignWith(1);
    const [row] = rowsOf(await text(campaignCsvStream(db, campaign.id)));
    expect(row!.external_contact_id).toBe(`'=HYPERLINK("http://evil","x")`);
    expect(row!.phone_number).toBe(`'${contacts[0]!.phone_number}`);
  });

  it('honours the BOM and delimiter options', async () => {
    const { campaign } = await campaignWith(2);
    const bytes = await buffer(campaignCsvStream(db, campaign.id, { bom: true, delimiter: ';' }));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const csv = bytes.toString('utf8');
    expect(csv.slice(1).split('\r\n')[0]).toBe(EXPORT_COLUMNS.join(';'));
    expect(rowsOf(csv, ';')).toHaveLength(2);
    expect(csv.startsWith('\uFEFF')).toBe(true);
  });

  it('reads the database only as fast as the consumer reads (backpressure)', async () => {
    const { campaign } = await campaignWith(30);
    const progress: ExportProgress = { rows: 0 };
    const stream = campaignCsvStream(db, campaign.id, { batchSize: 2, highWaterMark: 16 }, progress);
    await new Promise<void>((r) => stream.once('readable', () => r()));
    await new Promise((r) => setTimeout(r, 100));
    // nobody is reading: the producer stopped after filling the small buffer
    expect(progress.rows).toBeLessThanOrEqual(4);
    await text(stream);
    expect(progress.rows).toBe(30);
  });

  it('counts rows and 404s for an unknown campaign', async () => {
    const { campaign } = await campaignWith(2);
    expect(await countExportRows(db, campaign.id)).toBe(2);
    await expect(countExportRows(db, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ kind: 'not_found', code: 'campaign.not_found' });
  });

  it('a direct export is audited with the row count once read to the end', async () => {
    const { campaign } = await campaignWith(4);
    const audit = memoryAudit();
    const user = 'aaaaaaaa-0000-4000-8000-000000000001';
    const out = await startDirectExport(db, audit, { campaignId: campaign.id, actorUserId: user, delimiter: ';' });
    expect(out.contacts).toBe(4);
    expect(audit.entries).toEqual([]);
    await text(out.body);
    await out.audited;
    expect(audit.entries).toEqual([{ actorUserId: user, action: 'export.create', targetType: 'campaign', targetId: campaign.id, details: { rows: 4, mode: 'direct' } }]);
  });
});

describe('export jobs', () => {
  const secret = 's'.repeat(40);
  let clock: FakeClock;
  let deps: ExportDeps & { entries: AuditEntry[] };
  beforeAll(() => {
    clock = new FakeClock('2026-03-02T09:00:00Z');
    const audit = memoryAudit();
    deps = { blobs: new LocalBlobStore(dir), recordAudit: audit.recordAudit, entries: audit.entries, clock, retentionMs: 24 * 3_600_000 };
  });

  it('queued → done: writes the file, counts rows, audits, and serves it through an expiring signed link', async () => {
    const { campaign } = await campaignWith(5);
    const job = await startExportJob(db, { campaignId: campaign.id, requestedByUserId: null, delimiter: ';', bom: true });
    expect(job.status).toBe('queued');
    const done = (await runExportJob(db, deps, job.id))!;
    expect(done).toMatchObject({ status: 'done', row_count: 5, blob_key: `exports/${campaign.id}/${job.id}.csv` });
    expect(done.expires_at).toEqual(new Date('2026-03-03T09:00:00Z'));
    expect(deps.entries.at(-1)).toMatchObject({ action: 'export.create', targetId: campaign.id, details: { rows: 5, jobId: job.id, mode: 'job' } });
    expect(await runExportJob(db, deps, job.id)).toBeNull(); // already claimed

    const link = exportDownloadLink(done, secret, 15 * 60_000, clock.now());
    expect(link.expiresAt).toEqual(new Date('2026-03-02T09:15:00Z'));
    const params = Object.fromEntries(new URL(link.url, 'http://x').searchParams) as { expires: string; signature: string };
    const dl = await openExportDownload(db, deps, secret, job.id, params);
    const csv = (await buffer(dl.body)).toString('utf8'); // (TextDecoder would drop the BOM)
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(rowsOf(csv, ';')).toHaveLength(5);

    await expect(openExportDownload(db, deps, secret, job.id, { ...params, signature: `${params.signature.slice(0, -2)}xx` }))
      .rejects.toMatchObject({ kind: 'forbidden' });
    await expect(openExportDownload(db, deps, 'other'.repeat(8), job.id, params)).rejects.toMatchObject({ kind: 'forbidden' });
    clock.advance(16 * 60_000);
    await expect(openExportDownload(db, deps, secret, job.id, params)).rejects.toMatchObject({ kind: 'not_found', code: 'export_job.expired' });
  });

  it('deletes expired files and refuses links to them', async () => {
    const { campaign } = await campaignWith(1);
    const job = await startExportJob(db, { campaignId: campaign.id, requestedByUserId: null });
    const done = (await runExportJob(db, deps, job.id))!;
    const params = Object.fromEntries(new URL(exportDownloadLink(done, secret, 3 * 86_400_000, clock.now()).url, 'http://x').searchParams);
    clock.advance(25 * 3_600_000);
    expect(await deleteExpiredExports(db, deps)).toBeGreaterThanOrEqual(1);
    expect((await getExportJob(db, job.id)).blob_key).toBeNull();
    await expect(deps.blobs.get(done.blob_key!)).rejects.toMatchObject({ code: 'blob.not_found' });
    await expect(openExportDownload(db, deps, secret, job.id, params)).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('retries a failing job and marks it failed after three attempts', async () => {
    const { campaign } = await campaignWith(1);
    const broken: BlobStore = {
      put: async (_k: string, body: Readable) => {
        body.destroy();
        throw new Error('storage unavailable');
      },
      get: () => Promise.reject(new Error('x')),
      delete: async () => {},
    };
    const job = await startExportJob(db, { campaignId: campaign.id, requestedByUserId: null });
    const d = { ...deps, blobs: broken };
    expect((await runExportJob(db, d, job.id))!).toMatchObject({ status: 'queued', error_message: 'storage unavailable' });
    await runExportJob(db, d, job.id);
    expect((await runExportJob(db, d, job.id))!).toMatchObject({ status: 'failed', attempts: 3 });
    expect(() => exportDownloadLink(({ ...job, status: 'failed' }), secret, 1000, clock.now())).toThrowError(/not finished/);
  });

  it('the worker tick runs queued jobs oldest first; bad input is rejected up front', async () => {
    await db.updateTable('export_jobs').set({ status: 'failed' }).where('status', '=', 'queued').execute();
    const { campaign } = await campaignWith(2);
    const job = await startExportJob(db, { campaignId: campaign.id, requestedByUserId: null });
    expect((await runNextExportJob(db, deps))?.id).toBe(job.id);
    expect(await runNextExportJob(db, deps)).toBeNull();
    await expect(startExportJob(db, { campaignId: campaign.id, requestedByUserId: null, delimiter: 'x' })).rejects.toMatchObject({ code: 'export.invalid_options' });
    await expect(startExportJob(db, { campaignId: '00000000-0000-4000-8000-000000000000', requestedByUserId: null })).rejects.toMatchObject({ kind: 'not_found' });
    await expect(getExportJob(db, 'nope')).rejects.toMatchObject({ code: 'export_job.not_found' });
  });
});
