/**
 * The dialogue-era roll-ups of migration 0012 (funnel marks and counts,
 * consented groups, turn-latency histogram) against the scanning queries they
 * replace, kept here as the oracle: a seeded random mix of inserts, updates
 * and deletes, run by several concurrent writers, must leave the roll-ups equal
 * to the oracle — before and after compaction, and after a rebuild.
 */
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testEngine, type TestDatabase } from '../../../test/support/db.js';
import { createCampaign, createContact } from '../../../test/support/factories.js';
import { Migrator } from '../../db/migrator.js';
import type { DB } from '../../db/schema/index.js';
import { dialogueRollups, latencyP95 } from './pending-tables.js';
import { rebuildRollups } from './rollups.js';
import { getCampaignStats } from './stats.js';

let t: TestDatabase;
let db: Kysely<DB>;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
});
afterAll(() => t.close());

// ── Oracle: the scanning queries statistics used before 0012 ──────────────────
/** Bucket upper bound, computed in integer thousandths of a ms (mirrors reporting_latency_bucket). */
function bucket(ms: number): number {
  const m = Math.round(ms * 1000);
  if (m <= 0) return 0;
  const up = (step: number) => Math.ceil(m / step) * step;
  const b = m <= 100_000 ? up(100) : m <= 1_000_000 ? up(1000) : m <= 10_000_000 ? up(10_000) : Math.min(up(100_000), 600_000_000);
  return b / 1000;
}

interface Snapshot {
  funnel: { answeredByPerson: number; consented: number; q1: number; q2: number; q3: number };
  consented: string[];
  latency: string[];
  p95: number | null;
}

async function oracle(campaignId: string): Promise<Snapshot> {
  const f = await sql<Snapshot['funnel']>`
    select
      (select count(distinct ca.contact_id) from call_attempts ca
        where ca.campaign_id = ${campaignId} and ca.answered_at is not null
          and coalesce(ca.answered_by, 'human') not in ('machine', 'machine_start', 'machine_end_beep', 'machine_end_silence', 'machine_end_other', 'fax'))::int as "answeredByPerson",
      (select count(distinct cr.contact_id) from consent_records cr where cr.campaign_id = ${campaignId})::int as consented,
      (select count(distinct ca.contact_id) from call_attempts ca join dialogue_turns dt on dt.call_attempt_id = ca.id
        where ca.campaign_id = ${campaignId} and dt.stage = 'q1')::int as q1,
      (select count(distinct ca.contact_id) from call_attempts ca join dialogue_turns dt on dt.call_attempt_id = ca.id
        where ca.campaign_id = ${campaignId} and dt.stage = 'q2')::int as q2,
      (select count(distinct ca.contact_id) from call_attempts ca join dialogue_turns dt on dt.call_attempt_id = ca.id
        where ca.campaign_id = ${campaignId} and dt.stage = 'q3')::int as q3`.execute(db);
  const c = await sql<{ state: string; last_outcome: string | null; attempts_count: number; consented: number }>`
    select c.state::text as state, c.last_outcome::text as last_outcome, c.attempts_count::int as attempts_count,
           count(distinct c.id)::int as consented
    from consent_records cr
    join contacts c on c.id = cr.contact_id
    where cr.campaign_id = ${campaignId} and c.state <> 'completed'
    group by 1, 2, 3`.execute(db);
  const turns = await sql<{ ms: number }>`
    select dt.processing_ms as ms from dialogue_turns dt join call_attempts ca on ca.id = dt.call_attempt_id
    where ca.campaign_id = ${campaignId} and dt.processing_ms is not null`.execute(db);
  const p95 = await sql<{ p95: number | null }>`
    select percentile_disc(0.95) within group (order by dt.processing_ms) as p95
    from dialogue_turns dt join call_attempts ca on ca.id = dt.call_attempt_id
    where ca.campaign_id = ${campaignId} and dt.processing_ms is not null`.execute(db);
  const hist = new Map<number, number>();
  for (const r of turns.rows) hist.set(bucket(Number(r.ms)), (hist.get(bucket(Number(r.ms))) ?? 0) + 1);
  const raw = p95.rows[0]?.p95;
  return {
    funnel: f.rows[0]!,
    consented: c.rows.map((r) => `${r.state}|${r.last_outcome}|${r.attempts_count}=${r.consented}`).sort(),
    latency: [...hist].sort((a, b) => a[0] - b[0]).map(([b, n]) => `${b}=${n}`),
    p95: raw === null || raw === undefined ? null : bucket(Number(raw)),
  };
}

