import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../../test/support/db.js';
import { startApi, type TestApi } from '../../../../test/support/api.js';
import { createCampaign, createTemplate } from '../../../../test/support/factories.js';

let t: TestDatabase;
let api: TestApi;
let manager: Record<string, string>;
let viewer: Record<string, string>;
beforeAll(async () => {
  t = await freshDatabase();
  api = await startApi(t);
  manager = await api.as('campaign_manager');
  viewer = await api.as('viewer');
});
afterAll(async () => {
  await api.close();
  await t.close();
});

const valid = {
  name: 'Thanks (EN)',
  type: 'completed',
  locale: 'en',
  subject: 'Thank you, {{organization_name}}',
  body_html: '<p>Thanks for {{campaign_name}}</p>',
  body_text: 'Thanks for {{campaign_name}}',
};

const audits = (action: string, id: string) => t.db.selectFrom('audit_log').selectAll().where('action', '=', action).where('target_id', '=', id).execute();

describe('email templates CRUD', () => {
  it('creates, reads, lists, updates and deletes, auditing each change', async () => {
    const created = await api.http.inject({ method: 'POST', url: '/api/templates', headers: manager, payload: valid });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body).toEqual({
      id: expect.any(String),
      ...valid,
      unknown_variables: [],
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(created.headers['location']).toBe(`/api/templates/${body.id}`);
    const me = await api.user('campaign_manager');
    const [audit] = await audits('template.create', body.id);
    expect(audit).toMatchObject({ actor_user_id: me.id, outcome: 'success', after: { name: 'Thanks (EN)', type: 'completed', subject: valid.subject } });

    const read = await api.http.inject({ method: 'GET', url: `/api/templates/${body.id}`, headers: viewer });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(body);

    const updated = await api.http.inject({ method: 'PUT', url: `/api/templates/${body.id}`, headers: manager, payload: { subject: 'New subject {{nickname}}' } });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({ subject: 'New subject {{nickname}}', body_text: valid.body_text, unknown_variables: ['nickname'] });
    const [u] = await audits('template.update', body.id);
    expect(u).toMatchObject({ before: { subject: valid.subject }, after: { subject: 'New subject {{nickname}}' } });

    const deleted = await api.http.inject({ method: 'DELETE', url: `/api/templates/${body.id}`, headers: manager });
    expect(deleted.statusCode).toBe(204);
    expect((await api.http.inject({ method: 'GET', url: `/api/templates/${body.id}`, headers: viewer })).statusCode).toBe(404);
    expect(await audits('template.delete', body.id)).toHaveLength(1);
  });

  it('lists with type and locale filters, name search and keyset pages', async () => {
    const tag = `List${Date.now()}`;
    for (let i = 0; i < 5; i++) await createTemplate(t.db, { name: `${tag} ${i}`, type: i % 2 ? 'refused' : 'completed', locale: i < 3 ? 'en' : 'it' });
    const all = await api.http.inject({ method: 'GET', url: `/api/templates?q=${tag}`, headers: viewer });
    expect(all.json().items.map((x: { name: string }) => x.name)).toEqual([0, 1, 2, 3, 4].map((i) => `${tag} ${i}`));
    expect(all.json().items[0]).not.toHaveProperty('body_html');
    const refused = await api.http.inject({ method: 'GET', url: `/api/templates?q=${tag}&type=refused`, headers: viewer });
    expect(refused.json().items.map((x: { name: string }) => x.name)).toEqual([`${tag} 1`, `${tag} 3`]);
    const it = await api.http.inject({ method: 'GET', url: `/api/templates?q=${tag}&locale=it`, headers: viewer });
    expect(it.json().items.map((x: { name: string }) => x.name)).toEqual([`${tag} 3`, `${tag} 4`]);

    const p1 = (await api.http.inject({ method: 'GET', url: `/api/templates?q=${tag}&page_size=2`, headers: viewer })).json();
    expect(p1).toMatchObject({ page: 1, page_size: 2, total: 5 });
    const p3 = (await api.http.inject({ method: 'GET', url: `/api/templates?q=${tag}&page_size=2&page=3`, headers: viewer })).json();
    expect(p1.items.map((x: { name: string }) => x.name)).toEqual([`${tag} 0`, `${tag} 1`]);
    expect(p3.items.map((x: { name: string }) => x.name)).toEqual([`${tag} 4`]);

    // The search is a literal substring: % and _ are not wildcards.
    const pct = await api.http.inject({ method: 'GET', url: `/api/templates?q=${encodeURIComponent('%')}`, headers: viewer });
    expect(pct.json().items).toEqual([]);
  });

  it('refuses to delete a template a non-cancelled campaign uses (409), allows it once the campaign is cancelled', async () => {
    const tpl = await createTemplate(t.db, { type: 'refused' });
    const campaign = await createCampaign(t.db, { status: 'paused', email_refused_template_id: tpl.id });
    const refused = await api.http.inject({ method: 'DELETE', url: `/api/templates/${tpl.id}`, headers: manager });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'template.in_use', details: { campaigns: [{ id: campaign.id, status: 'paused', slot: 'refused' }] } });
    expect(await audits('template.delete', tpl.id)).toHaveLength(0);

    // Changing its type while a campaign uses it for "refused" is refused too.
    const retype = await api.http.inject({ method: 'PUT', url: `/api/templates/${tpl.id}`, headers: manager, payload: { type: 'completed' } });
    expect(retype.statusCode).toBe(409);
    expect(retype.json().code).toBe('template.in_use');

    await t.db.updateTable('campaigns').set({ status: 'cancelled' }).where('id', '=', campaign.id).execute();
    expect((await api.http.inject({ method: 'DELETE', url: `/api/templates/${tpl.id}`, headers: manager })).statusCode).toBe(204);
    const after = await t.db.selectFrom('campaigns').select('email_refused_template_id').where('id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(after.email_refused_template_id).toBeNull();
  });

  it('validates every field at once with specific messages (422) and writes nothing', async () => {
    const before = await t.db.selectFrom('email_templates').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await api.http.inject({
      method: 'POST',
      url: '/api/templates',
      headers: manager,
      payload: { ...valid, name: '   ', subject: 'line one\nline two', body_html: '{{#campaign_name}}never closed', body_text: 'x'.repeat(100 * 1024 + 1) },
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'template.invalid' });
    expect(res.json().errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)).toEqual([
      'name:blank',
      'subject:multiline',
      'body_html:template_syntax',
      'body_text:too_large',
    ]);
    const subject201 = await api.http.inject({ method: 'POST', url: '/api/templates', headers: manager, payload: { ...valid, subject: 'x'.repeat(201) } });
    expect(subject201.json().errors).toEqual([{ field: 'subject', code: 'too_long', message: 'must be at most 200 characters' }]);
    const partial = await api.http.inject({ method: 'POST', url: '/api/templates', headers: manager, payload: { ...valid, body_html: 'Hi {{> header}}' } });
    expect(partial.json().errors[0]).toMatchObject({ field: 'body_html', code: 'template_partial' });
    const after = await t.db.selectFrom('email_templates').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('stores and echoes SQL and script injection strings verbatim, without executing them', async () => {
    const evil = {
      ...valid,
      name: "Robert'); DROP TABLE email_templates;--",
      subject: '<script>alert(1)</script> {{campaign_name}}',
      body_html: '<img src=x onerror=alert(1)> {{{campaign_name}}}',
      body_text: "' OR 1=1 --",
    };
    const res = await api.http.inject({ method: 'POST', url: '/api/templates', headers: manager, payload: evil });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: evil.name, subject: evil.subject, body_html: evil.body_html, body_text: evil.body_text });
    const row = await t.db.selectFrom('email_templates').selectAll().where('id', '=', res.json().id).executeTakeFirstOrThrow();
    expect(row.name).toBe(evil.name);
    const search = await api.http.inject({ method: 'GET', url: `/api/templates?q=${encodeURIComponent("'); DROP")}`, headers: viewer });
    expect(search.statusCode).toBe(200);
    expect(search.json().items.map((x: { id: string }) => x.id)).toEqual([row.id]);
  });
});

