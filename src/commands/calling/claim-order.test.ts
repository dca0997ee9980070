/**
 * The claim's order: first come, first served by the time a contact became due
 * (never called: its created_at; retry: last attempt + the campaign's retry
 * interval), and what concurrent claimers see.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabase, inRolledBackTransaction, testEngine, type TestDatabase } from '../../../test/support/db.js';
import { createCampaign, createContact, uniquePhone } from '../../../test/support/factories.js';
import type { DB } from '../../db/schema/index.js';
import { claimDueContacts, claimPlannerSettings, claimStatement } from './claim.js';

let t: TestDatabase;
let db: Kysely<DB>;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
});
afterAll(() => t.close());

// Monday 2 March 2026, 11:00 in Rome.
const NOW = new Date('2026-03-02T10:00:00Z');
const min = (n: number) => new Date(NOW.getTime() + n * 60_000);
const claim = (limit: number, now = NOW, on: Kysely<DB> = db) => on.transaction().execute((trx) => claimDueContacts(trx, { limit, now, guardMinutes: 5 }));

/** Claims inside a transaction that is rolled back: the data stays as it was. */
const peek = async (limit: number, now = NOW): Promise<string[]> =>
  (await inRolledBackTransaction(db, (trx) => claimDueContacts(trx, { limit, now, guardMinutes: 5 }))).map((x) => x.contactId);

const running = (o: Parameters<typeof createCampaign>[1] = {}) =>
  createCampaign(db, { status: 'running', max_attempts: 3, retry_interval_minutes: 60, allowed_weekdays: [1, 2, 3, 4, 5, 6, 7], ...o });
/** Never called, created at `createdAt`. */
const fresh = (campaignId: string, createdAt: Date) => createContact(db, campaignId, { created_at: createdAt });
/** Called once, last at `lastAttemptAt`, created long before. */
const retry = (campaignId: string, lastAttemptAt: Date, o: Parameters<typeof createContact>[2] = {}) =>
  createContact(db, campaignId, { state: 'not_reached', attempts_count: 1, last_attempt_at: lastAttemptAt, created_at: min(-7 * 24 * 60), ...o });

beforeEach(async () => {
  await db.updateTable('campaigns').set({ status: 'cancelled' }).where('status', 'in', ['running', 'paused']).execute();
});