async function kept(campaignId: string): Promise<Snapshot> {
  const r = (await dialogueRollups(db, campaignId))!;
  return {
    funnel: r.funnel,
    consented: r.consentedNotCompleted.map((g) => `${g.state}|${g.last_outcome}|${g.attempts_count}=${g.consented}`).sort(),
    latency: r.latency.map((b) => `${b.upperMs}=${b.turns}`),
    p95: latencyP95(r.latency)?.p95Ms ?? null,
  };
}

/** FUNNEL_SEED / FUNNEL_OPS vary and lengthen the random run (for soak runs); the defaults keep it short. */
const SEED = Number(process.env.FUNNEL_SEED ?? 0);
const OPS = Number(process.env.FUNNEL_OPS ?? 40);

const compact = (campaignId: string) => sql`select reporting_compact_funnel(${campaignId}::uuid)`.execute(db);

// ── A small deterministic random source ─────────────────────────────────────
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick<T>(xs: readonly T[]): T {
      return xs[Math.floor(next() * xs.length)]!;
    },
  };
}

const STATES = ['pending', 'in_progress', 'completed', 'refused', 'not_reached'] as const;
const OUTCOMES = [null, 'completed', 'refused', 'no_answer', 'busy', 'failed', 'voicemail'] as const;
const ANSWERED_BY = [null, 'human', 'machine', 'fax', 'unknown', 'machine_start'] as const;
const STAGES = ['intro', 'consent', 'q1', 'q2', 'q3'] as const;

function randomMs(r: ReturnType<typeof rng>): number | null {
  const k = r.int(10);
  if (k === 0) return null;
  if (k < 7) return Math.round(r.next() * 120_000) / 1000; // 0–120 ms
  if (k < 9) return Math.round(r.next() * 2_000_000) / 1000; // up to 2 s
  return Math.round(r.next() * 20_000_000) / 1000; // up to 20 s
}

/** One random writer: transactions of 1–3 operations on random contacts of the given campaigns. */
async function writer(seed: number, campaigns: string[], ops: number): Promise<{ done: number; failed: number }> {
  const r = rng(seed);
  let done = 0;
  let failed = 0;
  for (let i = 0; i < ops; i++) {
    try {
      await db.transaction().execute(async (trx) => {
        const steps = 1 + r.int(3);
        for (let s = 0; s < steps; s++) await randomOp(trx, r, r.pick(campaigns));
        if (r.int(12) === 0) throw new Rollback();
      });
      done++;
    } catch (err) {
      if (err instanceof Rollback) continue;
      const code = (err as { code?: string }).code;
      // Races of the random workload itself (a row deleted under us, a taken sequence, a deadlock between writers).
      if (code === '23503' || code === '23505' || code === '40P01') {
        failed++;
        continue;
      }
      throw err;
    }
  }
  return { done, failed };
}

class Rollback extends Error {}

async function randomContact(trx: Kysely<DB>, r: ReturnType<typeof rng>, campaignId: string): Promise<string | null> {
  const rows = await trx.selectFrom('contacts').select('id').where('campaign_id', '=', campaignId).orderBy('id').execute();
  return rows.length === 0 ? null : r.pick(rows).id;
}

async function randomAttempt(trx: Kysely<DB>, r: ReturnType<typeof rng>, campaignId: string): Promise<{ id: string; contact_id: string } | null> {
  const rows = await trx.selectFrom('call_attempts').select(['id', 'contact_id']).where('campaign_id', '=', campaignId).orderBy('id').execute();
  return rows.length === 0 ? null : r.pick(rows);
}

