import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../app.js';
import { loadConfig } from '../config.js';
import { seedDatabase } from '../db/seed.js';
import type { Mailer, OutgoingEmail } from '../domain/ports/mailer.js';
import { createTokenService } from '../http/auth/tokens.js';
import { createLogger } from '../observability/logger.js';
import { startApi, TEST_TOKEN_SECRET, type TestApi } from '../../test/support/api.js';
import { freshDatabase, type TestDatabase } from '../../test/support/db.js';
import { addInitialDemoContacts, feedDemoContacts } from './feed.js';
import { createDemoMode, DEMO_CAMPAIGN_ID, DemoUnavailableError } from './index.js';
import { DemoMailbox, recordingMailer } from './mailbox.js';
import { demoContact } from './respondents.js';

const log = createLogger({ level: 'silent' });
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'vsa-demo-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const email = (id: string, over: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  notificationId: id, messageId: `<${id}@example.org>`, from: 'Demo <no-reply@example.org>', to: 'sam.taylor@example.org',
  subject: 'Thank you', html: '<p>Hello <strong>Sam</strong></p>', text: 'Hello Sam', language: 'en', ...over,
});

describe('demo mode refuses where it does not belong', () => {
  it('never in production, never with a real telephony provider', () => {
    const production = loadConfig({
      NODE_ENV: 'production', OIDC_ISSUER: 'https://id.example.org', OIDC_CLIENT_ID: 'vsa', AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET,
      CONFIG_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
    });
    expect(() => createDemoMode(production, log)).toThrow(DemoUnavailableError);
    expect(() => createDemoMode(production, log)).toThrow(/never runs in production/);
    const twilio = loadConfig({
      NODE_ENV: 'test', TELEPHONY_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'x',
      TWILIO_FROM_NUMBER: '+390212345678', PUBLIC_BASE_URL: 'https://vsa.example.org',
    });
    expect(() => createDemoMode(twilio, log)).toThrow(/only with the built-in simulator/);
  });
});