describe('claim order: first due, first dialled', () => {
  it('a due retry goes before never-called contacts created after it became due, however many', async () => {
    const c = await running();
    // Due since 09:00 (last attempt 08:00 + 60 min).
    const r = await retry(c.id, min(-120));
    // A large import after that, and a trickle right up to now.
    for (let i = 0; i < 150; i++) await fresh(c.id, min(-50));
    for (let i = 0; i < 5; i++) await fresh(c.id, min(-i));
    expect(await peek(1)).toEqual([r.id]);
    const three = await peek(3);
    expect(three[0]).toBe(r.id);
    expect(three).toHaveLength(3);
  });

  it('never-called contacts created before a retry became due go first; the batch comes back in due order', async () => {
    const c = await running();
    const early = await fresh(c.id, min(-180));
    const r = await retry(c.id, min(-120)); // due at -60
    const late = await fresh(c.id, min(-10));
    const older = await fresh(c.id, min(-240));
    expect(await peek(1)).toEqual([older.id]);
    expect(await peek(4)).toEqual([older.id, early.id, r.id, late.id]);
    // Retries among themselves: earlier last attempt first.
    const r2 = await retry(c.id, min(-130)); // due at -70
    expect(await peek(5)).toEqual([older.id, early.id, r2.id, r.id, late.id]);
  });

  it('a retry not yet due is not claimed (retry interval, retry_not_before), and a callback whose time came is', async () => {
    const c = await running();
    await retry(c.id, min(-30)); // interval: due at +30
    await retry(c.id, min(-600), { retry_not_before: min(10) }); // callback in ten minutes
    expect(await peek(10)).toEqual([]);
    const n = await fresh(c.id, min(-5));
    expect(await peek(10)).toEqual([n.id]);
    // Ten minutes later the callback may be called; it has been due (last attempt + interval) for hours.
    const later = await peek(10, min(11));
    expect(later).toHaveLength(2);
    expect(later[1]).toBe(n.id);
    // And at +31 the first retry too, behind the other two.
    expect(await peek(10, min(31))).toHaveLength(3);
  });

  it('keeps every other rule: an ineligible retry does not hide the eligible ones behind it', async () => {
    const c = await running();
    const excludedPhone = uniquePhone();
    await db.insertInto('exclusion_list_entries').values({ phone_number: excludedPhone }).execute();
    await retry(c.id, min(-500), { do_not_call: true });
    await retry(c.id, min(-490), { has_prior_consent: false });
    await retry(c.id, min(-480), { phone_number: excludedPhone });
    await retry(c.id, min(-470), { attempts_count: 3 });
    await retry(c.id, min(-460), { closed_at: min(-400) } as never);
    await retry(c.id, min(-450), { timezone: 'Pacific/Auckland' }); // 23:00 there
    const ok = await retry(c.id, min(-300));
    const n = await fresh(c.id, min(-1));
    expect(await peek(10)).toEqual([ok.id, n.id]);
  });

  it('respects the limit with mixes across campaigns, each campaign with its own retry interval, in global due order', async () => {
    const a = await running({ retry_interval_minutes: 60 });
    const b = await running({ retry_interval_minutes: 240 });
    const due = new Map<string, number>();
    // Campaign a: retries due at (last + 60), new contacts due at creation.
    for (const m of [-400, -250, -130, -62]) due.set((await retry(a.id, min(m))).id, m + 60);
    for (const m of [-300, -200, -65, -20, -3]) due.set((await fresh(a.id, min(m))).id, m);
    // Campaign b: retries due at (last + 240) — a later last attempt than some of a's, yet due earlier or later.
    for (const m of [-500, -270, -241]) due.set((await retry(b.id, min(m))).id, m + 240);
    for (const m of [-350, -100, -4]) due.set((await fresh(b.id, min(m))).id, m);
    // Not due yet: neither counted nor claimed.
    await retry(a.id, min(-59));
    await retry(b.id, min(-200));

    const expected = [...due.entries()].sort((x, y) => x[1] - y[1]).map(([id]) => id);
    expect(new Set(due.values()).size).toBe(due.size); // no ties: one right answer
    const got: string[] = [];
    for (let round = 0; round < 10; round++) {
      const batch = await claim(4);
      expect(batch.length).toBeLessThanOrEqual(4);
      if (batch.length === 0) break;
      got.push(...batch.map((x) => x.contactId));
    }
    expect(got).toEqual(expected);
    const attempts = await db.selectFrom('call_attempts').select('contact_id').where('contact_id', 'in', [...due.keys()]).execute();
    expect(attempts).toHaveLength(due.size);
  });
});

interface PlanNode { 'Index Name'?: string; 'Actual Rows'?: number; 'Actual Loops'?: number; 'Rows Removed by Filter'?: number; Plans?: PlanNode[] }
/**
 * Index entries of contacts_dialable* the claim reads (returned or filtered out),
 * from EXPLAIN ANALYZE of the claim statement with the claim's planner settings, rolled back.
 * With fresh statistics, as a production database has them.
 */
