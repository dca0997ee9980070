import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../test/support/db.js';
import { createCampaign, createContact } from '../../test/support/factories.js';
import { LocalBlobStore } from '../adapters/storage/local/local-blob-store.js';
import { getExportJob, startExportJob } from '../commands/reporting/export-jobs.js';
import type { DB } from '../db/schema/index.js';
import { systemClock } from '../domain/clock.js';
import { ExportWorker } from './export-worker.js';

let t: TestDatabase;
let db: Kysely<DB>;
let dir: string;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
  dir = mkdtempSync(join(tmpdir(), 'vsa-export-worker-'));
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ExportWorker', () => {
  it('picks up queued jobs while running and stops cleanly', async () => {
    const worker = new ExportWorker(db, { blobs: new LocalBlobStore(dir), recordAudit: async () => {}, clock: systemClock, retentionMs: 3_600_000 }, { idleMs: 20 });
    const c = await createCampaign(db);
    await createContact(db, c.id);
    worker.start();
    try {
      const job = await startExportJob(db, { campaignId: c.id, requestedByUserId: null });
      const deadline = Date.now() + 10_000;
      let status = job.status;
      while (status !== 'done' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
        status = (await getExportJob(db, job.id)).status;
      }
      expect(status).toBe('done');
      expect((await getExportJob(db, job.id)).row_count).toBe(1);
    } finally {
      await worker.stop();
    }
    // housekeeping: the contact-count delta log was folded
    expect(await db.selectFrom('reporting_contact_deltas').select('seq').where('campaign_id', '=', c.id).execute()).toEqual([]);
    // stopped: a new job stays queued
    const later = await startExportJob(db, { campaignId: c.id, requestedByUserId: null });
    await new Promise((r) => setTimeout(r, 100));
    expect((await getExportJob(db, later.id)).status).toBe('queued');
  });
});
