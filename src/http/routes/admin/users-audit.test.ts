import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testEngine, type TestDatabase } from '../../../../test/support/db.js';
import { startApi, type TestApi } from '../../../../test/support/api.js';
import { createUser } from '../../../../test/support/factories.js';
import { recordAudit } from '../../../commands/audit.js';

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

const setRole = (id: string, role: string, headers = admin) => api.http.inject({ method: 'PUT', url: `/api/admin/users/${id}/role`, headers, payload: { role } });

describe('users', () => {
  it('lists users by name with search, role filter and keyset pages; emails only to admins', async () => {
    const tag = `Zed${Date.now()}`;
    for (const n of ['c', 'a', 'b']) await createUser(t.db, { name: `${tag} ${n}`, role: 'viewer' });
    await createUser(t.db, { name: `${tag} d`, role: 'admin' });
    const res = await api.http.inject({ method: 'GET', url: `/api/admin/users?q=${tag}`, headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((u: { name: string }) => u.name)).toEqual(['a', 'b', 'c', 'd'].map((n) => `${tag} ${n}`));
    expect(Object.keys(res.json().items[0]).sort()).toEqual(['created_at', 'email', 'id', 'name', 'role', 'updated_at']);
    const admins = await api.http.inject({ method: 'GET', url: `/api/admin/users?q=${tag}&role=admin`, headers: admin });
    expect(admins.json().items.map((u: { name: string }) => u.name)).toEqual([`${tag} d`]);
    const p1 = (await api.http.inject({ method: 'GET', url: `/api/admin/users?q=${tag}&page_size=3`, headers: admin })).json();
    expect(p1).toMatchObject({ page: 1, page_size: 3, total: 4 });
    expect(p1.items).toHaveLength(3);
    const p2 = (await api.http.inject({ method: 'GET', url: `/api/admin/users?q=${tag}&page_size=3&page=2`, headers: admin })).json();
    expect(p2).toEqual({ items: [expect.objectContaining({ name: `${tag} d` })], page: 2, page_size: 3, total: 4 });
  });

  it('changes a role (audited), and refuses to demote the last admin (409)', async () => {
    const me = await api.user('admin');
    const other = await createUser(t.db, { role: 'viewer' });
    const res = await setRole(other.id, 'campaign_manager');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: other.id, role: 'campaign_manager' });
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'user.role_change').where('target_id', '=', other.id).executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ actor_user_id: me.id, before: { role: 'viewer' }, after: { role: 'campaign_manager' } });

    // Leave exactly one admin: the caller.
    await t.db.updateTable('users').set({ role: 'viewer' }).where('role', '=', 'admin').where('id', '<>', me.id).execute();
    const last = await setRole(me.id, 'viewer');
    expect(last.statusCode).toBe(409);
    expect(last.json()).toMatchObject({ code: 'user.last_admin' });
    expect((await t.db.selectFrom('users').select('role').where('id', '=', me.id).executeTakeFirstOrThrow()).role).toBe('admin');

    // With a second admin, demoting oneself is allowed.
    await setRole(other.id, 'admin');
    expect((await setRole(me.id, 'campaign_manager')).statusCode).toBe(200);
    await t.db.updateTable('users').set({ role: 'admin' }).where('id', '=', me.id).execute();
  });

  it('404 for an unknown user id', async () => {
    const res = await setRole('5f0c6a2e-8d8e-4a4e-9a55-000000000000', 'viewer');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('user.not_found');
  });

  it.runIf(testEngine() === 'postgres')('two admins demoting each other at once: one succeeds, one admin remains', async () => {
    const a = await createUser(t.db, { role: 'admin' });
    const b = await createUser(t.db, { role: 'admin' });
    await t.db.updateTable('users').set({ role: 'viewer' }).where('role', '=', 'admin').where('id', 'not in', [a.id, b.id]).execute();
    const [ra, rb] = await Promise.all([setRole(b.id, 'viewer', await api.as(a)), setRole(a.id, 'viewer', await api.as(b))]);
    expect([ra.statusCode, rb.statusCode].sort()).toEqual([200, 409]);
    const admins = await t.db.selectFrom('users').select('id').where('role', '=', 'admin').execute();
    expect(admins).toHaveLength(1);
    await t.db.updateTable('users').set({ role: 'admin' }).where('id', '=', (await api.user('admin')).id).execute();
  });
});

