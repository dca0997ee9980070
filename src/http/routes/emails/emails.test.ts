import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../../../../test/support/api.js';
import { freshDatabase, type TestDatabase } from '../../../../test/support/db.js';
import { createOutcomeEvent } from '../../../../test/support/event-factories.js';
import { createCampaign, createTemplate } from '../../../../test/support/factories.js';
import { createNotificationsForEvents } from '../../../commands/email/notifications.js';

let t: TestDatabase;
let api: TestApi;
beforeAll(async () => {
  t = await freshDatabase();
  api = await startApi(t);
});
afterAll(async () => {
  await api.close();
  await t.close();
});

async function campaignWithEmails(n: number) {
  const tpl = await createTemplate(t.db, { type: 'completed' });
  const campaign = await createCampaign(t.db, { email_completed_template_id: tpl.id });
  for (let i = 0; i < n; i++) await createOutcomeEvent(t.db, campaign.id, { email: `route${i}@example.org` });
  await t.db.transaction().execute((trx) => createNotificationsForEvents(trx, { now: new Date(), limit: 100 }));
  return campaign;
}

describe('emails API', () => {
  it('lists a campaign\'s emails with cursor pages and masked recipients', async () => {
    const campaign = await campaignWithEmails(3);
    const h = await api.as('campaign_manager');
    const p1 = await api.http.inject({ method: 'GET', url: `/api/campaigns/${campaign.id}/emails?page_size=2`, headers: h });
    expect(p1.statusCode).toBe(200);
    const b1 = p1.json();
    expect(b1.items).toHaveLength(2);
    expect(b1.items[0]).toMatchObject({ campaign_id: campaign.id, status: 'pending', to: expect.stringMatching(/^r\*\*\*@example\.org$/), can: { retry: true } });
    const p2 = await api.http.inject({ method: 'GET', url: `/api/campaigns/${campaign.id}/emails?page_size=2&cursor=${b1.next_cursor}`, headers: h });
    expect(p2.json().items).toHaveLength(1);
    expect(p2.json().next_cursor).toBeNull();
    expect(p1.body + p2.body).not.toMatch(/route\d@example\.org/);
    const unknown = await api.http.inject({ method: 'GET', url: '/api/campaigns/00000000-0000-4000-8000-000000000000/emails', headers: h });
    expect(unknown.statusCode).toBe(404);
  });

  it('admin list filters by status; retry is audited, refused for sent emails, forbidden to viewers', async () => {
    const campaign = await campaignWithEmails(2);
    const [a, b] = await t.db.selectFrom('email_notifications').select('id').where('campaign_id', '=', campaign.id).execute();
    await t.db.updateTable('email_notifications').set({ status: 'failed', attempts: 4, error_message: '451 try later' }).where('id', '=', a!.id).execute();
    await t.db.updateTable('email_notifications').set({ status: 'sent', sent_at: new Date() }).where('id', '=', b!.id).execute();

    const admin = await api.as('admin');
    const failed = await api.http.inject({ method: 'GET', url: '/api/admin/emails?status=failed', headers: admin });
    expect(failed.statusCode).toBe(200);
    expect(failed.json().items.map((e: { id: string }) => e.id)).toContain(a!.id);
    expect(failed.json().items.every((e: { status: string }) => e.status === 'failed')).toBe(true);
    const bad = await api.http.inject({ method: 'GET', url: '/api/admin/emails?status=lost', headers: admin });
    expect(bad.statusCode).toBe(400);

    const viewer = await api.http.inject({ method: 'GET', url: '/api/admin/emails', headers: await api.as('viewer') });
    expect(viewer.statusCode).toBe(403);
    const viewerRetry = await api.http.inject({ method: 'POST', url: `/api/campaigns/${campaign.id}/emails/${a!.id}/retry`, headers: await api.as('viewer') });
    expect(viewerRetry.statusCode).toBe(403);

    const retry = await api.http.inject({ method: 'POST', url: `/api/campaigns/${campaign.id}/emails/${a!.id}/retry`, headers: await api.as('campaign_manager') });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ id: a!.id, status: 'pending', attempts: 0 });
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'email.retry').where('target_id', '=', a!.id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.before).toMatchObject({ status: 'failed', attempts: 4 });

    const sent = await api.http.inject({ method: 'POST', url: `/api/campaigns/${campaign.id}/emails/${b!.id}/retry`, headers: await api.as('campaign_manager') });
    expect(sent.statusCode).toBe(409);
    expect(sent.json().code).toBe('email.already_sent');
    const other = await createCampaign(t.db);
    const wrong = await api.http.inject({ method: 'POST', url: `/api/campaigns/${other.id}/emails/${a!.id}/retry`, headers: await api.as('campaign_manager') });
    expect(wrong.statusCode).toBe(404);
  });
});