async function randomOp(trx: Kysely<DB>, r: ReturnType<typeof rng>, campaignId: string): Promise<void> {
  const op = r.int(100);
  if (op < 14) {
    // A new attempt, answered or not.
    const contact = await randomContact(trx, r, campaignId);
    if (!contact) return;
    const answered = r.int(3) > 0;
    await sql`
      insert into call_attempts (contact_id, campaign_id, attempt_number, started_at, answered_at, answered_by)
      select ${contact}::uuid, ${campaignId}::uuid, coalesce(max(attempt_number), 0) + 1, now(),
             ${answered ? new Date() : null}::timestamptz, ${answered ? r.pick(ANSWERED_BY) : null}::text
      from call_attempts where contact_id = ${contact}`.execute(trx);
  } else if (op < 24) {
    // Answering-machine detection or the answer time changes.
    const a = await randomAttempt(trx, r, campaignId);
    if (!a) return;
    await trx.updateTable('call_attempts')
      .set({ answered_by: r.pick(ANSWERED_BY), answered_at: r.int(4) === 0 ? null : new Date() })
      .where('id', '=', a.id).execute();
  } else if (op < 50) {
    // A dialogue turn.
    const a = await randomAttempt(trx, r, campaignId);
    if (!a) return;
    await sql`
      insert into dialogue_turns (call_attempt_id, sequence, stage, prompt, processing_ms)
      select ${a.id}::uuid, coalesce(max(sequence), -1) + 1, ${r.pick(STAGES)}, 'prompt', ${randomMs(r)}::numeric
      from dialogue_turns where call_attempt_id = ${a.id}`.execute(trx);
  } else if (op < 58) {
    // Consent on an attempt.
    const a = await randomAttempt(trx, r, campaignId);
    if (!a) return;
    await sql`
      insert into consent_records (call_attempt_id, contact_id, campaign_id, consented_at, language, script_version, wording)
      values (${a.id}, ${a.contact_id}, ${campaignId}, now(), 'en', 'v1', 'May I?')
      on conflict (call_attempt_id) do nothing`.execute(trx);
  } else if (op < 72) {
    // The contact moves between groups (one contact, or a few at once).
    const contact = await randomContact(trx, r, campaignId);
    if (!contact) return;
    const set = { state: r.pick(STATES), last_outcome: r.pick(OUTCOMES), attempts_count: r.int(4) };
    if (r.int(3) === 0) await trx.updateTable('contacts').set(set).where('campaign_id', '=', campaignId).where('id', '<=', contact).execute();
    else await trx.updateTable('contacts').set(set).where('id', '=', contact).execute();
  } else if (op < 78) {
    // A turn's stage or time is corrected.
    const turn = await sql<{ id: string }>`
      select dt.id from dialogue_turns dt join call_attempts ca on ca.id = dt.call_attempt_id
      where ca.campaign_id = ${campaignId} order by dt.id limit 1 offset ${r.int(20)}`.execute(trx);
    if (!turn.rows[0]) return;
    await trx.updateTable('dialogue_turns').set({ stage: r.pick(STAGES), processing_ms: randomMs(r) }).where('id', '=', turn.rows[0].id).execute();
  } else if (op < 86) {
    // A turn or a consent record is deleted.
    if (r.int(2) === 0) {
      await sql`delete from dialogue_turns where id = (
        select dt.id from dialogue_turns dt join call_attempts ca on ca.id = dt.call_attempt_id
        where ca.campaign_id = ${campaignId} order by dt.id limit 1 offset ${r.int(20)})`.execute(trx);
    } else {
      await sql`delete from consent_records where id = (
        select id from consent_records where campaign_id = ${campaignId} order by id limit 1 offset ${r.int(8)})`.execute(trx);
    }
  } else if (op < 93) {
    // An attempt is deleted (its turns and consent cascade).
    const a = await randomAttempt(trx, r, campaignId);
    if (a) await trx.deleteFrom('call_attempts').where('id', '=', a.id).execute();
  } else if (op < 97) {
    // A contact is erased (attempts, turns, consent cascade).
    const contact = await randomContact(trx, r, campaignId);
    if (contact) await trx.deleteFrom('contacts').where('id', '=', contact).execute();
  } else {
    // A new contact.
    await createContact(trx, campaignId);
  }
}

async function seedCampaign(contacts: number): Promise<string> {
  const c = await createCampaign(db);
  for (let i = 0; i < contacts; i++) await createContact(db, c.id);
  return c.id;
}