describe('demo mailbox', () => {
  it('keeps one copy per notification, newest first, and reads one back', async () => {
    const box = new DemoMailbox(join(tempDir(), 'demo-mailbox'));
    expect(await box.list({ limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
    const sent: string[] = [];
    const inner: Mailer = { name: 'fake', send: async (e) => (sent.push(e.notificationId), { providerMessageId: `fake:${e.notificationId}` }), close: async () => {} };
    const mailer = recordingMailer(inner, box, log);
    const a = '11111111-1111-4111-8111-111111111111';
    const b = '22222222-2222-4222-8222-222222222222';
    expect(await mailer.send(email(a))).toEqual({ providerMessageId: `fake:${a}` });
    await new Promise((r) => setTimeout(r, 20));
    await mailer.send(email(b, { subject: 'Grazie', language: 'it' }));
    await mailer.send(email(b, { subject: 'Grazie', language: 'it' })); // a retry replaces its copy
    expect(sent).toEqual([a, b, b]);
    const page = await box.list({ limit: 10, offset: 0 });
    expect(page.total).toBe(2);
    expect(page.items.map((m) => m.subject)).toEqual(['Grazie', 'Thank you']);
    expect(page.items[0]).not.toHaveProperty('html');
    expect((await box.list({ limit: 1, offset: 1 })).items.map((m) => m.id)).toEqual([a]);
    expect(await box.get(a)).toMatchObject({ to: 'sam.taylor@example.org', html: '<p>Hello <strong>Sam</strong></p>', text: 'Hello Sam' });
    expect(await box.get('../../etc/passwd')).toBeNull();
    expect(await box.get('33333333-3333-4333-8333-333333333333')).toBeNull();
  });
});

describe('demo data', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase();
    await seedDatabase(t.db);
  });
  afterAll(() => t.close());

  const count = async () => Number((await t.db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('campaign_id', '=', DEMO_CAMPAIGN_ID).executeTakeFirstOrThrow()).n);

  it('the demo campaign calls around the clock, every day, and is labelled as demo', async () => {
    const c = await t.db.selectFrom('campaigns').selectAll().where('id', '=', DEMO_CAMPAIGN_ID).executeTakeFirstOrThrow();
    expect(c).toMatchObject({ status: 'running', allowed_call_start_local: '00:00:00', allowed_call_end_local: '23:59:59', allowed_weekdays: [1, 2, 3, 4, 5, 6, 7], retry_interval_minutes: 2, organization_name: 'Demo Bank' });
    expect(c.description).toMatch(/DEMO: calls the built-in simulator around the clock/);
  });

  it('data seeded before keeps edits and otherwise moves to the around-the-clock window', async () => {
    await t.db.updateTable('campaigns').set({ allowed_call_start_local: '09:00', allowed_call_end_local: '20:00', allowed_weekdays: [1, 2, 3, 4, 5, 6], retry_interval_minutes: 45 })
      .where('id', '=', DEMO_CAMPAIGN_ID).execute();
    await seedDatabase(t.db);
    const c = await t.db.selectFrom('campaigns').selectAll().where('id', '=', DEMO_CAMPAIGN_ID).executeTakeFirstOrThrow();
    expect(c).toMatchObject({ allowed_call_start_local: '00:00:00', allowed_weekdays: [1, 2, 3, 4, 5, 6, 7], retry_interval_minutes: 45 });
    await t.db.updateTable('campaigns').set({ retry_interval_minutes: 2 }).where('id', '=', DEMO_CAMPAIGN_ID).execute();
  });

  it('adds the first contacts once, then trickles more only while running and short of contacts ready to call', async () => {
    const policy = { initial: 10, lowWater: 4, batch: 3, max: 16 };
    const calledAgo = (minutes: number, where = sql`true`) =>
      sql`UPDATE contacts SET attempts_count = 1, state = 'not_reached', last_attempt_at = now() - make_interval(mins => ${minutes})
          WHERE campaign_id = ${DEMO_CAMPAIGN_ID} AND ${where}`.execute(t.db);
    expect(await addInitialDemoContacts(t.db, policy)).toBe(10);
    expect(await addInitialDemoContacts(t.db, policy)).toBe(0);
    expect(await count()).toBe(15);
    const mine = await t.db.selectFrom('contacts').selectAll().where('external_contact_id', '=', 'DEMO-0001').executeTakeFirstOrThrow();
    expect(mine).toMatchObject({ phone_number: demoContact(0).phone_number, has_prior_consent: true, state: 'pending' });

    // Plenty never called: nothing to add.
    expect(await feedDemoContacts(t.db, policy)).toBe(0);
    // All called a minute ago (the retry interval is 2): a batch arrives, numbered after the last one.
    await calledAgo(1);
    expect(await feedDemoContacts(t.db, policy)).toBe(3);
    expect(await t.db.selectFrom('contacts').select('external_contact_id').where('external_contact_id', '=', 'DEMO-0013').executeTakeFirst()).toBeTruthy();
    // Retries that are due count as ready: no one new is added while they wait to be dialled.
    await calledAgo(3);
    expect(await feedDemoContacts(t.db, policy)).toBe(0);
    // A callback asked for later is not ready.
    await sql`UPDATE contacts SET retry_not_before = now() + interval '5 minutes' WHERE campaign_id = ${DEMO_CAMPAIGN_ID}`.execute(t.db);
    // Paused by a manager: obeyed.
    await t.db.updateTable('campaigns').set({ status: 'paused' }).where('id', '=', DEMO_CAMPAIGN_ID).execute();
    expect(await feedDemoContacts(t.db, policy)).toBe(0);
    await t.db.updateTable('campaigns').set({ status: 'running' }).where('id', '=', DEMO_CAMPAIGN_ID).execute();
    // Up to the cap, and no further.
    expect(await feedDemoContacts(t.db, policy)).toBe(3);
    await calledAgo(1);
    expect(await feedDemoContacts(t.db, policy)).toBe(0);
    expect(await count()).toBe(21);
  });
});

