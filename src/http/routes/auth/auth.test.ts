/**
 * Sign-in end to end, over HTTP on loopback: the app listens on port 0 and its
 * OIDC client signs in against the built-in development identity provider (a
 * real oidc-provider) — redirects, cookies and all, walked like a browser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../../app.js';
import { loadConfig } from '../../../config.js';
import { DEFAULT_MATRIX } from '../../../domain/auth/permissions.js';
import { createLogger } from '../../../observability/logger.js';
import { TEST_TOKEN_SECRET } from '../../../../test/support/api.js';
import { Browser } from '../../../../test/support/http-browser.js';
import { freshDatabase, type TestDatabase } from '../../../../test/support/db.js';
import { createTokenService } from '../../auth/tokens.js';
import { createSignInSealer } from '../../auth/cookies.js';

let t: TestDatabase;
let app: App;
let base: string;

beforeAll(async () => {
  t = await freshDatabase();
  const config = loadConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET, ACCESS_TOKEN_TTL_SECONDS: '60' });
  app = await buildApp(config, createLogger({ level: 'silent' }), { database: t });
  base = await app.start();
});
afterAll(async () => {
  await app?.stop();
  await t?.close();
});

/** Signs in through the development IdP as `sub`; returns the browser and the final page. */
async function signIn(sub: string, returnTo = '/api/auth/me', b = new Browser()) {
  const login = await b.go(`${base}/api/auth/login?return_to=${encodeURIComponent(returnTo)}`);
  expect(login.status, login.body).toBe(200);
  expect(login.url).toContain('/dev-idp/interaction/');
  const done = await b.submit(login, { sub });
  return { b, done };
}

const json = (body: string) => JSON.parse(body) as Record<string, unknown>;
const csrfHeaders = (b: Browser) => ({ 'x-csrf-token': b.cookie('vsa_csrf')!.value });

