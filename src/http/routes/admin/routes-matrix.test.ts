/**
 * Every template and admin route × every role, and bad input on every one of
 * those routes: a specific 4xx, never a 500, and nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../../test/support/db.js';
import { startApi, type TestApi } from '../../../../test/support/api.js';
import { createTemplate } from '../../../../test/support/factories.js';
import type { UserRole } from '../../../db/schema/index.js';

let t: TestDatabase;
let api: TestApi;
let tplId: string;
beforeAll(async () => {
  t = await freshDatabase();
  api = await startApi(t);
  tplId = (await createTemplate(t.db)).id;
});
afterAll(async () => {
  await api.close();
  await t.close();
});

type Who = UserRole | 'anonymous';
const WHO: Who[] = ['admin', 'campaign_manager', 'viewer', 'anonymous'];
type Route = { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: () => string; payload?: () => object; allowed: Who[] };

const template = { name: 'Matrix', type: 'completed', locale: 'en', subject: 'S', body_html: '<p>h</p>', body_text: 't' };
const ROUTES: Route[] = [
  { method: 'GET', url: () => '/api/templates', allowed: ['admin', 'campaign_manager', 'viewer'] },
  { method: 'POST', url: () => '/api/templates', payload: () => template, allowed: ['admin', 'campaign_manager'] },
  { method: 'POST', url: () => '/api/templates/preview', payload: () => ({ subject: 's', body_html: 'h', body_text: 't' }), allowed: ['admin', 'campaign_manager'] },
  { method: 'GET', url: () => `/api/templates/${tplId}`, allowed: ['admin', 'campaign_manager', 'viewer'] },
  { method: 'PUT', url: () => `/api/templates/${tplId}`, payload: () => ({ name: 'Renamed' }), allowed: ['admin', 'campaign_manager'] },
  // A random id: the allowed roles get 404, which still proves they passed authorization.
  { method: 'DELETE', url: () => '/api/templates/0b9f7c3e-1d2a-4c5b-8e9f-0a1b2c3d4e5f', allowed: ['admin', 'campaign_manager'] },
  { method: 'POST', url: () => `/api/templates/${tplId}/preview`, payload: () => ({}), allowed: ['admin', 'campaign_manager', 'viewer'] },
  { method: 'GET', url: () => '/api/admin/config', allowed: ['admin'] },
  { method: 'PUT', url: () => '/api/admin/config', payload: () => ({ retention: { version: 999, recording_days: 10 } }), allowed: ['admin'] },
  { method: 'GET', url: () => '/api/admin/users', allowed: ['admin'] },
  { method: 'PUT', url: () => '/api/admin/users/0b9f7c3e-1d2a-4c5b-8e9f-0a1b2c3d4e5f/role', payload: () => ({ role: 'viewer' }), allowed: ['admin'] },
  { method: 'GET', url: () => '/api/admin/audit', allowed: ['admin'] },
];

async function headersFor(who: Who): Promise<Record<string, string>> {
  return who === 'anonymous' ? {} : api.as(who);
}

describe('route × role', () => {
  it('covers every template and admin route the API declares', () => {
    const declared = api.http.routeTable
      .filter((r) => /^\/api\/(templates|admin)(\/|$)/.test(r.url))
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    const tested = ROUTES.map((r) => `${r.method} ${r.url().replace(/[0-9a-f-]{36}/, ':id')}`).sort();
    expect(tested).toEqual(declared);
  });

  for (const r of ROUTES) {
    for (const who of WHO) {
      const expected = who === 'anonymous' ? 401 : r.allowed.includes(who) ? 'allowed' : 403;
      it(`${r.method} ${r.url().replace(/[0-9a-f-]{36}/, ':id')} as ${who} → ${expected}`, async () => {
        const res = await api.http.inject({ method: r.method, url: r.url(), headers: await headersFor(who), ...(r.payload ? { payload: r.payload() } : {}) });
        if (expected === 'allowed') {
          expect([401, 403], res.body).not.toContain(res.statusCode);
          expect(res.statusCode, res.body).toBeLessThan(500);
        } else {
          expect(res.statusCode, res.body).toBe(expected);
          expect(res.json().code).toBe(expected === 401 ? 'auth.required' : 'auth.forbidden');
        }
      });
    }
  }
});

async function counts() {
  const n = async (table: 'email_templates' | 'app_settings' | 'audit_log' | 'provider_configs') =>
    (await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
  const roles = await t.db.selectFrom('users').select(['id', 'role']).orderBy('id').execute();
  const tpl = await t.db.selectFrom('email_templates').selectAll().where('id', '=', tplId).executeTakeFirst();
  return { templates: await n('email_templates'), settings: await n('app_settings'), audit: await n('audit_log'), providers: await n('provider_configs'), roles, tpl };
}

describe('bad input on every route: specific 4xx, never 500, nothing written', () => {
  const UUID_BAD = ['not-a-uuid', "1' OR '1'='1", '00000000-0000-0000-0000-00000000000g', '%3Cscript%3E'];
  type Case = { name: string; method: Route['method']; url: () => string; payload?: string | object; contentType?: string; status: number; code: string; field?: string };
  const cases: Case[] = [];
  const writes: { label: string; method: Route['method']; url: () => string; valid: () => object; wrongType: object; field: string }[] = [
    { label: 'POST /api/templates', method: 'POST', url: () => '/api/templates', valid: () => template, wrongType: { ...template, name: 42 }, field: 'name' },
    { label: 'PUT /api/templates/:id', method: 'PUT', url: () => `/api/templates/${tplId}`, valid: () => ({ subject: 'x' }), wrongType: { subject: ['x'] }, field: 'subject' },
    { label: 'POST /api/templates/preview', method: 'POST', url: () => '/api/templates/preview', valid: () => ({ subject: 's', body_html: 'h', body_text: 't' }), wrongType: { subject: null, body_html: 'h', body_text: 't' }, field: 'subject' },
    { label: 'POST /api/templates/:id/preview', method: 'POST', url: () => `/api/templates/${tplId}/preview`, valid: () => ({}), wrongType: { variables: { campaign_name: 7 } }, field: 'variables.campaign_name' },
    { label: 'PUT /api/admin/config', method: 'PUT', url: () => '/api/admin/config', valid: () => ({ retention: { version: 0 } }), wrongType: { retention: { version: 0, recording_days: '30' } }, field: 'retention.recording_days' },
    { label: 'PUT /api/admin/users/:id/role', method: 'PUT', url: () => `/api/admin/users/${tplId}/role`, valid: () => ({ role: 'viewer' }), wrongType: { role: 'superuser' }, field: 'role' },
  ];
  for (const w of writes) {
    const label = w.label;
    cases.push({ name: `${label}: malformed JSON`, method: w.method, url: w.url, payload: '{"name": "x",', contentType: 'application/json', status: 400, code: 'request.malformed_json' });
    cases.push({ name: `${label}: wrong types`, method: w.method, url: w.url, payload: w.wrongType, status: 400, code: 'validation.failed', field: w.field });
    cases.push({ name: `${label}: unknown field`, method: w.method, url: w.url, payload: { ...w.valid(), is_admin: true }, status: 400, code: 'validation.failed', field: 'is_admin' });
    cases.push({ name: `${label}: oversize body`, method: w.method, url: w.url, payload: JSON.stringify({ ...w.valid(), pad: 'x'.repeat(1100 * 1024) }), contentType: 'application/json', status: 413, code: 'request.too_large' });
    cases.push({ name: `${label}: XML body`, method: w.method, url: w.url, payload: '<name>x</name>', contentType: 'application/xml', status: 415, code: 'request.unsupported_media_type' });
    cases.push({ name: `${label}: text body`, method: w.method, url: w.url, payload: 'name=x', contentType: 'text/plain', status: 415, code: 'request.unsupported_media_type' });
    cases.push({ name: `${label}: JSON array instead of object`, method: w.method, url: w.url, payload: '[1,2]', contentType: 'application/json', status: 400, code: 'validation.failed' });
  }
  for (const bad of UUID_BAD) {
    for (const [method, path] of [['GET', ''], ['PUT', ''], ['DELETE', ''], ['POST', '/preview']] as const) {
      cases.push({ name: `${method} /api/templates/${bad}${path}: invalid UUID`, method, url: () => `/api/templates/${bad}${path}`, payload: method === 'PUT' ? { name: 'x' } : method === 'POST' ? {} : undefined!, status: 400, code: 'validation.failed', field: 'path.id' });
    }
    cases.push({ name: `PUT /api/admin/users/${bad}/role: invalid UUID`, method: 'PUT', url: () => `/api/admin/users/${bad}/role`, payload: { role: 'viewer' }, status: 400, code: 'validation.failed', field: 'path.id' });
  }
  const queries: [string, string, number, string, string?][] = [
    ['/api/templates?type=bogus', 'type', 400, 'validation.failed', 'query.type'],
    ['/api/templates?page=0', 'page', 400, 'validation.failed', 'query.page'],
    ['/api/templates?page_size=abc', 'page_size', 400, 'validation.failed', 'query.page_size'],
    ['/api/templates?page_size=1000', 'page_size', 400, 'validation.failed', 'query.page_size'],
    ['/api/templates?drop=table', 'unknown', 400, 'validation.failed', 'query.drop'],
    ['/api/admin/users?role=root', 'role', 400, 'validation.failed', 'query.role'],
    ['/api/admin/users?page=-1', 'page', 400, 'validation.failed', 'query.page'],
    ['/api/admin/audit?limit=0', 'limit', 400, 'validation.failed', 'query.limit'],
    ['/api/admin/audit?cursor=garbage', 'cursor', 422, 'request.invalid_cursor'],
    [`/api/admin/audit?cursor=${Buffer.from('["x","y"]').toString('base64url')}`, 'cursor', 422, 'request.invalid_cursor'],
    ["/api/admin/audit?action=x'%20OR%201=1--", 'action', 400, 'validation.failed', 'query.action'],
    ['/api/admin/audit?actor=not-a-uuid', 'actor', 400, 'validation.failed', 'query.actor'],
    ['/api/admin/audit?from=yesterday', 'from', 400, 'validation.failed', 'query.from'],
    ['/api/admin/audit?outcome=maybe', 'outcome', 400, 'validation.failed', 'query.outcome'],
    [`/api/admin/audit?cursor=${Buffer.from('["2026-01-01T00:00:00Z","5f0c6a2e-8d8e-4a4e-9a55-000000000000"]').toString('base64url')}`, 'cursor', 422, 'request.invalid_cursor'],
  ];
  for (const [url, what, status, code, field] of queries) cases.push({ name: `GET ${url}: bad ${what}`, method: 'GET', url: () => url, status, code, ...(field ? { field } : {}) });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = await counts();
    const headers: Record<string, string> = { ...(await api.as('admin')) };
    if (c.contentType) headers['content-type'] = c.contentType;
    const res = await api.http.inject({ method: c.method, url: c.url(), headers, ...(c.payload !== undefined ? { payload: c.payload as string } : {}) });
    expect(res.statusCode, res.body).toBe(c.status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body.code).toBe(c.code);
    expect(body.detail.length).toBeGreaterThan(10);
    if (c.field) expect(body.errors.map((e: { field: string }) => e.field), body.detail).toContain(c.field);
    expect(await counts()).toEqual(before);
  });

  it('stores and echoes injection strings in configuration verbatim', async () => {
    const topics = ["'; DROP TABLE app_settings; --", '<script>alert(1)</script>', '{{constructor}}'];
    const c = (await api.http.inject({ method: 'GET', url: '/api/admin/config', headers: await api.as('admin') })).json();
    const res = await api.http.inject({ method: 'PUT', url: '/api/admin/config', headers: await api.as('admin'), payload: { llm: { version: c.llm.version, forbidden_topics: topics } } });
    expect(res.statusCode).toBe(200);
    expect(res.json().llm.forbidden_topics).toEqual(topics);
    const search = await api.http.inject({ method: 'GET', url: `/api/admin/users?q=${encodeURIComponent("' OR 1=1 --")}`, headers: await api.as('admin') });
    expect(search.json().items).toEqual([]);
    const target = await api.http.inject({ method: 'GET', url: `/api/admin/audit?target_id=${encodeURIComponent("x' OR '1'='1")}`, headers: await api.as('admin') });
    expect(target.json().items).toEqual([]);
  });
});