describe('dialogue roll-ups (0012) against the scanning queries', () => {
  it('agree after concurrent random inserts, updates and deletes, before and after compaction and rebuild', async () => {
    const a = await seedCampaign(24);
    const b = await seedCampaign(8);
    const writers = testEngine() === 'postgres' ? 4 : 2;
    const seen = { person: false, q1: false, consented: false, latency: false };
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(Array.from({ length: writers }, (_, w) => writer(SEED + 1000 * round + w + 1, [a, a, b], OPS)));
      expect(results.reduce((s, x) => s + x.done, 0)).toBeGreaterThan(writers * OPS * 0.5);
      for (const c of [a, b]) {
        const expected = await oracle(c);
        expect(await kept(c)).toEqual(expected);
        await compact(c);
        expect(await kept(c)).toEqual(expected);
        seen.person ||= expected.funnel.answeredByPerson > 0;
        seen.q1 ||= expected.funnel.q1 > 0;
        seen.consented ||= expected.consented.length > 0;
        seen.latency ||= expected.latency.length > 3;
      }
    }
    // The random mix did exercise every roll-up.
    expect(seen).toEqual({ person: true, q1: true, consented: true, latency: true });
    const expected = await oracle(a);
    // A rebuild from the source tables lands on the same figures.
    await rebuildRollups(db, a);
    expect(await kept(a)).toEqual(expected);
  }, 30_000 + OPS * 1_000);

  it('counts a person only while some attempt of the contact was answered by one', async () => {
    const c = await createCampaign(db);
    const k = await createContact(db, c.id, { state: 'in_progress', attempts_count: 2 });
    const ins = (n: number, by: string | null) => db.insertInto('call_attempts')
      .values({ contact_id: k.id, campaign_id: c.id, attempt_number: n, answered_at: new Date(), answered_by: by })
      .returning('id').executeTakeFirstOrThrow();
    const first = await ins(1, null);
    const second = await ins(2, 'human');
    expect((await kept(c.id)).funnel.answeredByPerson).toBe(1);
    await db.updateTable('call_attempts').set({ answered_by: 'machine' }).where('id', '=', first.id).execute();
    expect((await kept(c.id)).funnel.answeredByPerson).toBe(1); // the second attempt still was a person
    await db.updateTable('call_attempts').set({ answered_by: 'fax' }).where('id', '=', second.id).execute();
    expect((await kept(c.id)).funnel.answeredByPerson).toBe(0);
    await db.updateTable('call_attempts').set({ answered_by: 'unknown' }).where('id', '=', second.id).execute();
    expect((await kept(c.id)).funnel.answeredByPerson).toBe(1);
    expect(await kept(c.id)).toEqual(await oracle(c.id));
  });

  it('moves a consented contact between groups as its state changes, and drops it when the contact is erased', async () => {
    const c = await createCampaign(db);
    const k = await createContact(db, c.id, { state: 'in_progress', attempts_count: 1 });
    const at = await db.insertInto('call_attempts').values({ contact_id: k.id, campaign_id: c.id, attempt_number: 1, answered_at: new Date(), answered_by: 'human' })
      .returning('id').executeTakeFirstOrThrow();
    await sql`insert into consent_records (call_attempt_id, contact_id, campaign_id, consented_at, language, script_version, wording)
      values (${at.id}, ${k.id}, ${c.id}, now(), 'en', 'v1', 'May I?')`.execute(db);
    await sql`insert into dialogue_turns (call_attempt_id, sequence, stage, prompt, processing_ms) values (${at.id}, 1, 'q1', 'Q1?', 7.25)`.execute(db);
    expect((await kept(c.id)).consented).toEqual(['in_progress|null|1=1']);
    await db.updateTable('contacts').set({ state: 'pending', last_outcome: 'failed' }).where('id', '=', k.id).execute();
    expect((await kept(c.id)).consented).toEqual(['pending|failed|1=1']);
    const s = await getCampaignStats(db, c.id);
    expect(s.aapor.counts.P).toBe(1);
    expect(s.funnel).toMatchObject({ answeredByPerson: 1, consented: 1, q1: 1, q2: 0, approximate: false });
    expect(s.turnLatency).toEqual({ p95Ms: 7.3, turns: 1, available: true });
    await db.updateTable('contacts').set({ state: 'completed', last_outcome: 'completed' }).where('id', '=', k.id).execute();
    expect((await kept(c.id)).consented).toEqual([]); // completed: not a partial
    await db.deleteFrom('contacts').where('id', '=', k.id).execute();
    expect(await kept(c.id)).toEqual({ funnel: { answeredByPerson: 0, consented: 0, q1: 0, q2: 0, q3: 0 }, consented: [], latency: [], p95: null });
    expect(await kept(c.id)).toEqual(await oracle(c.id));
  });

  it('removes every roll-up row of a deleted campaign', async () => {
    const c = await seedCampaign(6);
    await writer(77, [c], 40);
    expect((await oracle(c)).latency.length).toBeGreaterThan(0);
    await db.deleteFrom('campaigns').where('id', '=', c).execute();
    for (const table of ['reporting_funnel_marks', 'reporting_funnel_counts', 'reporting_funnel_deltas', 'reporting_consented_counts',
      'reporting_consented_deltas', 'reporting_turn_latency', 'reporting_turn_latency_deltas'] as const) {
      const left = await db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).where('campaign_id', '=', c).executeTakeFirstOrThrow();
      expect(left.n, table).toBe(0);
    }
  });
});