describe('audit log', () => {
  it('shows who, what, when, target, before/after and outcome — including denied accesses, exports and deletions', async () => {
    const viewer = await api.user('viewer');
    const denied = await api.http.inject({ method: 'GET', url: '/api/admin/config', headers: await api.as('viewer') });
    expect(denied.statusCode).toBe(403);
    const someone = await createUser(t.db, { name: 'Exporter Person' });
    await recordAudit(t.db, { actor: { userId: someone.id, role: 'campaign_manager' }, action: 'export.create', target: { type: 'campaign', id: 'c-1' }, details: { rows: 10 } });
    await recordAudit(t.db, { actor: { userId: someone.id, role: 'campaign_manager' }, action: 'contact.erase', target: { type: 'contact', id: 'k-1' }, before: { state: 'completed' } });

    const res = await api.http.inject({ method: 'GET', url: '/api/admin/audit?limit=100', headers: admin });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { action: string; actor: { user_id: string; name: string } | null; outcome: string }[];
    expect(items[0]).toMatchObject({ action: 'contact.erase', actor: { user_id: someone.id, name: 'Exporter Person', role: 'campaign_manager' }, target: { type: 'contact', id: 'k-1' }, before: { state: 'completed' }, outcome: 'success' });
    expect(items[1]).toMatchObject({ action: 'export.create', details: { rows: 10 } });
    expect(items.find((i) => i.action === 'access.denied')).toMatchObject({
      actor: { user_id: viewer.id, name: viewer.name, role: 'viewer' },
      target: { type: 'route', id: 'GET /api/admin/config' },
      outcome: 'denied',
      details: { permission: 'admin:config' },
      occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('filters by action prefix, actor, target, outcome and time range', async () => {
    const u = await createUser(t.db);
    for (const action of ['template.create', 'template.update', 'templates_x.create', 'config.update']) {
      await recordAudit(t.db, { actor: { userId: u.id, role: 'admin' }, action, target: { type: 'thing', id: action } });
    }
    const q = async (qs: string) => {
      const res = await api.http.inject({ method: 'GET', url: `/api/admin/audit?actor=${u.id}&${qs}`, headers: admin });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json().items as { action: string }[]).map((i) => i.action);
    };
    expect(await q('action=template.')).toEqual(['template.update', 'template.create']);
    expect(await q('action=template')).toEqual(['templates_x.create', 'template.update', 'template.create']);
    expect(await q('target_type=thing&target_id=config.update')).toEqual(['config.update']);
    expect(await q('outcome=denied')).toEqual([]);
    const future = new Date(Date.now() + 3600_000).toISOString();
    const past = new Date(Date.now() - 3600_000).toISOString();
    expect(await q(`from=${future}`)).toEqual([]);
    expect(await q(`from=${past}&to=${future}`)).toHaveLength(4);
    expect(await q(`to=${past}`)).toEqual([]);
    const empty = await api.http.inject({ method: 'GET', url: `/api/admin/audit?from=${future}&to=${past}`, headers: admin });
    expect(empty.statusCode).toBe(422);
    expect(empty.json().errors[0]).toMatchObject({ field: 'query.from' });
  });

  it('pages with a keyset cursor: no gaps or repeats even for entries in the same millisecond', async () => {
    const u = await createUser(t.db);
    // Insert 7 entries in one statement: identical occurred_at (transaction time).
    await t.db
      .insertInto('audit_log')
      .values(Array.from({ length: 7 }, (_, i) => ({ actor_user_id: u.id, action: 'paging.test', target_id: String(i) })))
      .execute();
    await recordAudit(t.db, { actor: { userId: u.id, role: 'admin' }, action: 'paging.later' });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await api.http.inject({ method: 'GET', url: `/api/admin/audit?actor=${u.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`, headers: admin });
      const page: { items: { id: string }[]; next_cursor: string | null } = res.json();
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    const all = await t.db.selectFrom('audit_log').select('id').where('actor_user_id', '=', u.id).orderBy('occurred_at', 'desc').orderBy('id', 'desc').execute();
    expect(seen).toEqual(all.map((r) => r.id));
  });
});