const entriesWalked = async (limit: number, now = NOW): Promise<number> => {
  await sql`ANALYZE contacts`.execute(db);
  return inRolledBackTransaction(db, async (trx) => {
    await claimPlannerSettings(trx);
    const r = await sql<{ 'QUERY PLAN': unknown }>`EXPLAIN (ANALYZE, FORMAT JSON) ${claimStatement({ limit, now, guardMinutes: 5 })}`.execute(trx);
    const raw = r.rows[0]!['QUERY PLAN'];
    const plan = (typeof raw === 'string' ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
    const walked = (n: PlanNode): number =>
      (n['Index Name']?.startsWith('contacts_dialable') ? ((n['Actual Rows'] ?? 0) + (n['Rows Removed by Filter'] ?? 0)) * (n['Actual Loops'] ?? 1) : 0)
      + (n.Plans ?? []).reduce((a, c) => a + walked(c), 0);
    return walked(plan[0].Plan);
  });
};

/** `n` contacts of a campaign in one statement, created a minute apart from `from` on. */
async function many(campaignId: string, n: number, from: Date, o: { has_prior_consent?: boolean; retry?: boolean } = {}): Promise<string[]> {
  const rows = Array.from({ length: n }, (_, i) => ({
    campaign_id: campaignId, phone_number: uniquePhone(), has_prior_consent: o.has_prior_consent ?? true,
    ...(o.retry
      ? { state: 'not_reached' as const, attempts_count: 1, last_attempt_at: new Date(from.getTime() + i * 60_000), created_at: min(-30 * 24 * 60) }
      : { created_at: new Date(from.getTime() + i * 60_000) }),
  }));
  return (await db.insertInto('contacts').values(rows).returning('id').execute()).map((r) => r.id);
}

describe('claim walks: what a claim reads', () => {
  it('a campaign requiring consent never reads its unconsented contacts, however many wait ahead; one that gains consent is claimed in its place', async () => {
    const c = await running(); // require_prior_consent: the default
    // Late in the campaign: everything consented before them is done, the unconsented stay (never called, and retries).
    const unconsented = await many(c.id, 300, min(-2000), { has_prior_consent: false });
    await many(c.id, 100, min(-1500), { has_prior_consent: false, retry: true });
    const consented = await many(c.id, 10, min(-100));
    expect(await peek(5)).toEqual(consented.slice(0, 5));
    // 5 eligible rows read, the 400 unconsented not at all (before: all 400 re-read by every claim).
    expect(await entriesWalked(5)).toBeLessThanOrEqual(10);
    // Consent recorded for one of them: the next claim takes it first (due since -1999 minutes).
    await db.updateTable('contacts').set({ has_prior_consent: true }).where('id', '=', unconsented[1]!).execute();
    expect(await peek(3)).toEqual([unconsented[1], ...consented.slice(0, 2)]);
    // Never one without consent, however large the batch.
    const all = await peek(1000);
    expect(all).toEqual([unconsented[1], ...consented]);
  });

  it('a campaign not requiring consent walks both, merged in due order; the setting takes effect at the next claim', async () => {
    const c = await running({ require_prior_consent: false });
    const a = await many(c.id, 3, min(-300), { has_prior_consent: false }); // due -300, -299, -298
    const b = await many(c.id, 3, min(-299.5)); // due -299.5, -298.5, -297.5
    const r = await many(c.id, 2, min(-359.7), { has_prior_consent: false, retry: true }); // due -299.7, -298.7
    const q = await many(c.id, 2, min(-358.2), { retry: true }); // due -298.2, -297.2
    const due = [a[0], r[0], b[0], a[1], r[1], b[1], q[0], a[2], b[2], q[1]];
    expect(await peek(100)).toEqual(due);
    expect(await entriesWalked(3)).toBeLessThanOrEqual(4 * 3);
    // The campaign now requires consent (the API freezes the setting once a campaign runs;
    // the claim does not rely on that): the unconsented drop out, the order of the rest stays.
    await db.updateTable('campaigns').set({ status: 'paused' }).where('id', '=', c.id).execute();
    expect(await peek(100)).toEqual([]);
    await db.updateTable('campaigns').set({ status: 'running', require_prior_consent: true }).where('id', '=', c.id).execute();
    expect(await peek(100)).toEqual([b[0], b[1], q[0], b[2], q[1]]);
    // And back: all of them again.
    await db.updateTable('campaigns').set({ require_prior_consent: false }).where('id', '=', c.id).execute();
    expect(await claim(100).then((xs) => xs.map((x) => x.contactId))).toEqual(due);
  });

  it('walks the index in order and stops after the batch, in a small campaign too', async () => {
    const c = await running();
    await many(c.id, 400, min(-1000));
    await many(c.id, 100, min(-1000), { retry: true });
    // The planner's estimate for the walks' conditions is a fraction of a percent of
    // the range: fewer rows than the batch, so without the claim's planner settings
    // it reads the whole range (a bitmap scan and a sort) at every claim.
    expect(await entriesWalked(5)).toBeLessThanOrEqual(2 * 5);
  });
});

describe.runIf(testEngine() === 'postgres')('claim order: concurrent claimers (PostgreSQL)', () => {
  /** Until a claim in this database waits for a lock (bounded). */
  async function waitForLockWait(on: Kysely<DB>) {
    for (let i = 0; i < 400; i++) {
      const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%WITH zones%'`.execute(on);
      if (Number(r.rows[0]?.n) > 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the second claim never waited for the first');
  }

  it('locks only the contacts it dials: a claim in flight holds its batch, the next claimer gets the next ones', async () => {
    const c = await running();
    // New contacts and retries alternating in due order (-100, -99, …).
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((i % 2 === 0 ? await fresh(c.id, min(-100 + i)) : await retry(c.id, min(-160 + i))).id);
    const other = await t.connectAgain(2);
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let first: string[] = [];
    let second: Promise<string[]> | undefined;
    let ready!: () => void;
    const claimedFirst = new Promise<void>((r) => { ready = r; });
    const inFlight = db.transaction().execute(async (trx) => {
      first = (await claimDueContacts(trx, { limit: 2, now: NOW, guardMinutes: 5 })).map((x) => x.contactId);
      ready();
      await held;
    });
    try {
      await Promise.race([claimedFirst, inFlight]);
      expect(first).toEqual(ids.slice(0, 2));
      // Nothing but the two claimed rows is locked: every other contact can be locked at once.
      await other.transaction().execute(async (trx) => {
        const free = await trx.selectFrom('contacts').select('id').where('id', 'in', ids.slice(2)).forUpdate().noWait().execute();
        expect(free).toHaveLength(4);
      });
      // A second claimer meanwhile: skips the two locked, locks the next two in due order.
      // (It then waits for the first to commit: both bump the same reporting rollup row.)
      second = claim(2, NOW, other).then((xs) => xs.map((x) => x.contactId));
      await waitForLockWait(other);
    } finally {
      release();
      await inFlight;
    }
    expect(await second!).toEqual(ids.slice(2, 4));
    const third = (await claim(10, NOW, other)).map((x) => x.contactId);
    expect(third).toEqual(ids.slice(4));
  });

  it('concurrent claimers never claim the same contact, and between them claim every due one', async () => {
    const c = await running();
    const due = new Set<string>();
    for (let i = 0; i < 120; i++) due.add((await fresh(c.id, min(-200 + i))).id);
    for (let i = 0; i < 80; i++) due.add((await retry(c.id, min(-300 + i))).id);
    const pools = await Promise.all([0, 1, 2, 3].map(() => t.connectAgain(2)));
    const claimed: string[] = [];
    await Promise.all(pools.map(async (p) => {
      for (let empty = 0; empty < 3;) {
        const batch = await claim(7, NOW, p);
        claimed.push(...batch.map((x) => x.contactId));
        empty = batch.length === 0 ? empty + 1 : 0;
      }
    }));
    expect(claimed).toHaveLength(new Set(claimed).size);
    expect(new Set(claimed)).toEqual(due);
    const live = await db.selectFrom('call_attempts').select(['contact_id']).where('campaign_id', '=', c.id).execute();
    expect(live).toHaveLength(due.size);
  });
});
