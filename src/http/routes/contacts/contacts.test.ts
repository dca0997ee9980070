import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../../../../test/support/api.js';
import { freshDatabase, type TestDatabase } from '../../../../test/support/db.js';
import { createCampaign, createContact } from '../../../../test/support/factories.js';
import { multipart } from '../../../../test/support/multipart.js';
import { SPOOL_PREFIX, sweepStaleUploads } from './upload.js';

let t: TestDatabase;
let api: TestApi;
// This file's own temporary directory (each test file is its own process), so
// the spool files its uploads leave behind, or not, can be counted.
const spoolRoot = mkdtempSync(join(tmpdir(), 'vsa-contacts-test-'));
process.env.TMPDIR = spoolRoot;
const spoolFiles = () => readdirSync(spoolRoot).filter((n) => n.startsWith(SPOOL_PREFIX));
beforeAll(async () => {
  t = await freshDatabase();
  api = await startApi(t, { IMPORT_MAX_BYTES: '20000' });
});
afterAll(async () => {
  await api.close();
  await t.close();
  rmSync(spoolRoot, { recursive: true, force: true });
});

async function upload(campaignId: string, content: string | Buffer, role: 'admin' | 'campaign_manager' | 'viewer' = 'campaign_manager', query = '') {
  const body = multipart(content);
  return api.http.inject({
    method: 'POST',
    url: `/api/campaigns/${campaignId}/contacts/upload${query}`,
    payload: body.payload,
    headers: { ...(await api.as(role)), 'content-type': body.contentType },
  });
}

