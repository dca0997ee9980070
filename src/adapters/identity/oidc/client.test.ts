/**
 * The OIDC client against "the organisation's identity provider": a separate
 * oidc-provider server started by this test on loopback, with its own accounts,
 * a `groups` claim and a registered client — configured through OIDC_ISSUER
 * like any real deployment.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../../app.js';
import { ConfigError, loadConfig } from '../../../config.js';
import { createLogger } from '../../../observability/logger.js';
import { TEST_TOKEN_SECRET } from '../../../../test/support/api.js';
import { Browser } from '../../../../test/support/http-browser.js';
import { runCli } from '../../../../test/support/cli.js';
import { freshDatabase, freshTarget, type TestDatabase } from '../../../../test/support/db.js';
import { createUser } from '../../../../test/support/factories.js';
import { createDevIdentityProvider, type DevAccount } from '../dev-idp/provider.js';

const log = createLogger({ level: 'silent' });
const ACCOUNTS: DevAccount[] = [
  { sub: 'org-1001', email: 'Alice@Org.example', name: 'Alice Org', description: 'in vsa-admins', claims: { groups: ['staff', 'vsa-admins'] } },
  { sub: 'org-1002', email: 'bob@org.example', name: 'Bob Org', description: 'in vsa-managers', claims: { groups: ['vsa-managers'] } },
  { sub: 'org-1003', email: 'carol@org.example', name: 'Carol Org', description: 'no mapped group', claims: { groups: ['staff'] } },
  { sub: 'org-1004', email: 'dan@org.example', name: 'Dan Org', description: 'no groups claim at all', claims: {} },
];

let t: TestDatabase;
let idpServer: FastifyInstance;
let issuer: string;
let app: App;
let base: string;
let appBase = 'http://127.0.0.1:0';

beforeAll(async () => {
  t = await freshDatabase();
  // The IdP must know the app's redirect URI, which is known only once the app listens.
  idpServer = Fastify();
  const idp = createDevIdentityProvider({
    prefix: '/oidc',
    baseUrl: () => `http://127.0.0.1:${(idpServer.server.address() as { port: number }).port}`,
    accounts: ACCOUNTS,
    client: { clientId: 'vsa-app', clientSecret: 'org-client-secret-0123456789', redirectUris: () => [`${appBase}/api/auth/callback`] },
    log,
    title: 'Example Org sign-in',
  });
  await idp.plugin(idpServer);
  await idpServer.listen({ host: '127.0.0.1', port: 0 });
  issuer = idp.issuer();

  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET,
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: 'vsa-app',
    OIDC_CLIENT_SECRET: 'org-client-secret-0123456789',
    OIDC_ROLE_CLAIM: 'groups',
    OIDC_ROLE_MAP: JSON.stringify({ 'vsa-admins': 'admin', 'vsa-managers': 'campaign_manager' }),
  });
  app = await buildApp(config, log, { database: t });
  base = await app.start();
  appBase = base;
});
afterAll(async () => {
  await app?.stop();
  await idpServer?.close();
  await t?.close();
});

async function signIn(sub: string) {
  const b = new Browser();
  const login = await b.go(`${base}/api/auth/login?return_to=/api/auth/me`);
  expect(login.status, login.body).toBe(200);
  expect(login.url.startsWith(issuer)).toBe(true);
  expect(login.body).toContain('Example Org sign-in');
  const done = await b.submit(login, { sub });
  expect(done.status, done.body).toBe(200);
  return JSON.parse(done.body) as { id: string; role: string; email: string; name: string };
}

describe('signing in with the organisation IdP', () => {
  it('maps a claim value to a role (the strongest mapped value wins)', async () => {
    const me = await signIn('org-1001');
    expect(me).toMatchObject({ role: 'admin', email: 'alice@org.example', name: 'Alice Org' });
    expect((await signIn('org-1002')).role).toBe('campaign_manager');
  });

  it('without a mapped claim value, a new user gets OIDC_DEFAULT_ROLE (viewer)', async () => {
    expect((await signIn('org-1003')).role).toBe('viewer');
  });

  it('without the claim, an existing user keeps the role on their row', async () => {
    await createUser(t.db, { oidc_sub: 'org-1004', email: 'dan@org.example', name: 'Dan', role: 'campaign_manager' });
    const me = await signIn('org-1004');
    expect(me).toMatchObject({ role: 'campaign_manager', name: 'Dan Org' });
  });

  it('a mapped claim overrides the row (the IdP is the source of truth) and the change is audited', async () => {
    await t.db.updateTable('users').set({ role: 'viewer' }).where('oidc_sub', '=', 'org-1002').execute();
    expect((await signIn('org-1002')).role).toBe('campaign_manager');
    const audit = await t.db.selectFrom('audit_log').select(['action', 'before', 'after']).where('action', '=', 'user.role_change').execute();
    expect(audit).toContainEqual(expect.objectContaining({ before: { role: 'viewer' }, after: { role: 'campaign_manager', source: 'oidc_claim' } }));
  });

  it('an email already used by another account is a 409, never a silent link', async () => {
    // Bob's row has moved to another address; a different account now holds his IdP email.
    await t.db.updateTable('users').set({ email: 'bob-old@org.example' }).where('oidc_sub', '=', 'org-1002').execute();
    await createUser(t.db, { oidc_sub: 'someone-else', email: 'bob@org.example' });
    const b = new Browser();
    const login = await b.go(`${base}/api/auth/login`);
    const done = await b.submit(login, { sub: 'org-1002' });
    expect(done.status).toBe(409);
    expect(JSON.parse(done.body).code).toBe('auth.account_conflict');
  });
});

describe('start-up without an identity provider', () => {
  it('production without OIDC_ISSUER refuses to start with a clear message', () => {
    const env = { NODE_ENV: 'production', AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET, CONFIG_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([{ variable: 'OIDC_ISSUER', message: expect.stringContaining('is required in production') }]);
    }
    expect(() => loadConfig({ ...env, OIDC_ISSUER: 'http://idp.example/realms/x', OIDC_CLIENT_ID: 'x' })).toThrow(/must be an https:\/\/ URL in production/);
    expect(() => loadConfig({ ...env, OIDC_ISSUER: 'https://idp.example/realms/x', OIDC_CLIENT_ID: 'x' })).not.toThrow();
  });

  it('`voicesurvey serve` in production without an issuer exits 78 naming OIDC_ISSUER', async () => {
    const target = await freshTarget();
    try {
      const res = await runCli(['serve'], {
        ...target.env,
        NODE_ENV: 'production',
        PORT: '0',
        AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET,
        CONFIG_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      });
      expect(res.code).toBe(78);
      expect(res.stderr).toMatch(/OIDC_ISSUER: is required in production/);
    } finally {
      await target.dispose();
    }
  });

  it('a bad OIDC_ROLE_MAP is a configuration error naming the variable', () => {
    expect(() => loadConfig({ OIDC_ROLE_MAP: '{"x":"superuser"}' })).toThrow(/OIDC_ROLE_MAP: "x" maps to unknown role/);
    expect(() => loadConfig({ OIDC_ISSUER: 'https://idp.example' })).toThrow(/OIDC_CLIENT_ID: is required when OIDC_ISSUER is set/);
  });
});
