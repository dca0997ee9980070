/**
 * Every registered route × every role: anonymous callers are refused by every
 * non-public route, and each role gets exactly what the permission matrix says.
 * New routes are picked up automatically, so none can ship unprotected.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../../test/support/api.js';
import { freshDatabase, type TestDatabase } from '../../test/support/db.js';
import { can, DEFAULT_MATRIX, isPermission } from '../domain/auth/permissions.js';
import { USER_ROLES, type UserRole } from '../db/schema/index.js';

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

const fill = (url: string) => url.replace(/:([A-Za-z_]+)/g, () => randomUUID());

describe('route × role access', () => {
  it('every route declares a known access level', () => {
    const routes = api.http.routeTable;
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) {
      expect(['public', 'authenticated'].includes(r.access) || isPermission(r.access), `${r.method} ${r.url}: ${r.access}`).toBe(true);
    }
  });

  it('gives each role exactly what the matrix allows', async () => {
    const headers = new Map<UserRole, Record<string, string>>();
    for (const role of USER_ROLES) headers.set(role, await api.as(role));
    const failures: string[] = [];
    let checked = 0;
    for (const r of api.http.routeTable) {
      const url = fill(r.url);
      const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? { payload: {} } : {};
      for (const role of [null, ...USER_ROLES] as const) {
        const res = await api.http.inject({ method: r.method as 'GET', url, ...body, headers: role ? headers.get(role)! : {} });
        checked++;
        const where = `${r.method} ${r.url} as ${role ?? 'anonymous'} → ${res.statusCode}`;
        if (res.statusCode >= 500) failures.push(`${where} (server error)`);
        if (r.access === 'public') {
          // Public routes may check credentials of their own (the sign-in callback's
          // state cookie, the refresh cookie) and answer 401 with their own code; what
          // must never happen is the framework demanding an access token.
          if (res.statusCode === 401 && (res.json() as { code?: string }).code === 'auth.required') {
            failures.push(`${where} (public route asked for credentials)`);
          }
          continue;
        }
        if (role === null) {
          if (res.statusCode !== 401) failures.push(`${where} (expected 401)`);
          continue;
        }
        const allowed = r.access === 'authenticated' || (isPermission(r.access) && can(DEFAULT_MATRIX, role, r.access));
        if (allowed && (res.statusCode === 401 || res.statusCode === 403)) failures.push(`${where} (expected access)`);
        if (!allowed && res.statusCode !== 403) failures.push(`${where} (expected 403)`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(api.http.routeTable.length * 4);
  });

  it('records denied attempts in the audit log', async () => {
    const viewer = await api.user('viewer');
    await api.http.inject({ method: 'POST', url: '/api/campaigns', payload: { name: 'x' }, headers: await api.as('viewer') });
    const rows = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'access.denied').where('actor_user_id', '=', viewer.id).execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toMatchObject({ outcome: 'denied', actor_role: 'viewer', target_type: 'route' });
  });

  it('start-up fails for a route with an unknown permission', async () => {
    const { buildServer } = await import('./server.js');
    const { loadConfig } = await import('../config.js');
    const { createLogger } = await import('../observability/logger.js');
    const { defineRoute } = await import('./route.js');
    await expect(
      buildServer({
        config: loadConfig({ NODE_ENV: 'test' }),
        database: t,
        log: createLogger({ level: 'silent' }),
        routes: [defineRoute({ method: 'GET', url: '/api/oops', access: 'campaign:fly' as never, summary: 'x', tags: [], handler: async () => ({}) })],
      }),
    ).rejects.toThrow(/unknown access "campaign:fly"/);
  });

  it('start-up fails for a raw route without declared access', async () => {
    const { buildServer } = await import('./server.js');
    const { loadConfig } = await import('../config.js');
    const { createLogger } = await import('../observability/logger.js');
    await expect(
      buildServer({
        config: loadConfig({ NODE_ENV: 'test' }),
        database: t,
        log: createLogger({ level: 'silent' }),
        plugins: [async (app) => void app.get('/api/raw', async () => ({}))],
      }),
    ).rejects.toThrow(/does not declare its access/);
  });
});
