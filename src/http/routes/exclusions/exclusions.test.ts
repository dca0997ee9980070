import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../../../../test/support/api.js';
import { freshDatabase, type TestDatabase } from '../../../../test/support/db.js';
import { createCampaign, createContact } from '../../../../test/support/factories.js';
import { multipart } from '../../../../test/support/multipart.js';

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

describe('exclusions API', () => {
  it('add excludes contacts at once; list masks numbers for viewers; only admins remove, audited, without re-inclusion', async () => {
    const c = await createCampaign(t.db, { status: 'running' });
    const contact = await createContact(t.db, c.id, { phone_number: '+393478880001' });
    const added = await api.http.inject({ method: 'POST', url: '/api/exclusions', payload: { phone_number: '347 888 0001', reason: 'asked' }, headers: await api.as('campaign_manager') });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ created: true, contacts_excluded: 1, entry: { phone_number: '+393478880001', reason: 'asked', source: 'api' } });
    const again = await api.http.inject({ method: 'POST', url: '/api/exclusions', payload: { phone_number: '+393478880001' }, headers: await api.as('campaign_manager') });
    expect(again.statusCode).toBe(200);
    const state = async () => (await t.db.selectFrom('contacts').select('state').where('id', '=', contact.id).executeTakeFirstOrThrow()).state;
    expect(await state()).toBe('excluded');

    const invalid = await api.http.inject({ method: 'POST', url: '/api/exclusions', payload: { phone_number: 'nope' }, headers: await api.as('campaign_manager') });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json().errors).toEqual([{ field: 'phone_number', code: 'invalid_phone', message: expect.any(String) }]);

    const asViewer = await api.http.inject({ method: 'GET', url: '/api/exclusions?search=8880001', headers: await api.as('viewer') });
    expect(asViewer.statusCode).toBe(200);
    expect(asViewer.json()).toMatchObject({ total: 1, items: [{ phone_number: '+39347*****01' }] });

    const id = added.json().entry.id;
    const byManager = await api.http.inject({ method: 'DELETE', url: `/api/exclusions/${id}`, headers: await api.as('campaign_manager') });
    expect(byManager.statusCode).toBe(403);
    const byAdmin = await api.http.inject({ method: 'DELETE', url: `/api/exclusions/${id}`, headers: await api.as('admin') });
    expect(byAdmin.statusCode, byAdmin.body).toBe(200);
    expect(await state()).toBe('excluded');
    const audit = await t.db.selectFrom('audit_log').selectAll().where('target_id', '=', id).orderBy('occurred_at').execute();
    expect(audit.map((a) => a.action)).toEqual(['exclusion.add', 'exclusion.remove']);
    expect(JSON.stringify(audit)).not.toMatch(/8880001/);
    const gone = await api.http.inject({ method: 'DELETE', url: `/api/exclusions/${id}`, headers: await api.as('admin') });
    expect(gone.statusCode).toBe(404);
  });

  it('imports a list (multipart) with provenance and the same report shape', async () => {
    const c = await createCampaign(t.db);
    await createContact(t.db, c.id, { phone_number: '+393478890001' });
    const body = multipart('phone_number,reason\n347 889 0001,\n347 889 0002,moved\nxx,\n', 'rpo.csv');
    const res = await api.http.inject({
      method: 'POST',
      url: '/api/exclusions/import?list_name=RPO&list_date=2026-11-01&reason=register',
      payload: body.payload,
      headers: { ...(await api.as('campaign_manager')), 'content-type': body.contentType },
    });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ total_rows: 3, accepted: 2, rejected: 1, duplicates: 0, excluded: 1, errors: [{ line: 4, field: 'phone_number' }] });
    expect(report.errors_url).toBe(`/api/exclusions/imports/${report.import_id}/errors.csv`);
    const csv = await api.http.inject({ method: 'GET', url: report.errors_url, headers: await api.as('viewer') });
    expect(csv.body).toMatch(/^line,field,code,message\n4,phone_number,invalid_phone,/);
    const list = await api.http.inject({ method: 'GET', url: '/api/exclusions?source=import', headers: await api.as('admin') });
    expect(list.json().items.map((e: { phone_number: string; list_name: string; list_date: string; reason: string }) => [e.phone_number, e.list_name, e.list_date, e.reason]).sort()).toEqual([
      ['+393478890001', 'RPO', '2026-11-01', 'register'],
      ['+393478890002', 'RPO', '2026-11-01', 'moved'],
    ]);
    const viewer = await api.http.inject({ method: 'POST', url: '/api/exclusions/import', payload: body.payload, headers: { ...(await api.as('viewer')), 'content-type': body.contentType } });
    expect(viewer.statusCode).toBe(403);
  });
});
