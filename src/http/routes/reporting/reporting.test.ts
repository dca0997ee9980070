import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../../../../test/support/api.js';
import { freshDatabase, type TestDatabase } from '../../../../test/support/db.js';
import { createCampaign, createContact } from '../../../../test/support/factories.js';
import { runNextExportJob } from '../../../commands/reporting/export-jobs.js';

let t: TestDatabase;
let api: TestApi;
let campaignId: string;
let contactId: string;
let callId: string;
let dir: string;
beforeAll(async () => {
  t = await freshDatabase();
  // Campaigns above 3 contacts are exported by a job.
  dir = mkdtempSync(join(tmpdir(), 'vsa-reporting-api-'));
  api = await startApi(t, { EXPORT_SYNC_MAX_ROWS: '3', EXPORT_DIR: dir });
  const campaign = await createCampaign(t.db, { timezone: 'Europe/Rome' });
  campaignId = campaign.id;
  const contact = await createContact(t.db, campaignId, { state: 'completed', attempts_count: 1, last_outcome: 'completed', email: 'someone@example.org' });
  contactId = contact.id;
  const attempt = await t.db.insertInto('call_attempts').values({
    contact_id: contact.id, campaign_id: campaignId, attempt_number: 1, provider_call_id: 'CA-9',
    started_at: '2026-01-12T08:00:00Z', answered_at: '2026-01-12T08:00:04Z', ended_at: '2026-01-12T08:02:04Z', outcome: 'completed',
  }).returningAll().executeTakeFirstOrThrow();
  callId = attempt.call_id;
  await t.db.insertInto('survey_responses').values({ contact_id: contact.id, campaign_id: campaignId, call_attempt_id: attempt.id, q1_answer: '9', q2_answer: '2', q3_answer: '=cmd' }).execute();
  await t.db.insertInto('transcript_snippets').values({ call_attempt_id: attempt.id, transcript_text: 'Caller: nine', language: 'en' }).execute();
  await createContact(t.db, campaignId);
});
afterAll(async () => {
  await api.close();
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (url: string, role: 'admin' | 'campaign_manager' | 'viewer' | null = 'campaign_manager') =>
  api.http.inject({ method: 'GET', url, headers: role ? await api.as(role) : {} });

describe('statistics routes', () => {
  it('GET /api/campaigns/{id}/stats: snake_case statistics for any reader, 404 for an unknown campaign', async () => {
    const res = await get(`/api/campaigns/${campaignId}/stats`, 'viewer');
    expect(res.statusCode).toBe(200);
    const s = res.json();
    expect(s).toMatchObject({
      campaign_id: campaignId, timezone: 'Europe/Rome',
      contacts: { total: 2, by_state: { completed: 1, pending: 1 } },
      totals: { attempted: 1, completed: 1, not_yet_called: 1 },
      aapor: { counts: { I: 1, U: 1 }, rates: { RR1: 0.5 } },
      call_duration: { answered_calls: 1, avg_seconds: 120, p95_seconds: 120 },
      series: { hourly: [{ start: '2026-01-12T09:00', attempts: 1, answers: 1, completions: 1 }] },
      funnel: { dialled: 1, completed: 1 },
    });
    expect((await get('/api/campaigns/00000000-0000-4000-8000-000000000000/stats')).statusCode).toBe(404);
  });

  it('GET /api/stats/overview lists campaigns', async () => {
    const res = await get('/api/stats/overview', 'viewer');
    expect(res.statusCode).toBe(200);
    expect(res.json().items.find((i: { campaign_id: string }) => i.campaign_id === campaignId)).toMatchObject({ contacts: 2, completed: 1, completion_rate: 1 });
  });
});

describe('call detail routes', () => {
  it('GET /api/calls/{call_id}: managers and admins only; 404 for unknown ids', async () => {
    const res = await get(`/api/calls/${callId}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ call_id: callId, attempt_number: 1, outcome: 'completed', duration_seconds: 120, provider_call_id: 'CA-9', transcript: [{ text: 'Caller: nine' }] });
    expect(res.body).not.toMatch(/example\.org|\+39/);
    expect((await get(`/api/calls/${callId}`, 'admin')).statusCode).toBe(200);
    expect((await get(`/api/calls/${callId}`, 'viewer')).statusCode).toBe(403);
    expect((await get('/api/calls/nope')).statusCode).toBe(404);
  });

  it('GET /api/contacts/{id}/attempts', async () => {
    const res = await get(`/api/contacts/${contactId}/attempts`);
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(1);
    expect((await get(`/api/contacts/${contactId}/attempts`, 'viewer')).statusCode).toBe(403);
    expect((await get('/api/contacts/00000000-0000-4000-8000-000000000000/attempts')).statusCode).toBe(404);
  });
});

describe('export routes', () => {
  it('streams a small campaign as CSV and audits it', async () => {
    const res = await get(`/api/campaigns/${campaignId}/export?delimiter=;&bom=true`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="campaign-.*\.csv"/);
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = parse(res.body.replace(/^\uFEFF/, ''), { columns: true, delimiter: ';' }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.contact_id === contactId)!.q3_answer).toBe("'=cmd");
    expect(res.body).not.toContain('example.org');
    await new Promise((r) => setTimeout(r, 50));
    const manager = await api.user('campaign_manager');
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'export.create').where('actor_user_id', '=', manager.id).execute();
    expect(audit.at(-1)).toMatchObject({ target_type: 'campaign', target_id: campaignId, actor_role: 'campaign_manager' });
    expect(audit.at(-1)!.details).toMatchObject({ rows: 2, mode: 'direct' });
    expect((await get(`/api/campaigns/${campaignId}/export`, 'viewer')).statusCode).toBe(403);
  });

  it('large campaigns become a job (202 + Location); the job is polled and downloaded through a signed link', async () => {
    for (let i = 0; i < 3; i++) await createContact(t.db, campaignId);
    const res = await get(`/api/campaigns/${campaignId}/export`);
    expect(res.statusCode).toBe(202);
    const job = res.json();
    expect(res.headers.location).toBe(`/api/exports/${job.id}`);
    expect(job).toMatchObject({ status: 'queued', download_url: null });

    await runNextExportJob(t.db, api.app.reporting.exportDeps);
    const polled = await get(`/api/exports/${job.id}`);
    expect(polled.json()).toMatchObject({ status: 'done', row_count: 5 });
    const url: string = polled.json().download_url;
    expect(url).toMatch(new RegExp(`^/api/exports/${job.id}/download\\?expires=\\d+&signature=`));

    const dl = await api.http.inject({ method: 'GET', url }); // no credentials: the signature is the credential
    expect(dl.statusCode).toBe(200);
    expect(parse(dl.body, { columns: true })).toHaveLength(5);
    const tampered = await api.http.inject({ method: 'GET', url: url.replace(/expires=(\d+)/, (_m, e: string) => `expires=${Number(e) + 1}`) });
    expect(tampered.statusCode).toBe(403);
  });

  it('POST /api/campaigns/{id}/exports starts a job; bad options are 400; viewers are refused', async () => {
    const res = await api.http.inject({ method: 'POST', url: `/api/campaigns/${campaignId}/exports`, payload: { delimiter: 'tab', bom: true }, headers: await api.as('admin') });
    expect(res.statusCode).toBe(202);
    expect(res.json().status).toBe('queued');
    const bad = await api.http.inject({ method: 'POST', url: `/api/campaigns/${campaignId}/exports`, payload: { delimiter: 'x' }, headers: await api.as('admin') });
    expect(bad.statusCode).toBe(400);
    const viewer = await api.http.inject({ method: 'POST', url: `/api/campaigns/${campaignId}/exports`, payload: {}, headers: await api.as('viewer') });
    expect(viewer.statusCode).toBe(403);
    expect((await get('/api/exports/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  });
});