describe('migration 0012 on a database with dialogue data', () => {
  it('back-fills the roll-ups from the existing rows, and down removes them', async () => {
    const t0 = await freshDatabase({ migrated: false });
    const before = db;
    try {
      db = t0.db;
      const m = new Migrator(db);
      await m.up({ to: '0011' });
      const a = await seedCampaign(16);
      const b = await seedCampaign(6);
      // Written before 0012: no trigger keeps anything yet.
      await Promise.all([writer(SEED + 501, [a, a, b], OPS), writer(SEED + 502, [a, b], OPS)]);
      // Under load more of the concurrent writers' transactions fail; write on until there is a latency to back-fill.
      for (let k = 0; (await oracle(a)).latency.length === 0 && k < 5; k++) await writer(SEED + 510 + k, [a], OPS);
      expect((await oracle(a)).latency.length).toBeGreaterThan(0);
      await m.up({ to: '0012' });
      for (const c of [a, b]) expect(await kept(c)).toEqual(await oracle(c));
      // The triggers take over from the back-fill.
      await writer(SEED + 503, [a, b], OPS);
      for (const c of [a, b]) expect(await kept(c)).toEqual(await oracle(c));
      await m.down({ to: '0011' });
      const left = await sql<{ n: number }>`select count(*)::int as n from pg_class where relname like 'reporting_funnel%' or relname like 'reporting_turn_latency%' or relname like 'reporting_consented%'`.execute(db);
      expect(left.rows[0]!.n).toBe(0);
      // Contacts, attempts and turns still write without the 0012 objects.
      await writer(SEED + 504, [a], 10);
    } finally {
      db = before;
      await t0.close();
    }
  }, 60_000);
});