describe('sign-in through the development identity provider', () => {
  it('creates the user on first sign-in, updates it on the next, and sets the session cookies', async () => {
    const { b, done } = await signIn('demo-manager');
    expect(done.status, done.body).toBe(200);
    expect(done.url).toBe(`${base}/api/auth/me`);
    const me = json(done.body);
    expect(me).toMatchObject({ name: 'Marco Manager', email: 'manager@demo.example.org', role: 'campaign_manager', via: 'cookie' });
    expect(me['permissions']).toEqual([...DEFAULT_MATRIX.campaign_manager]);
    const user = await t.db.selectFrom('users').selectAll().where('oidc_sub', '=', 'demo-manager').executeTakeFirstOrThrow();
    expect(user.id).toBe(me['id']);

    const access = b.cookie('vsa_access')!;
    expect(access.httpOnly).toBe(true);
    expect(access.sameSite).toBe('lax');
    expect(access.path).toBe('/');
    const refresh = b.cookie('vsa_refresh')!;
    expect(refresh.httpOnly).toBe(true);
    expect(refresh.path).toBe('/api/auth');
    const csrf = b.cookie('vsa_csrf')!;
    expect(csrf.httpOnly).toBe(false);
    expect(csrf.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b.cookie('vsa_signin')).toBeUndefined(); // spent

    // The refresh token is stored hashed only.
    const rows = await t.db.selectFrom('refresh_tokens').select('token_hash').execute();
    expect(rows.map((r) => r.token_hash)).not.toContain(refresh.value);

    // Someone renamed the user; the next sign-in takes the IdP's profile again.
    await t.db.updateTable('users').set({ name: 'Stale Name' }).where('id', '=', user.id).execute();
    const again = await signIn('demo-manager');
    expect(json(again.done.body)).toMatchObject({ id: user.id, name: 'Marco Manager' });
    expect(await t.db.selectFrom('users').select('id').where('oidc_sub', '=', 'demo-manager').execute()).toHaveLength(1);
    const audit = await t.db.selectFrom('audit_log').select('action').where('actor_user_id', '=', user.id).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['user.create', 'auth.sign_in']));
  });

  it('takes the role from the IdP claim (the dev IdP sends roles=[admin])', async () => {
    const { done } = await signIn('demo-admin');
    expect(json(done.body)).toMatchObject({ role: 'admin', permissions: [...DEFAULT_MATRIX.admin] });
  });

  it('never redirects to another site after sign-in', async () => {
    const { done } = await signIn('demo-viewer', 'https://evil.example/phish');
    expect(done.url).toBe(`${base}/`);
  });

  it('rejects a callback without the sign-in cookie (401 auth.sign_in_state_missing)', async () => {
    const b = new Browser();
    const login = await b.go(`${base}/api/auth/login`);
    // A different browser (no sign-in cookie) arrives at the callback.
    const other = new Browser();
    for (const c of b.cookies.filter((c) => c.name !== 'vsa_signin')) other.setCookie(c.name, c.value, c.host, c.path);
    const done = await other.submit(login, { sub: 'demo-viewer' });
    expect(done.status).toBe(401);
    expect(json(done.body)['code']).toBe('auth.sign_in_state_missing');
  });

  it('rejects a tampered sign-in cookie (401 auth.sign_in_state_invalid)', async () => {
    const b = new Browser();
    const login = await b.go(`${base}/api/auth/login`);
    const c = b.cookie('vsa_signin')!;
    const flipped = c.value.slice(0, -6) + (c.value.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');
    b.setCookie('vsa_signin', flipped, c.host, c.path);
    const done = await b.submit(login, { sub: 'demo-viewer' });
    expect(done.status).toBe(401);
    expect(json(done.body)['code']).toBe('auth.sign_in_state_invalid');
    expect(b.cookie('vsa_access')).toBeUndefined();
  });

  it('rejects a callback whose state does not match (401 auth.state_mismatch)', async () => {
    const b = new Browser();
    const login = await b.go(`${base}/api/auth/login`);
    // Walk the IdP by hand and alter the state on the way back.
    const form = /action="([^"]+)"/.exec(login.body)![1]!;
    let res = await b.fetch(new URL(form, login.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'sub=demo-viewer' });
    let location = new URL(res.headers.get('location')!, login.url);
    while (!location.pathname.startsWith('/api/auth/callback')) {
      res = await b.fetch(location);
      location = new URL(res.headers.get('location')!, location);
    }
    location.searchParams.set('state', 'forged-state-value');
    const done = await b.go(location);
    expect(done.status).toBe(401);
    expect(json(done.body)['code'], done.body).toBe('auth.state_mismatch');
  });

  it('rejects an ID token minted for another sign-in (401 auth.nonce_mismatch)', async () => {
    const b = new Browser();
    const login = await b.go(`${base}/api/auth/login`);
    // Re-seal the pending sign-in with a different nonce (the test knows the key).
    const sealer = createSignInSealer(TEST_TOKEN_SECRET);
    const c = b.cookie('vsa_signin')!;
    const pending = await sealer.open(c.value);
    b.setCookie('vsa_signin', await sealer.seal({ ...pending, nonce: 'another-nonce-value' }), c.host, c.path);
    const done = await b.submit(login, { sub: 'demo-viewer' });
    expect(done.status).toBe(401);
    expect(json(done.body)['code'], done.body).toBe('auth.nonce_mismatch');
  });
});

