import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../../../../test/support/api.js';
import { freshDatabase, type TestDatabase } from '../../../../test/support/db.js';
import { createCampaign, createContact, createTemplate } from '../../../../test/support/factories.js';

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

const validBody = {
  name: 'Customer satisfaction Q4',
  description: 'After-visit survey',
  language: 'it',
  timezone: 'Europe/Rome',
  organization_name: 'Example Srl',
  intro_script: 'Buongiorno, sono un assistente automatico di Example Srl. Tre domande, due minuti.',
  questions: [
    { text: 'Da 1 a 10, quanto è soddisfatto?', type: 'scale', scale: { min: 1, max: 10 } },
    { text: 'Quante volte ci ha chiamato?', type: 'numeric' },
    { text: 'Cosa possiamo migliorare?', type: 'free_text' },
  ],
  retry_policy: { max_attempts: 3, retry_interval_minutes: 90 },
  calling_window: { start: '09:30', end: '19:00', weekdays: [1, 2, 3, 4, 5] },
};

async function post(url: string, body: unknown, role: 'admin' | 'campaign_manager' | 'viewer' = 'campaign_manager') {
  return api.http.inject({ method: 'POST', url, payload: body as object, headers: await api.as(role) });
}

describe('campaigns API', () => {
  it('creates a draft and returns exactly the presented fields', async () => {
    const res = await post('/api/campaigns', validBody);
    expect(res.statusCode).toBe(201);
    const c = res.json();
    expect(res.headers.location).toBe(`/api/campaigns/${c.id}`);
    expect(c).toMatchObject({
      name: validBody.name,
      status: 'draft',
      language: 'it',
      questions: [{ type: 'scale', scale: { min: 1, max: 10 } }, { type: 'numeric', scale: null }, { type: 'free_text', scale: null }],
      retry_policy: { max_attempts: 3, retry_interval_minutes: 90 },
      calling_window: { start: '09:30', end: '19:00', weekdays: [1, 2, 3, 4, 5] },
      require_prior_consent: true,
      counts: { total: 0, pending: 0 },
      can: { activate: true, pause: false, edit: true, cancel: true },
    });
    expect(Object.keys(c).sort()).toEqual(
      ['id', 'name', 'description', 'status', 'language', 'timezone', 'organization_name', 'intro_script', 'questions', 'retry_policy', 'calling_window', 'require_prior_consent', 'phone_region', 'scheduled_start_at', 'email_templates', 'created_by', 'created_at', 'updated_at', 'counts', 'can', 'editable_fields'].sort(),
    );
    const audit = await t.db.selectFrom('audit_log').selectAll().where('target_id', '=', c.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['campaign.create']);
  });

  it('new campaigns get the configured default time zone', async () => {
    const res = await post('/api/campaigns', { name: 'Defaults only' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ timezone: 'Europe/Rome', status: 'draft', retry_policy: { max_attempts: 3 } });
  });

  it('lists with filters, search, pagination and counts per state', async () => {
    const a = await createCampaign(t.db, { name: 'Zeta list alpha', status: 'running' });
    await createCampaign(t.db, { name: 'Zeta list beta', status: 'paused' });
    await createContact(t.db, a.id);
    await createContact(t.db, a.id, { state: 'completed' });
    const res = await api.http.inject({ method: 'GET', url: '/api/campaigns?q=zeta%20list&status=running,paused&page_size=1', headers: await api.as('viewer') });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(2);
    expect(body.items).toHaveLength(1);
    const page2 = await api.http.inject({ method: 'GET', url: '/api/campaigns?q=zeta%20list&status=running,paused&page_size=1&page=2', headers: await api.as('viewer') });
    const all = [...body.items, ...page2.json().items];
    const alpha = all.find((x: { name: string }) => x.name === 'Zeta list alpha');
    expect(alpha.counts).toMatchObject({ total: 2, pending: 1, completed: 1 });
    // Counts follow state changes and deletions (they come from the contact-count roll-ups, not a scan).
    const third = await createContact(t.db, a.id);
    await t.db.updateTable('contacts').set({ state: 'refused' }).where('id', '=', third.id).execute();
    await t.db.deleteFrom('contacts').where('campaign_id', '=', a.id).where('state', '=', 'completed').execute();
    const one = (await api.http.inject({ method: 'GET', url: `/api/campaigns/${a.id}`, headers: await api.as('viewer') })).json();
    expect(one.counts).toMatchObject({ total: 2, pending: 1, refused: 1, completed: 0 });
    // A viewer is offered no actions.
    expect(alpha.can).toMatchObject({ pause: false, edit: false, export: false });
    const bad = await api.http.inject({ method: 'GET', url: '/api/campaigns?status=flying', headers: await api.as('viewer') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ field: 'query.status.0' });
  });

  it('activation lists every problem with its field, then succeeds once fixed', async () => {
    const created = (await post('/api/campaigns', { name: 'Broken', questions: [{ text: '', type: 'scale' }, { text: 'Q2', type: 'numeric' }, { text: ' ', type: 'free_text' }], calling_window: { start: '20:00', end: '09:00' } })).json();
    const res = await post(`/api/campaigns/${created.id}/activate`, undefined);
    expect(res.statusCode).toBe(422);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
    const fields = res.json().errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['calling_window', 'contacts', 'intro_script', 'questions.0.text', 'questions.2.text'].sort());
    expect(res.json().code).toBe('campaign.activation_invalid');

    const fixed = await api.http.inject({ method: 'PUT', url: `/api/campaigns/${created.id}`, payload: { intro_script: validBody.intro_script, questions: validBody.questions, calling_window: { start: '09:00', end: '20:00' } }, headers: await api.as('campaign_manager') });
    expect(fixed.statusCode).toBe(200);
    await createContact(t.db, created.id);
    const ok = await post(`/api/campaigns/${created.id}/activate`, undefined);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'running', can: { pause: true, activate: false, complete: true } });
  });

  it('unknown or mismatched templates are rejected on save', async () => {
    const refused = await createTemplate(t.db, { type: 'refused' });
    const res = await post('/api/campaigns', { name: 'Tpl', email_templates: { completed: refused.id, not_reached: '00000000-0000-4000-8000-000000000000' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { code: string }) => e.code).sort()).toEqual(['unknown_template', 'wrong_template_type']);
    expect(await t.db.selectFrom('campaigns').select('id').where('name', '=', 'Tpl').execute()).toHaveLength(0);
  });

  it('goes to scheduled when a future start is set', async () => {
    const c = await createCampaign(t.db, { scheduled_start_at: new Date(Date.now() + 86_400_000) });
    await createContact(t.db, c.id);
    const res = await post(`/api/campaigns/${c.id}/activate`, undefined);
    expect(res.json().status).toBe('scheduled');
  });

  it('follows the status machine and explains invalid transitions', async () => {
    const c = await createCampaign(t.db, { status: 'running' });
    expect((await post(`/api/campaigns/${c.id}/pause`, undefined)).json().status).toBe('paused');
    const again = await post(`/api/campaigns/${c.id}/pause`, undefined);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'campaign.invalid_transition', details: { allowed_actions: ['resume', 'complete', 'cancel'] } });
    expect(again.json().detail).toContain('From paused you can: resume, complete, cancel');
    expect((await post(`/api/campaigns/${c.id}/resume`, undefined)).json().status).toBe('running');
    expect((await post(`/api/campaigns/${c.id}/complete`, undefined)).json().status).toBe('completed');
    const del = await api.http.inject({ method: 'DELETE', url: `/api/campaigns/${c.id}`, headers: await api.as('campaign_manager') });
    expect(del.statusCode).toBe(409);
    const audit = await t.db.selectFrom('audit_log').select('action').where('target_id', '=', c.id).orderBy('occurred_at').execute();
    expect(audit.map((a) => a.action)).toEqual(['campaign.pause', 'campaign.resume', 'campaign.complete']);
  });

  it('DELETE cancels (soft delete) and keeps the row', async () => {
    const c = await createCampaign(t.db);
    const res = await api.http.inject({ method: 'DELETE', url: `/api/campaigns/${c.id}`, headers: await api.as('campaign_manager') });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('cancelled');
    expect((await t.db.selectFrom('campaigns').select('status').where('id', '=', c.id).executeTakeFirstOrThrow()).status).toBe('cancelled');
  });

  it('locks the survey once running; operational fields stay editable', async () => {
    const c = await createCampaign(t.db, { status: 'running' });
    const locked = await api.http.inject({ method: 'PUT', url: `/api/campaigns/${c.id}`, payload: { questions: validBody.questions, language: 'en', name: 'Renamed' }, headers: await api.as('campaign_manager') });
    expect(locked.statusCode).toBe(409);
    expect(locked.json()).toMatchObject({ code: 'campaign.field_locked', details: { locked_fields: ['language', 'questions'] } });
    expect((await t.db.selectFrom('campaigns').select('name').where('id', '=', c.id).executeTakeFirstOrThrow()).name).toBe(c.name);
    const ok = await api.http.inject({ method: 'PUT', url: `/api/campaigns/${c.id}`, payload: { name: 'Renamed', retry_policy: { max_attempts: 5, retry_interval_minutes: 30 } }, headers: await api.as('campaign_manager') });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ name: 'Renamed', retry_policy: { max_attempts: 5 } });
    const audit = await t.db.selectFrom('audit_log').selectAll().where('target_id', '=', c.id).where('action', '=', 'campaign.update').executeTakeFirstOrThrow();
    expect(audit.before).toMatchObject({ name: c.name });
    expect(audit.after).toMatchObject({ name: 'Renamed' });
  });

  it('lowering max_attempts closes the contacts left without an attempt, and the campaign completes when none is left', async () => {
    const c = await createCampaign(t.db, { status: 'paused', max_attempts: 4 });
    const tried = await createContact(t.db, c.id, { state: 'not_reached', attempts_count: 3, last_outcome: 'no_answer', last_attempt_at: new Date() });
    await createContact(t.db, c.id, { state: 'completed', attempts_count: 1, last_outcome: 'completed' });
    const res = await api.http.inject({ method: 'PUT', url: `/api/campaigns/${c.id}`, payload: { retry_policy: { max_attempts: 3, retry_interval_minutes: 60 } }, headers: await api.as('campaign_manager') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'completed', retry_policy: { max_attempts: 3 }, counts: { total: 2, not_reached: 1, completed: 1 } });
    const events = await t.db.selectFrom('events').select(['event_type', 'contact_id']).where('campaign_id', '=', c.id).execute();
    expect(events).toEqual([{ event_type: 'survey.not_reached', contact_id: tried.id }]);
    const audit = await t.db.selectFrom('audit_log').selectAll().where('target_id', '=', c.id).where('action', '=', 'campaign.update').executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ before: { retry_policy: { max_attempts: 4 } }, after: { retry_policy: { max_attempts: 3 } }, details: { contacts_closed: 1 } });
  });

  it('404 for an unknown id, 400 for a malformed one, 401 anonymous, 403 for a viewer writing', async () => {
    const h = await api.as('campaign_manager');
    const unknown = await api.http.inject({ method: 'GET', url: '/api/campaigns/00000000-0000-4000-8000-000000000000', headers: h });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('campaign.not_found');
    const malformed = await api.http.inject({ method: 'GET', url: '/api/campaigns/not-a-uuid', headers: h });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().errors).toEqual([{ field: 'path.id', code: 'invalid_format', message: 'must be a UUID' }]);
    const anon = await api.http.inject({ method: 'GET', url: '/api/campaigns' });
    expect(anon.statusCode).toBe(401);
    expect(anon.json().code).toBe('auth.required');
    const viewer = await post('/api/campaigns', validBody, 'viewer');
    expect(viewer.statusCode).toBe(403);
    const denied = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'access.denied').execute();
    expect(denied.some((d) => d.target_id === 'POST /api/campaigns' && d.outcome === 'denied')).toBe(true);
  });

  it('echoes a given correlation id and generates one otherwise', async () => {
    const given = await api.http.inject({ method: 'GET', url: '/health', headers: { 'x-correlation-id': 'abc-123' } });
    expect(given.headers['x-correlation-id']).toBe('abc-123');
    const generated = await api.http.inject({ method: 'GET', url: '/health' });
    expect(generated.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    const problem = await api.http.inject({ method: 'GET', url: '/api/nowhere', headers: { 'x-correlation-id': 'zzz-9' } });
    expect(problem.statusCode).toBe(404);
    expect(problem.json()).toMatchObject({ code: 'route.not_found', correlation_id: 'zzz-9' });
  });

  it('serves an OpenAPI document describing the routes', async () => {
    const res = await api.http.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.paths['/api/campaigns'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('questions');
    expect(doc.paths['/api/campaigns/{id}/activate'].post.summary).toContain('Activate');
    const ui = await api.http.inject({ method: 'GET', url: '/api/docs/' });
    expect(ui.statusCode).toBe(200);
  });
});