describe('demo routes', () => {
  let t: TestDatabase;
  let demoApi: TestApi;
  let plainApi: TestApi;
  const id = '44444444-4444-4444-8444-444444444444';
  beforeAll(async () => {
    t = await freshDatabase();
    const dataDir = tempDir();
    const demo = createDemoMode(loadConfig({ NODE_ENV: 'test', VSA_DATA_DIR: dataDir }), log);
    await demo.mailbox.record(email(id, { html: '<p>Thank you</p><script>alert(1)</script>' }), new Date('2026-03-02T10:00:00Z'));
    demoApi = await startApi(t, { VSA_DATA_DIR: dataDir }, { ...demo.buildOptions, web: false });
    plainApi = await startApi(t, {}, { web: false });
  });
  afterAll(async () => {
    await demoApi.close();
    await plainApi.close();
    await t.close();
  });

  it('exist only in demo mode', async () => {
    for (const url of ['/api/demo', '/api/demo/mailbox', `/api/demo/mailbox/${id}`]) {
      const res = await plainApi.http.inject({ method: 'GET', url, headers: await plainApi.as('admin') });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ code: 'route.not_found' });
    }
    const res = await demoApi.http.inject({ method: 'GET', url: '/api/demo', headers: await demoApi.as('viewer') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ demo: true, campaign_id: DEMO_CAMPAIGN_ID, fast: false });
    expect((await demoApi.http.inject({ method: 'GET', url: '/api/demo' })).statusCode).toBe(401);
  });

  it('the mailbox is for admins and campaign managers', async () => {
    for (const role of ['admin', 'campaign_manager'] as const) {
      const list = await demoApi.http.inject({ method: 'GET', url: '/api/demo/mailbox', headers: await demoApi.as(role) });
      expect(list.statusCode, role).toBe(200);
      expect(list.json()).toEqual({ total: 1, items: [{ id, to: 'sam.taylor@example.org', subject: 'Thank you', language: 'en', sent_at: '2026-03-02T10:00:00.000Z' }] });
      const one = await demoApi.http.inject({ method: 'GET', url: `/api/demo/mailbox/${id}`, headers: await demoApi.as(role) });
      expect(one.statusCode).toBe(200);
      expect(one.json()).toMatchObject({ id, from: 'Demo <no-reply@example.org>', text: 'Hello Sam', html: '<p>Thank you</p><script>alert(1)</script>' });
    }
    for (const url of ['/api/demo/mailbox', `/api/demo/mailbox/${id}`]) {
      const res = await demoApi.http.inject({ method: 'GET', url, headers: await demoApi.as('viewer') });
      expect(res.statusCode, url).toBe(403);
      expect(res.json()).toMatchObject({ code: 'auth.forbidden' });
    }
  });

  it('validates input and answers problem+json', async () => {
    const h = await demoApi.as('campaign_manager');
    const bad = await demoApi.http.inject({ method: 'GET', url: '/api/demo/mailbox/not-an-id', headers: h });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'path.id', message: 'must be a UUID' })]);
    const limit = await demoApi.http.inject({ method: 'GET', url: '/api/demo/mailbox?limit=500', headers: h });
    expect(limit.statusCode).toBe(400);
    expect(limit.json().errors).toEqual([expect.objectContaining({ field: 'query.limit', message: expect.stringMatching(/between 1 and 200/) })]);
    const missing = await demoApi.http.inject({ method: 'GET', url: '/api/demo/mailbox/55555555-5555-4555-8555-555555555555', headers: h });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'demo_email.not_found' });
  });
});