describe('sessions', () => {
  it('an expired access token is refused with auth.token_expired', async () => {
    const { b } = await signIn('demo-viewer');
    const user = await t.db.selectFrom('users').select('id').where('oidc_sub', '=', 'demo-viewer').executeTakeFirstOrThrow();
    const tokens = createTokenService(TEST_TOKEN_SECRET, 60);
    const { token } = await tokens.issue({ userId: user.id }, { now: new Date(Date.now() - 3600_000) });
    const res = await b.fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('auth.token_expired');
    // The same expired token as a cookie: 401 too, but public routes still answer.
    const url = new URL(base);
    b.setCookie('vsa_access', token, url.host);
    const me = await b.fetch(`${base}/api/auth/me`);
    expect(me.status).toBe(401);
    expect(((await me.json()) as { code: string }).code).toBe('auth.token_expired');
    expect((await b.fetch(`${base}/health`)).status).toBe(200);
    // …and refreshing brings the session back.
    const refreshed = await b.fetch(`${base}/api/auth/refresh`, { method: 'POST' });
    expect(refreshed.status).toBe(200);
    expect((await b.fetch(`${base}/api/auth/me`)).status).toBe(200);
  });

  it('refresh rotates the token; the old one is refused, and reusing it revokes the session', async () => {
    const { b } = await signIn('demo-viewer');
    const host = new URL(base).host;
    const first = b.cookie('vsa_refresh')!.value;
    const csrf = b.cookie('vsa_csrf')!.value;
    const res = await b.fetch(`${base}/api/auth/refresh`, { method: 'POST' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    expect(new Date(body['access_token_expires_at']!).getTime()).toBeGreaterThan(Date.now());
    const second = b.cookie('vsa_refresh')!.value;
    expect(second).not.toBe(first);
    expect(b.cookie('vsa_csrf')!.value).toBe(csrf); // kept, so requests in flight stay valid
    expect((await b.fetch(`${base}/api/auth/me`)).status).toBe(200);
    const access = b.cookie('vsa_access')!.value;

    // A thief replays the old refresh token.
    const thief = new Browser();
    thief.setCookie('vsa_refresh', first, host, '/api/auth');
    const replay = await thief.fetch(`${base}/api/auth/refresh`, { method: 'POST' });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { code: string }).code).toBe('auth.refresh_token_reused');

    // The whole session is gone: the current refresh token and the access token too.
    const legit = await b.fetch(`${base}/api/auth/refresh`, { method: 'POST' });
    expect(legit.status).toBe(401);
    expect(((await legit.json()) as { code: string }).code).toBe('auth.session_revoked');
    expect(b.cookie('vsa_access')).toBeUndefined(); // cleared by the refused refresh
    const me = await fetch(`${base}/api/auth/me`, { headers: { cookie: `vsa_access=${access}` } });
    expect(me.status).toBe(401);
    expect(((await me.json()) as { code: string }).code).toBe('auth.session_revoked');
  });

  it('logout revokes the session: refresh and access are refused afterwards', async () => {
    const { b } = await signIn('demo-viewer');
    const access = b.cookie('vsa_access')!.value;
    const refresh = b.cookie('vsa_refresh')!.value;
    const out = await b.fetch(`${base}/api/auth/logout`, { method: 'POST', headers: csrfHeaders(b) });
    expect(out.status).toBe(204);
    expect(b.cookie('vsa_access')).toBeUndefined();
    expect(b.cookie('vsa_refresh')).toBeUndefined();

    const host = new URL(base).host;
    const replay = new Browser();
    replay.setCookie('vsa_access', access, host);
    replay.setCookie('vsa_refresh', refresh, host, '/api/auth');
    const me = await replay.fetch(`${base}/api/auth/me`);
    expect(me.status).toBe(401);
    expect(((await me.json()) as { code: string }).code).toBe('auth.session_revoked');
    const asBearer = await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${access}` } });
    expect(asBearer.status).toBe(401);
    const r = await replay.fetch(`${base}/api/auth/refresh`, { method: 'POST' });
    expect(r.status).toBe(401);
    expect(((await r.json()) as { code: string }).code).toBe('auth.session_revoked');
  });

  it('cookie-authenticated POST needs the CSRF header: without → 403, with → OK', async () => {
    const { b } = await signIn('demo-viewer');
    const without = await b.fetch(`${base}/api/auth/logout`, { method: 'POST' });
    expect(without.status).toBe(403);
    expect(((await without.json()) as { code: string }).code).toBe('auth.csrf_failed');
    const wrong = await b.fetch(`${base}/api/auth/logout`, { method: 'POST', headers: { 'x-csrf-token': 'x'.repeat(43) } });
    expect(wrong.status).toBe(403);
    expect((await b.fetch(`${base}/api/auth/me`)).status).toBe(200); // still signed in
    const ok = await b.fetch(`${base}/api/auth/logout`, { method: 'POST', headers: csrfHeaders(b) });
    expect(ok.status).toBe(204);
  });

  it('bearer tokens work without cookies or CSRF; anonymous /me is 401 auth.required', async () => {
    const user = await t.db.selectFrom('users').select('id').where('oidc_sub', '=', 'demo-viewer').executeTakeFirstOrThrow();
    const { token } = await createTokenService(TEST_TOKEN_SECRET, 60).issue({ userId: user.id });
    const me = await fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as Record<string, unknown>)['via']).toBe('bearer');
    const anon = await fetch(`${base}/api/auth/me`);
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { code: string }).code).toBe('auth.required');
    const garbage = await fetch(`${base}/api/auth/me`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(((await garbage.json()) as { code: string }).code).toBe('auth.invalid_token');
  });

  it('refresh without a cookie is 401 auth.refresh_token_missing', async () => {
    const res = await fetch(`${base}/api/auth/refresh`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('auth.refresh_token_missing');
  });
});

describe('rate limits', () => {
  it('sign-in is rate limited per client (429 rate_limited)', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 40; i++) {
      last = await fetch(`${base}/api/auth/login`, { redirect: 'manual' });
      await last.arrayBuffer();
      if (last.status === 429) break;
      expect(last.status).toBe(302);
    }
    expect(last!.status).toBe(429);
    const again = await fetch(`${base}/api/auth/login`, { redirect: 'manual' });
    expect(((await again.json()) as { code: string }).code).toBe('rate_limited');
  });
});