describe('template previews', () => {
  it('previews a saved template with the documented sample variables for its locale', async () => {
    const tpl = await createTemplate(t.db, {
      locale: 'it',
      type: 'completed',
      subject: 'Grazie da {{organization_name}}',
      body_html: '<p>{{campaign_name}}: {{q1_answer}} {{unknown_thing}}</p>',
      body_text: '{{contact_external_id}} {{outcome}}',
    });
    const res = await api.http.inject({ method: 'POST', url: `/api/templates/${tpl.id}/preview`, headers: viewer });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      subject: 'Grazie da Esempio Energia S.p.A.',
      html: '<p>Soddisfazione clienti 2026: 8 </p>',
      text: 'CRM-000123 completed',
      unknown_variables: ['unknown_thing'],
      missing_variables: [],
      variables: expect.objectContaining({ campaign_name: 'Soddisfazione clienti 2026', outcome: 'completed' }),
    });
  });

  it('escapes hostile variables in HTML, even in {{{triple}}} tags, and reports missing ones', async () => {
    const tpl = await createTemplate(t.db, { body_html: '<p>{{{campaign_name}}} {{q2_answer}}</p>', body_text: '{{campaign_name}}' });
    const res = await api.http.inject({
      method: 'POST',
      url: `/api/templates/${tpl.id}/preview`,
      headers: viewer,
      payload: { variables: { campaign_name: '<script>fetch("//evil")</script>', q2_answer: null } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().html).toBe('<p>&lt;script&gt;fetch(&quot;&#x2F;&#x2F;evil&quot;)&lt;&#x2F;script&gt; </p>');
    expect(res.json().text).toBe('<script>fetch("//evil")</script>');
    expect(res.json().missing_variables).toEqual(['q2_answer']);
  });

  it('previews an unsaved draft and reports syntax errors with the field', async () => {
    const ok = await api.http.inject({
      method: 'POST',
      url: '/api/templates/preview',
      headers: manager,
      payload: { subject: 'Hi {{organization_name}}', body_html: '{{campaign_name}}', body_text: '{{first_name}}', type: 'refused' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ subject: 'Hi Example Energy Ltd', html: 'Customer satisfaction 2026', text: '', unknown_variables: ['first_name'] });
    const bad = await api.http.inject({ method: 'POST', url: '/api/templates/preview', headers: manager, payload: { subject: '{{a', body_html: '', body_text: '' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([{ field: 'subject', code: 'template_syntax', message: expect.stringContaining('unclosed tag') }]);
    const unknownVar = await api.http.inject({ method: 'POST', url: '/api/templates/preview', headers: manager, payload: { subject: 's', body_html: '', body_text: '', variables: { password: 'x' } } });
    expect(unknownVar.statusCode).toBe(400);
    expect(unknownVar.json().errors).toEqual([{ field: 'variables.password', code: 'unknown_field', message: 'is not a recognized field' }]);
  });
});
