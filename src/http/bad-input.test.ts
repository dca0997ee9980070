/**
 * Hostile and malformed input against every route class: each answer is a 4xx
 * problem with a specific code and message — never a 500 — and nothing is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startApi, type TestApi } from '../../test/support/api.js';
import { freshDatabase, type TestDatabase } from '../../test/support/db.js';
import { createCampaign } from '../../test/support/factories.js';

let t: TestDatabase;
let api: TestApi;
let admin: Record<string, string>;
beforeAll(async () => {
  t = await freshDatabase();
  api = await startApi(t);
  admin = await api.as('admin');
});
afterAll(async () => {
  await api.close();
  await t.close();
});

/** Row counts of every table except the audit log (which may record denials). */
async function snapshot(): Promise<Record<string, number>> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not in ('audit_log', 'schema_migrations')`.execute(t.db);
  const out: Record<string, number> = {};
  for (const { table_name } of tables.rows) {
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table_name)}`.execute(t.db);
    out[table_name] = r.rows[0]!.n;
  }
  return out;
}

const writeRoutes = () => api.http.routeTable.filter((r) => ['POST', 'PUT', 'PATCH'].includes(r.method) && r.access !== 'public');
const fill = (url: string, id = '00000000-0000-4000-8000-000000000000') => url.replace(/:([A-Za-z_]+)/g, id);

describe('bad input on every route', () => {
  it('malformed JSON, oversize bodies, wrong media types and unknown fields are 4xx problems and write nothing', async () => {
    await createCampaign(t.db); // something to not modify
    const before = await snapshot();
    const failures: string[] = [];
    for (const r of writeRoutes()) {
      const url = fill(r.url);
      const where = `${r.method} ${r.url}`;
      const cases = [
        { name: 'malformed JSON', payload: '{"name": "x",', type: 'application/json', expect: [400], code: 'request.malformed_json' },
        { name: 'oversize', payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }), type: 'application/json', expect: [413], code: 'request.too_large' },
        { name: 'wrong media type', payload: 'name=x', type: 'text/plain', expect: [415, 400], code: undefined },
        { name: 'unknown field', payload: JSON.stringify({ zz_unknown_field: 1 }), type: 'application/json', expect: [400, 404, 409, 422], code: undefined },
      ];
      for (const c of cases) {
        const res = await api.http.inject({ method: r.method as 'POST', url, payload: c.payload, headers: { ...admin, 'content-type': c.type } });
        const ok = c.expect.includes(res.statusCode) && String(res.headers['content-type']).includes('application/problem+json') && (!c.code || res.json().code === c.code);
        if (!ok) failures.push(`${where} ${c.name} → ${res.statusCode} ${res.body.slice(0, 160)}`);
        else if (!res.json().detail || /\bat\s+\S+\s+\(/.test(res.body)) failures.push(`${where} ${c.name}: no message or a stack trace`);
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('invalid UUIDs in paths are rejected with the field named', async () => {
    const failures: string[] = [];
    for (const r of api.http.routeTable.filter((x) => /:id\b/.test(x.url) && x.access !== 'public')) {
      const res = await api.http.inject({ method: r.method as 'GET', url: fill(r.url, "1' OR '1'='1"), payload: ['GET', 'DELETE'].includes(r.method) ? undefined : {}, headers: admin });
      if (res.statusCode !== 400 || !res.json().errors?.some((e: { field: string }) => e.field === 'path.id')) failures.push(`${r.method} ${r.url} → ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it('wrong types name every failing field', async () => {
    const res = await api.http.inject({
      method: 'POST',
      url: '/api/campaigns',
      payload: { name: 42, language: 'fr', retry_policy: { max_attempts: 9, retry_interval_minutes: 'soon' }, questions: [{ text: 'only one', type: 'scale' }], calling_window: { start: '25:00', end: '20:00' }, timezone: 'Mars/Olympus' },
      headers: admin,
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['calling_window.start', 'language', 'name', 'questions', 'retry_policy.max_attempts', 'retry_policy.retry_interval_minutes', 'timezone'].sort());
    expect(res.json().detail).toContain('name');
  });

  it('stores SQL and script injection strings verbatim and harmlessly', async () => {
    const nasty = `Robert'); DROP TABLE campaigns;-- <script>alert(1)</script>`;
    const res = await api.http.inject({ method: 'POST', url: '/api/campaigns', payload: { name: nasty, description: '${jndi:ldap://x}' }, headers: admin });
    expect(res.statusCode).toBe(201);
    expect(res.json().name).toBe(nasty);
    expect(String(res.headers['content-type'])).toContain('application/json');
    const search = await api.http.inject({ method: 'GET', url: `/api/campaigns?q=${encodeURIComponent("%' OR 1=1 --")}`, headers: admin });
    expect(search.statusCode).toBe(200);
    expect(search.json().total).toBe(0);
    const like = await api.http.inject({ method: 'GET', url: `/api/campaigns?q=${encodeURIComponent('%')}`, headers: admin });
    expect(like.json().total).toBe(0); // % is a literal, not a wildcard
    expect((await t.db.selectFrom('campaigns').select('id').execute()).length).toBeGreaterThan(0);
  });

  it('bad query parameters are rejected, not ignored', async () => {
    const res = await api.http.inject({ method: 'GET', url: '/api/campaigns?page=0&page_size=1000&color=red', headers: admin });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['query.color', 'query.page', 'query.page_size']);
  });
});
