import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../app.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import { freshDatabase, type TestDatabase } from '../../test/support/db.js';
import { createCampaign, createContact } from '../../test/support/factories.js';
import { singleProcessLeader, type LeaderLock } from './leader.js';
import { createReconciler } from './reconciler.js';
import { createScheduler } from './scheduler.js';

const log = createLogger({ level: 'silent' });
let t: TestDatabase;
let app: App;
let base: string;
const ALWAYS = { allowed_call_start_local: '00:00', allowed_call_end_local: '23:59:59', allowed_weekdays: [1, 2, 3, 4, 5, 6, 7] };

beforeAll(async () => {
  t = await freshDatabase();
  const env: Record<string, string> = { PORT: '0', TELEPHONY_PROVIDER: 'simulator', SIMULATOR_FAST: 'true', SIMULATOR_CPS: '0', SIMULATOR_MAX_CONCURRENT: '0' };
  if (t.url) env.DATABASE_URL = t.url;
  app = await buildApp(loadConfig(env), log, { role: 'api', database: t, web: false, hangUpGraceMs: 100 });
  base = await app.start();
});
afterAll(async () => {
  await app?.stop();
  await t?.close();
});
beforeEach(async () => {
  await t.db.updateTable('campaigns').set({ status: 'cancelled' }).where('status', 'in', ['running', 'paused']).execute();
});

function scheduler(opts: { leader?: LeaderLock; cps?: number; maxConcurrentCalls?: number } = {}) {
  return createScheduler({
    db: t.db, telephony: app.telephony.telephony, leader: opts.leader ?? singleProcessLeader(), clock: { now: () => new Date() }, log,
    metrics: createMetrics(), publicBaseUrl: base, machineDetection: true,
    config: { ...app.config.calling, cps: opts.cps ?? 50, maxConcurrentCalls: opts.maxConcurrentCalls ?? 10, windowGuardMinutes: 0, tickMs: 1000 },
  });
}
const contact = (id: string) => t.db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('scheduler', () => {
  it('places claimed calls; the simulator calls back and the attempt gets its outcome', async () => {
    const c = await createCampaign(t.db, { status: 'running', max_attempts: 1, ...ALWAYS });
    const k = await createContact(t.db, c.id);
    const s = scheduler();
    const placed = await s.tick();
    expect(placed.map((p) => p.contactId)).toEqual([k.id]);
    await app.telephony.simulator!.idle();
    // A person hanging up mid-survey is settled after the grace (hangUpGraceMs), once the callback was answered.
    const attempt = () => t.db.selectFrom('call_attempts').selectAll().where('contact_id', '=', k.id).executeTakeFirstOrThrow();
    for (let i = 0; i < 100 && (await attempt()).outcome === null; i++) await new Promise((r) => setTimeout(r, 50));
    const a = await attempt();
    expect(a.provider_call_id).toMatch(/^CA/);
    expect(a.outcome).not.toBeNull();
    expect((await contact(k.id)).state).not.toBe('in_progress');
    await s.stop();
  });

  it('respects the live-call limit and does nothing while not the leader or when paused', async () => {
    const c = await createCampaign(t.db, { status: 'running', ...ALWAYS });
    for (let i = 0; i < 5; i++) await createContact(t.db, c.id);
    const standby = scheduler({ leader: { acquire: async () => false, release: async () => {} } });
    expect(await standby.tick()).toEqual([]);
    await t.db.updateTable('campaigns').set({ status: 'paused' }).where('id', '=', c.id).execute();
    expect(await scheduler().tick()).toEqual([]);
    await t.db.updateTable('campaigns').set({ status: 'running' }).where('id', '=', c.id).execute();
    // Pacing: within one tick at 2 CPS, at most 2 starts fit.
    const slow = scheduler({ cps: 2 });
    expect((await slow.tick()).length).toBeLessThanOrEqual(2);
    await app.telephony.simulator!.idle();
    await slow.stop();
  });

  it('a permanent provider error closes the contact with the code; a transient one releases the claim uncounted', async () => {
    const c = await createCampaign(t.db, { status: 'running', max_attempts: 3, ...ALWAYS });
    const k1 = await createContact(t.db, c.id);
    app.telephony.simulator!.injectCreateErrors([{ status: 400, code: 21211, message: 'invalid To' }]);
    const s = scheduler({ cps: 50 });
    await s.tick();
    expect(await contact(k1.id)).toMatchObject({ state: 'not_reached', attempts_count: 1, last_outcome: 'failed' });
    expect((await contact(k1.id)).closed_at).not.toBeNull();
    const a = await t.db.selectFrom('call_attempts').select(['outcome', 'error_code']).where('contact_id', '=', k1.id).executeTakeFirstOrThrow();
    expect(a).toEqual({ outcome: 'failed', error_code: '21211' });

    // The first campaign completed with its only contact closed; a second one for the transient case.
    expect((await t.db.selectFrom('campaigns').select('status').where('id', '=', c.id).executeTakeFirstOrThrow()).status).toBe('completed');
    const c2 = await createCampaign(t.db, { status: 'running', max_attempts: 3, ...ALWAYS });
    const k2 = await createContact(t.db, c2.id);
    app.telephony.simulator!.injectCreateErrors([{ status: 503, code: 20503, message: 'unavailable' }]);
    const s2 = scheduler({ cps: 50 });
    await s2.tick();
    const after = await contact(k2.id);
    expect(after).toMatchObject({ state: 'pending', attempts_count: 0 });
    expect(after.retry_not_before!.getTime()).toBeGreaterThan(Date.now());
    expect(await t.db.selectFrom('call_attempts').select('id').where('contact_id', '=', k2.id).execute()).toEqual([]);
    await s.stop();
    await s2.stop();
  });
});

describe('reconciler', () => {
  it('releases claims never placed and closes stale calls as reconciled_timeout', async () => {
    const c = await createCampaign(t.db, { status: 'running', max_attempts: 3, ...ALWAYS });
    const k = await createContact(t.db, c.id);
    const { claimDueContacts } = await import('../commands/calling/claim.js');
    const past = new Date(Date.now() - 3 * 3600_000);
    await t.db.transaction().execute((trx) => claimDueContacts(trx, { limit: 10, now: past, guardMinutes: 0 }));
    const r = createReconciler({ db: t.db, telephony: app.telephony.telephony, clock: { now: () => new Date() }, log, metrics: createMetrics(), config: app.config.calling });
    expect((await r.tick()).released).toBe(1);
    expect(await contact(k.id)).toMatchObject({ state: 'pending', attempts_count: 0 });

    const [x] = await t.db.transaction().execute((trx) => claimDueContacts(trx, { limit: 10, now: past, guardMinutes: 0 }));
    await t.db.updateTable('call_attempts').set({ provider_call_id: 'CA-not-at-the-provider', placed_at: past }).where('id', '=', x!.attemptId).execute();
    expect((await r.tick()).timedOut).toBe(1);
    expect(await t.db.selectFrom('call_attempts').select(['outcome', 'error_code']).where('id', '=', x!.attemptId).executeTakeFirstOrThrow())
      .toEqual({ outcome: 'failed', error_code: 'reconciled_timeout' });
    expect(await contact(k.id)).toMatchObject({ state: 'not_reached', attempts_count: 1 });
    await r.stop();
  });
});