describe('dialogue roll-ups under racing transactions (PostgreSQL)', () => {
  const blocked = async (p: Promise<unknown>, ms = 300) => {
    const winner = await Promise.race([p.then(() => 'done', () => 'failed'), new Promise((r) => setTimeout(() => r('blocked'), ms))]);
    return winner === 'blocked';
  };

  it('keeps a Q1 mark when its last turn is deleted while another transaction adds a Q1 turn for the same contact', async () => {
    if (testEngine() !== 'postgres') return; // PGlite is one session: nothing can race
    const c = await createCampaign(db);
    const k = await createContact(db, c.id, { state: 'in_progress', attempts_count: 2 });
    const [a1, a2] = await Promise.all([1, 2].map((n) => db.insertInto('call_attempts')
      .values({ contact_id: k.id, campaign_id: c.id, attempt_number: n }).returning('id').executeTakeFirstOrThrow()));
    await sql`insert into dialogue_turns (call_attempt_id, sequence, stage, processing_ms) values (${a1!.id}, 1, 'q1', 5)`.execute(db);
    const adder = await t.connectAgain(1);
    const remover = await t.connectAgain(1);
    await sql`begin`.execute(adder);
    await sql`insert into dialogue_turns (call_attempt_id, sequence, stage, processing_ms) values (${a2!.id}, 1, 'q1', 6)`.execute(adder);
    await sql`begin`.execute(remover);
    const removing = sql`delete from dialogue_turns where call_attempt_id = ${a1!.id}`.execute(remover);
    expect(await blocked(removing)).toBe(true); // waits for the adder's shared lock on (contact, q1)
    await sql`commit`.execute(adder);
    await removing;
    await sql`commit`.execute(remover);
    expect((await kept(c.id)).funnel.q1).toBe(1);
    expect(await kept(c.id)).toEqual(await oracle(c.id));
  });

  it('counts a turn given a time while its attempt is being deleted exactly once', async () => {
    if (testEngine() !== 'postgres') return;
    const c = await createCampaign(db);
    const k = await createContact(db, c.id, { state: 'in_progress', attempts_count: 1 });
    const at = await db.insertInto('call_attempts').values({ contact_id: k.id, campaign_id: c.id, attempt_number: 1, answered_at: new Date() })
      .returning('id').executeTakeFirstOrThrow();
    // A hang-up turn: no processing time, so not in the histogram yet.
    await sql`insert into dialogue_turns (call_attempt_id, sequence, stage) values (${at.id}, 1, 'q2')`.execute(db);
    const fixer = await t.connectAgain(1);
    const deleter = await t.connectAgain(1);
    await sql`begin`.execute(fixer);
    await sql`update dialogue_turns set processing_ms = 4.9 where call_attempt_id = ${at.id}`.execute(fixer);
    await sql`begin`.execute(deleter);
    const deleting = sql`delete from call_attempts where id = ${at.id}`.execute(deleter);
    expect(await blocked(deleting)).toBe(true); // locks every turn of the attempt, timed or not
    await sql`commit`.execute(fixer);
    await deleting;
    await sql`commit`.execute(deleter);
    expect((await kept(c.id)).latency).toEqual([]);
    expect(await kept(c.id)).toEqual(await oracle(c.id));
  });

  it('counts a consent given while the contact changes state in the contact\'s final group', async () => {
    if (testEngine() !== 'postgres') return;
    const c = await createCampaign(db);
    const k = await createContact(db, c.id, { state: 'in_progress', attempts_count: 1 });
    const at = await db.insertInto('call_attempts').values({ contact_id: k.id, campaign_id: c.id, attempt_number: 1, answered_at: new Date() })
      .returning('id').executeTakeFirstOrThrow();
    const consent = await t.connectAgain(1);
    const outcome = await t.connectAgain(1);
    // The outcome first: the consent waits for it, then reads the new group.
    await sql`begin`.execute(outcome);
    await sql`update contacts set state = 'pending', last_outcome = 'failed' where id = ${k.id}`.execute(outcome);
    await sql`begin`.execute(consent);
    const consenting = sql`insert into consent_records (call_attempt_id, contact_id, campaign_id, consented_at, language, script_version, wording)
      values (${at.id}, ${k.id}, ${c.id}, now(), 'en', 'v1', 'May I?')`.execute(consent);
    expect(await blocked(consenting)).toBe(true);
    await sql`commit`.execute(outcome);
    await consenting;
    await sql`commit`.execute(consent);
    expect((await kept(c.id)).consented).toEqual(['pending|failed|1=1']);
    // The consent first: the outcome waits for it, then moves the consented contact.
    await sql`begin`.execute(consent);
    await sql`delete from consent_records where contact_id = ${k.id}`.execute(consent);
    await sql`insert into consent_records (call_attempt_id, contact_id, campaign_id, consented_at, language, script_version, wording)
      values (${at.id}, ${k.id}, ${c.id}, now(), 'en', 'v1', 'May I?')`.execute(consent);
    await sql`begin`.execute(outcome);
    const moving = sql`update contacts set state = 'not_reached', attempts_count = 3 where id = ${k.id}`.execute(outcome);
    expect(await blocked(moving)).toBe(true);
    await sql`commit`.execute(consent);
    await moving;
    await sql`commit`.execute(outcome);
    expect((await kept(c.id)).consented).toEqual(['not_reached|failed|3=1']);
    expect(await kept(c.id)).toEqual(await oracle(c.id));
  });
});
