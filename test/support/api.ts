/**
 * A real app (Fastify + database) for API tests, and real signed access tokens
 * for users in each role — the same tokens bearer clients use.
 *
 *   let api: TestApi;
 *   beforeAll(async () => { t = await freshDatabase(); api = await startApi(t); });
 *   afterAll(async () => { await api.close(); await t.close(); });
 *   const res = await api.http.inject({ method: 'GET', url: '/api/campaigns', headers: await api.as('viewer') });
 */
import type { Selectable } from 'kysely';
import { buildApp, type App, type BuildOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { UserRole, UsersTable } from '../../src/db/schema/index.js';
import { createTokenService, type TokenService } from '../../src/http/auth/tokens.js';
import { createLogger } from '../../src/observability/logger.js';
import type { TestDatabase } from './db.js';
import { createUser } from './factories.js';

export const TEST_TOKEN_SECRET = 'test-only-secret-test-only-secret-0123456789';

export interface TestApi {
  readonly app: App;
  readonly http: App['http'];
  readonly tokens: TokenService;
  /** Bearer headers for a (new, cached per role) user with this role, or for a given user. */
  as(who: UserRole | Pick<Selectable<UsersTable>, 'id'>): Promise<Record<string, string>>;
  /** The user behind `as(role)`. */
  user(role: UserRole): Promise<Selectable<UsersTable>>;
  close(): Promise<void>;
}

export async function startApi(t: TestDatabase, env: Record<string, string> = {}, opts: BuildOptions = {}): Promise<TestApi> {
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET, ...env });
  const app = await buildApp(config, createLogger({ level: 'silent' }), { ...opts, database: t });
  await app.http.ready();
  const tokens = createTokenService(TEST_TOKEN_SECRET, config.auth.accessTokenTtlSeconds);
  const users = new Map<UserRole, Promise<Selectable<UsersTable>>>();
  const user = (role: UserRole) => {
    let u = users.get(role);
    if (!u) users.set(role, (u = createUser(t.db, { role })));
    return u;
  };
  return {
    app,
    http: app.http,
    tokens,
    user,
    async as(who) {
      const id = typeof who === 'string' ? (await user(who)).id : who.id;
      const { token } = await tokens.issue({ userId: id });
      return { authorization: `Bearer ${token}` };
    },
    close: () => app.stop(),
  };
}
