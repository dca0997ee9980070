import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../test/support/db.js';
import { TEST_TOKEN_SECRET } from '../../test/support/api.js';
import { createUser } from '../../test/support/factories.js';
import { buildApp, type App } from '../app.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { createTokenService } from './auth/tokens.js';

let t: TestDatabase;
let app: App;
const lines: string[] = [];
beforeAll(async () => {
  t = await freshDatabase();
  const stream = new Writable({
    write(chunk, _e, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  app = await buildApp(loadConfig({ NODE_ENV: 'test', AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET, ACCESS_TOKEN_TTL_SECONDS: '60' }), createLogger({ level: 'info' }, stream), { database: t });
});
afterAll(async () => {
  await app.stop();
  await t.close();
});

describe('server hardening', () => {
  it('sends security headers', async () => {
    const res = await app.http.inject({ method: 'GET', url: '/health' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('puts the correlation id on every log line of a request', async () => {
    lines.length = 0;
    await app.http.inject({ method: 'GET', url: '/api/campaigns/00000000-0000-4000-8000-000000000000', headers: { 'x-correlation-id': 'corr-42' } });
    const mine = lines.map((l) => JSON.parse(l)).filter((r) => r.correlation_id === 'corr-42');
    expect(mine.length).toBeGreaterThanOrEqual(2); // incoming request + response (+ rejection)
    expect(lines.map((l) => JSON.parse(l)).filter((r) => r.req || r.res).every((r) => r.correlation_id)).toBe(true);
  });

  it('rejects expired, forged and malformed tokens with specific codes', async () => {
    const user = await createUser(t.db, { role: 'viewer' });
    const tokens = createTokenService(TEST_TOKEN_SECRET, 60);
    const expired = await tokens.issue({ userId: user.id }, { now: new Date(Date.now() - 3600_000) });
    const forged = await createTokenService('another-secret-another-secret-another-1', 60).issue({ userId: user.id });
    const cases: [Record<string, string>, string][] = [
      [{ authorization: `Bearer ${expired.token}` }, 'auth.token_expired'],
      [{ authorization: `Bearer ${forged.token}` }, 'auth.invalid_token'],
      [{ authorization: 'Basic abc' }, 'auth.invalid_authorization_header'],
      [{ cookie: 'vsa_access=garbage' }, 'auth.invalid_token'],
    ];
    for (const [headers, code] of cases) {
      const res = await app.http.inject({ method: 'GET', url: '/api/campaigns', headers });
      expect(res.statusCode, code).toBe(401);
      expect(res.json().code).toBe(code);
    }
    const good = await tokens.issue({ userId: user.id });
    expect((await app.http.inject({ method: 'GET', url: '/api/campaigns', headers: { authorization: `Bearer ${good.token}` } })).statusCode).toBe(200);
  });

  it('requires the CSRF header for state-changing cookie requests', async () => {
    const user = await createUser(t.db, { role: 'campaign_manager' });
    const { token } = await createTokenService(TEST_TOKEN_SECRET, 60).issue({ userId: user.id });
    const without = await app.http.inject({ method: 'POST', url: '/api/campaigns', payload: { name: 'csrf' }, headers: { cookie: `vsa_access=${token}; vsa_csrf=abc123` } });
    expect(without.statusCode).toBe(403);
    expect(without.json().code).toBe('auth.csrf_failed');
    const wrong = await app.http.inject({ method: 'POST', url: '/api/campaigns', payload: { name: 'csrf' }, headers: { cookie: `vsa_access=${token}; vsa_csrf=abc123`, 'x-csrf-token': 'abc124' } });
    expect(wrong.statusCode).toBe(403);
    const ok = await app.http.inject({ method: 'POST', url: '/api/campaigns', payload: { name: 'csrf' }, headers: { cookie: `vsa_access=${token}; vsa_csrf=abc123`, 'x-csrf-token': 'abc123' } });
    expect(ok.statusCode).toBe(201);
    // Reads need no CSRF token.
    expect((await app.http.inject({ method: 'GET', url: '/api/campaigns', headers: { cookie: `vsa_access=${token}` } })).statusCode).toBe(200);
  });
});