describe('the demo running (fast simulator)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase();
  });
  afterAll(() => t.close());

  const env = (dataDir: string) => ({
    NODE_ENV: 'test', HOST: '127.0.0.1', PORT: '0', AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET, VSA_DATA_DIR: dataDir,
    SIMULATOR_FAST: 'true', CALLING_CPS: '20', ...(t.url ? { DATABASE_URL: t.url } : {}),
  });

  async function run(dataDir: string, body: (app: App, demo: ReturnType<typeof createDemoMode>) => Promise<void>) {
    const demo = createDemoMode(loadConfig(env(dataDir)), log, { feedIntervalMs: 200 });
    const app = await buildApp(demo.config, log, { ...demo.buildOptions, database: t, web: false });
    try {
      await demo.prepare(app);
      await app.start();
      demo.start(app);
      await body(app, demo);
    } finally {
      await demo.stop();
      await app.stop();
    }
  }

  // The seeded campaign manager, Marco.
  const asManager = async () => ({ authorization: `Bearer ${(await createTokenService(TEST_TOKEN_SECRET, 900).issue({ userId: 'a0000000-0000-4000-8000-000000000002' })).token}` });
  async function mailbox(app: App): Promise<{ total: number; items: { id: string; to: string; subject: string }[] }> {
    const res = await app.http.inject({ method: 'GET', url: '/api/demo/mailbox', headers: await asManager() });
    expect(res.statusCode).toBe(200);
    return res.json();
  }
  const n = async (q: ReturnType<typeof sql<{ n: number }>>) => Number((await q.execute(t.db)).rows[0]?.n ?? 0);

  it('places calls, completes surveys and delivers emails to the demo mailbox; a restart resumes', async () => {
    const dataDir = tempDir();
    let attemptsBefore = 0;
    await run(dataDir, async (app) => {
      await until('calls placed', async () => (await n(sql`SELECT count(*)::int AS n FROM call_attempts WHERE campaign_id = ${DEMO_CAMPAIGN_ID} AND provider_call_id IS NOT NULL`)) >= 3);
      await until('a completed survey', async () => (await n(sql`SELECT count(*)::int AS n FROM contacts WHERE campaign_id = ${DEMO_CAMPAIGN_ID} AND state = 'completed'`)) >= 1);
      const box = await until('an email in the demo mailbox', async () => {
        const b = await mailbox(app);
        return b.total >= 1 ? b : undefined;
      });
      expect(box.items[0]!.to).toMatch(/@example\.org$/);
      // The console finds out it is in demo mode.
      const info = await app.http.inject({ method: 'GET', url: '/api/demo', headers: await asManager() });
      expect(info.json()).toEqual({ demo: true, campaign_id: DEMO_CAMPAIGN_ID, fast: true });
      attemptsBefore = await n(sql`SELECT count(*)::int AS n FROM call_attempts`);
    });
    const seeded = await n(sql`SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM email_templates) + (SELECT count(*) FROM campaigns) + (SELECT count(*) FROM exclusion_list_entries) AS n`);
    const completedBefore = await n(sql`SELECT count(*)::int AS n FROM contacts WHERE state = 'completed'`);

    // Same data, second start: seeding changes nothing, calls left open are closed, and calling goes on.
    await run(dataDir, async (app) => {
      expect(await n(sql`SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM email_templates) + (SELECT count(*) FROM campaigns) + (SELECT count(*) FROM exclusion_list_entries) AS n`)).toBe(seeded);
      await until('new calls after the restart', async () => (await n(sql`SELECT count(*)::int AS n FROM call_attempts WHERE provider_call_id IS NOT NULL`)) >= attemptsBefore + 3);
      await until('a survey completed after the restart', async () => (await n(sql`SELECT count(*)::int AS n FROM contacts WHERE state = 'completed'`)) > completedBefore);
      expect((await mailbox(app)).total).toBeGreaterThanOrEqual(1);
    });
    expect(await n(sql`SELECT count(*)::int AS n FROM contacts WHERE campaign_id = ${DEMO_CAMPAIGN_ID} AND phone_number IN (SELECT phone_number FROM contacts GROUP BY phone_number HAVING count(*) > 1)`)).toBe(0);
  }, 120_000);
});