describe('contacts API', () => {
  it('uploads a CSV and returns exactly the report; the error file downloads in full', async () => {
    const c = await createCampaign(t.db);
    const rows = ['phone_number;email;extra', '347 200 0001;a@example.org;x', '347 200 0001;;', 'bad;;', ';;', '0039 347 2000002;not-email;'];
    const res = await upload(c.id, rows.join('\r\n'));
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(Object.keys(report).sort()).toEqual(
      ['import_id', 'total_rows', 'accepted', 'rejected', 'duplicates', 'excluded', 'unknown_columns', 'errors', 'errors_total', 'errors_url'].sort(),
    );
    expect(report).toMatchObject({ total_rows: 5, accepted: 1, rejected: 3, duplicates: 1, excluded: 0, unknown_columns: ['extra'], errors_total: 3 });
    expect(report.errors.map((e: { line: number; field: string }) => `${e.line}:${e.field}`)).toEqual(['4:phone_number', '5:phone_number', '6:email']);

    const csv = await api.http.inject({ method: 'GET', url: report.errors_url, headers: await api.as('viewer') });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body.trim().split('\n')).toEqual([
      'line,field,code,message',
      expect.stringMatching(/^4,phone_number,invalid_phone,/),
      expect.stringMatching(/^5,phone_number,required,/),
      expect.stringMatching(/^6,email,invalid_email,/),
    ]);
    const stored = await api.http.inject({ method: 'GET', url: `/api/campaigns/${c.id}/contacts/imports/${report.import_id}`, headers: await api.as('viewer') });
    expect(stored.json()).toMatchObject({ id: report.import_id, kind: 'contacts', total_rows: 5, accepted: 1, file_name: 'contacts.csv' });
    const other = await createCampaign(t.db);
    const wrong = await api.http.inject({ method: 'GET', url: `/api/campaigns/${other.id}/contacts/imports/${report.import_id}/errors.csv`, headers: await api.as('viewer') });
    expect(wrong.statusCode).toBe(404);
  });

  it('honours explicit delimiter and encoding options', async () => {
    const c = await createCampaign(t.db);
    const res = await upload(c.id, Buffer.from('phone_number;external_contact_id\n3472000010;a,b\xe8\n', 'latin1'), 'campaign_manager', '?delimiter=semicolon&encoding=latin1');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 1 });
    const stored = await t.db.selectFrom('contacts').select('external_contact_id').where('campaign_id', '=', c.id).executeTakeFirstOrThrow();
    expect(stored.external_contact_id).toBe('a,bè');
    // With ';' as delimiter the header is one unknown column and there is no phone_number column.
    const bad = await upload(c.id, 'phone_number;x\n3472000010;y\n', 'campaign_manager', '?delimiter=comma');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('csv.missing_phone_column');
    const invalidOption = await upload(c.id, 'phone_number\n3472000011\n', 'campaign_manager', '?delimiter=pipe');
    expect(invalidOption.statusCode).toBe(400);
  });

  it('refuses files that are not CSV (422), too large (413 with the limit), wrong campaign state (409), viewers (403)', async () => {
    const c = await createCampaign(t.db);
    const binary = await upload(c.id, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]));
    expect(binary.statusCode).toBe(422);
    expect(binary.headers['content-type']).toMatch(/problem\+json/);
    expect(binary.json()).toMatchObject({ code: 'csv.binary' });

    const big = 'phone_number\n' + Array.from({ length: 3000 }, (_, i) => `347${3000000 + i}`).join('\n');
    const tooLarge = await upload(c.id, big);
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toMatchObject({ code: 'csv.too_large', details: { limit_bytes: 20000 } });

    const done = await createCampaign(t.db, { status: 'completed' });
    const conflict = await upload(done.id, 'phone_number\n3472000020\n');
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().code).toBe('contacts.import_not_allowed');

    const viewer = await upload(c.id, 'phone_number\n3472000021\n', 'viewer');
    expect(viewer.statusCode).toBe(403);

    const notMultipart = await api.http.inject({ method: 'POST', url: `/api/campaigns/${c.id}/contacts/upload`, payload: { x: 1 }, headers: await api.as('campaign_manager') });
    expect(notMultipart.statusCode).toBe(422);
    expect(notMultipart.json().code).toBe('upload.not_multipart');

    const count = await t.db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('campaign_id', 'in', [c.id, done.id]).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
    expect(spoolFiles()).toEqual([]);
  });

  it('a stalled upload holds no transaction: another upload to the campaign completes meanwhile, then the stalled one imports', async () => {
    // A limit above the reader's 64 KiB sniffing window, so that a file
    // streamed straight into the import would have its transaction open.
    const roomy = await startApi(t, { IMPORT_MAX_BYTES: '1000000' });
    try {
      const c = await createCampaign(t.db);
      const rows = Array.from({ length: 9000 }, (_, i) => `347${2100000 + i}`);
      const whole = multipart(`phone_number\n${rows.join('\n')}\n`).payload;
      // The first upload sends ~80 KB, then stalls (a slow client).
      const cut = whole.indexOf(rows[7000]!);
      const stalled = new PassThrough();
      stalled.write(whole.subarray(0, cut));
      const headers = { ...(await roomy.as('campaign_manager')), 'content-type': multipart('').contentType };
      const first = roomy.http.inject({ method: 'POST', url: `/api/campaigns/${c.id}/contacts/upload`, payload: stalled, headers });
      await new Promise((r) => setTimeout(r, 500));
      expect(spoolFiles()).toHaveLength(1);
      // Streamed straight into the import, this one would wait for the first
      // upload's transaction (the campaign's import lock, or PGlite's one connection).
      const other = multipart('phone_number\n3472000032\n');
      const second = await Promise.race([
        roomy.http.inject({ method: 'POST', url: `/api/campaigns/${c.id}/contacts/upload`, payload: other.payload, headers }),
        new Promise<'waited'>((r) => setTimeout(() => r('waited'), 5000)),
      ]);
      expect(second).not.toBe('waited');
      expect(second !== 'waited' && second.json()).toMatchObject({ accepted: 1 });
      stalled.end(whole.subarray(cut));
      const res = await first;
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ total_rows: 9000, accepted: 9000 });
      const count = await t.db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('campaign_id', '=', c.id).executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(9001);
      expect(spoolFiles()).toEqual([]);
    } finally {
      await roomy.close();
    }
  });

  it('an upload that breaks off is a 422 upload.incomplete, stores nothing and leaves no spool file', async () => {
    const c = await createCampaign(t.db);
    const body = multipart('phone_number\n3472000040\n3472000041\n');
    // The body ends inside the file part: the closing boundary never comes.
    const truncated = body.payload.subarray(0, body.payload.indexOf('3472000041'));
    const res = await api.http.inject({
      method: 'POST',
      url: `/api/campaigns/${c.id}/contacts/upload`,
      payload: truncated,
      headers: { ...(await api.as('campaign_manager')), 'content-type': body.contentType },
    });
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json()).toMatchObject({ code: 'upload.incomplete' });
    const count = await t.db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('campaign_id', '=', c.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
    const imports = await t.db.selectFrom('contact_imports').select('id').where('campaign_id', '=', c.id).execute();
    expect(imports).toEqual([]);
    expect(spoolFiles()).toEqual([]);
  });

  it('sweeps only spool directories older than the cut-off', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vsa-sweep-test-'));
    try {
      for (const name of [`${SPOOL_PREFIX}old`, `${SPOOL_PREFIX}new`, 'someone-elses-old']) mkdirSync(join(root, name));
      const dayAgo = new Date(Date.now() - 25 * 3600_000);
      utimesSync(join(root, `${SPOOL_PREFIX}old`), dayAgo, dayAgo);
      utimesSync(join(root, 'someone-elses-old'), dayAgo, dayAgo);
      expect(await sweepStaleUploads(24 * 3600_000, root)).toBe(1);
      expect(readdirSync(root).sort()).toEqual(['someone-elses-old', `${SPOOL_PREFIX}new`]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('lists contacts with filters; viewers see masked numbers and no emails', async () => {
    const c = await createCampaign(t.db);
    await createContact(t.db, c.id, { phone_number: '+393472001234', email: 'x@example.org', external_contact_id: 'K-1', state: 'completed', last_outcome: 'completed' });
    await createContact(t.db, c.id, { phone_number: '+393472005678', external_contact_id: 'K-2' });
    const manager = await api.http.inject({ method: 'GET', url: `/api/campaigns/${c.id}/contacts?state=completed`, headers: await api.as('campaign_manager') });
    expect(manager.statusCode).toBe(200);
    expect(manager.json()).toMatchObject({ total: 1, page: 1, page_size: 50, items: [{ phone_number: '+393472001234', email: 'x@example.org', external_contact_id: 'K-1' }] });
    const viewer = await api.http.inject({ method: 'GET', url: `/api/campaigns/${c.id}/contacts?search=5678`, headers: await api.as('viewer') });
    expect(viewer.json()).toMatchObject({ total: 1, items: [{ phone_number: '+39347*****78', email: null, external_contact_id: 'K-2' }] });
    const byOutcome = await api.http.inject({ method: 'GET', url: `/api/campaigns/${c.id}/contacts?last_outcome=completed&sort=phone_number&order=desc`, headers: await api.as('viewer') });
    expect(byOutcome.json().total).toBe(1);
    const bad = await api.http.inject({ method: 'GET', url: `/api/campaigns/${c.id}/contacts?page_size=1000`, headers: await api.as('viewer') });
    expect(bad.statusCode).toBe(400);
  });
});
