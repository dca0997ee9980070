import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../test/support/db.js';
import { createCampaign, createContact } from '../../../test/support/factories.js';
import type { CallOutcome, ContactState, DB } from '../../db/schema/index.js';
import { DomainError } from '../../domain/errors.js';
import { tableExists } from './pending-tables.js';
import { getCampaignStats, getStatsOverview } from './stats.js';

let t: TestDatabase;
let db: Kysely<DB>;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
});
afterAll(() => t.close());

const at = (iso: string) => new Date(iso);

/** A contact with its attempts: [createdAt, answeredAfterSec|null, talkSec|null, outcome]. */
async function contactWith(
  campaignId: string,
  state: ContactState,
  attempts: [string, number | null, number | null, CallOutcome][],
  answers?: [string | null, string | null, string | null],
) {
  const last = attempts.at(-1);
  const c = await createContact(db, campaignId, {
    state,
    attempts_count: attempts.length,
    last_outcome: last ? last[3] : null,
    last_attempt_at: last ? last[0] : null,
  });
  let lastId: string | null = null;
  for (const [i, [created, answerAfter, talk, outcome]] of attempts.entries()) {
    const start = at(created);
    const answered = answerAfter === null ? null : new Date(start.getTime() + answerAfter * 1000);
    const ended = answered && talk !== null ? new Date(answered.getTime() + talk * 1000) : new Date(start.getTime() + 30_000);
    const row = await db.insertInto('call_attempts').values({
      contact_id: c.id, campaign_id: campaignId, attempt_number: i + 1, created_at: start, started_at: start,
      answered_at: answered, ended_at: ended, outcome,
    }).returning('id').executeTakeFirstOrThrow();
    lastId = row.id;
  }
  if (answers && lastId) {
    await db.insertInto('survey_responses').values({
      contact_id: c.id, campaign_id: campaignId, call_attempt_id: lastId,
      q1_answer: answers[0], q2_answer: answers[1], q3_answer: answers[2], completed_at: ended(attempts),
    }).execute();
  }
  return c;
}
const ended = (attempts: [string, ...unknown[]][]) => attempts.at(-1)![0];

describe('getCampaignStats', () => {
  let campaignId: string;

  beforeAll(async () => {
    // Rome is UTC+1 in January: 08:30Z is 09:30 local.
    const campaign = await createCampaign(db, { timezone: 'Europe/Rome', max_attempts: 2, question_1_scale_min: 1, question_1_scale_max: 5 });
    campaignId = campaign.id;
    await contactWith(campaignId, 'completed', [['2026-01-12T08:30:00Z', 5, 100, 'completed']], ['5', '3', 'Faster  service ']);
    await contactWith(campaignId, 'completed', [['2026-01-12T08:40:00Z', 5, 60, 'completed']], ['4', '3', 'faster service']);
    await contactWith(campaignId, 'completed', [['2026-01-12T23:10:00Z', 5, 200, 'completed']], ['5', '12', 'cheaper']);
    await contactWith(campaignId, 'refused', [['2026-01-12T09:05:00Z', 5, 10, 'refused']]);
    await contactWith(campaignId, 'not_reached', [['2026-01-12T09:10:00Z', null, null, 'no_answer'], ['2026-01-12T10:10:00Z', null, null, 'busy']]);
    await contactWith(campaignId, 'not_reached', [['2026-01-12T09:20:00Z', null, null, 'failed'], ['2026-01-12T10:20:00Z', null, null, 'failed']]);
    await contactWith(campaignId, 'pending', [['2026-01-12T09:30:00Z', null, null, 'no_answer']]);
    await contactWith(campaignId, 'pending', []);
    await contactWith(campaignId, 'pending', []);
    await contactWith(campaignId, 'excluded', []);
  });

  it('counts contacts by state and by last outcome, and the headline totals', async () => {
    const s = await getCampaignStats(db, campaignId, { now: at('2026-01-13T00:00:00Z') });
    expect(s.generatedAt).toBe('2026-01-13T00:00:00.000Z');
    expect(s.contacts.total).toBe(10);
    expect(s.contacts.byState).toEqual({ completed: 3, refused: 1, not_reached: 2, pending: 3, excluded: 1 });
    expect(s.contacts.byLastOutcome).toEqual({ completed: 3, refused: 1, busy: 1, failed: 1, no_answer: 1, none: 3 });
    expect(s.totals).toEqual({
      attempted: 7, completed: 3, refused: 1, notReachedFinal: 2, awaitingRetry: 1, excluded: 1, notYetCalled: 2, inProgress: 0, callAttempts: 9,
    });
    expect(s.rates.completion).toBeCloseTo(3 / 7);
    expect(s.rates.refusal).toBeCloseTo(1 / 7);
    expect(s.rates.notReached).toBeCloseTo(2 / 7);
  });

  it('maps dispositions to AAPOR categories and computes the rates', async () => {
    const s = await getCampaignStats(db, campaignId);
    // I=3, R=1, NC: busy + pending no_answer = 2, U: failed + 2 never called = 3, X: excluded
    expect(s.aapor.counts).toEqual({ I: 3, P: 0, R: 1, NC: 2, O: 0, U: 3, X: 1 });
    expect(s.aapor.rates.RR1).toBeCloseTo(3 / 9);
    expect(s.aapor.rates.COOP1).toBeCloseTo(3 / 4);
    expect(s.aapor.rates.REF1).toBeCloseTo(1 / 9);
    expect(s.aapor.rates.CON1).toBeCloseTo(4 / 9);
    expect(s.aapor.partialsAvailable).toBe(await tableExists(db, 'consent_records')); // true once 0007 is merged
  });

  it('builds hourly and daily series in the campaign time zone', async () => {
    const s = await getCampaignStats(db, campaignId);
    expect(s.series.hourly).toEqual([
      { start: '2026-01-12T09:00', attempts: 2, answers: 2, completions: 2 },
      { start: '2026-01-12T10:00', attempts: 4, answers: 1, completions: 0 },
      { start: '2026-01-12T11:00', attempts: 2, answers: 0, completions: 0 },
      // 23:10Z is 00:10 on the 13th in Rome
      { start: '2026-01-13T00:00', attempts: 1, answers: 1, completions: 1 },
    ]);
    expect(s.series.daily).toEqual([
      { start: '2026-01-12', attempts: 8, answers: 3, completions: 2 },
      { start: '2026-01-13', attempts: 1, answers: 1, completions: 1 },
    ]);
  });

  it('reports average and P95 talk time of answered calls', async () => {
    const s = await getCampaignStats(db, campaignId);
    // answered calls: 100, 60, 200, 10 seconds
    expect(s.callDuration).toEqual({ answeredCalls: 4, avgSeconds: 92.5, p95Seconds: 200 });
    expect(s.turnLatency).toEqual({ p95Ms: null, turns: 0, available: false });
  });

  it('gives a histogram for scale and numeric questions and top answers for free text', async () => {
    const s = await getCampaignStats(db, campaignId, { topAnswers: 1 });
    const [q1, q2, q3] = s.questions;
    expect(q1!.type).toBe('scale');
    expect(q1!.histogram!.map((b) => b.count)).toEqual([0, 0, 0, 1, 2]);
    expect(q2!.type).toBe('numeric');
    expect(q2!.responses).toBe(3);
    expect(q2!.histogram!.reduce((n, b) => n + b.count, 0)).toBe(3);
    expect(q3!.type).toBe('free_text');
    // normalized by trimming and lower-casing only: "Faster  service " keeps its inner double space
    expect(q3!.responses).toBe(3);
    expect(q3!.distinct).toBe(3);
    expect(q3!.top).toHaveLength(1);
  });

  it('approximates the funnel from outcomes and answers while dialogue data is absent', async () => {
    if (await tableExists(db, 'dialogue_turns')) return; // after the merge: see pending-tables.test.ts
    const s = await getCampaignStats(db, campaignId);
    expect(s.funnel).toEqual({ dialled: 7, answeredByPerson: 4, consented: 3, q1: 3, q2: 3, q3: 3, completed: 3, approximate: true });
  });

  it('stays exact when attempts are updated and deleted (roll-up triggers)', async () => {
    const c = await contactWith(campaignId, 'in_progress', [['2026-01-12T09:50:00Z', null, null, 'no_answer']]);
    await db.updateTable('call_attempts').set({ answered_at: at('2026-01-12T09:50:05Z'), ended_at: at('2026-01-12T09:51:05Z'), outcome: 'completed' })
      .where('contact_id', '=', c.id).execute();
    let s = await getCampaignStats(db, campaignId);
    expect(s.series.hourly[1]).toEqual({ start: '2026-01-12T10:00', attempts: 5, answers: 2, completions: 1 });
    expect(s.callDuration.answeredCalls).toBe(5);
    await db.deleteFrom('contacts').where('id', '=', c.id).execute(); // erasure cascades to attempts
    s = await getCampaignStats(db, campaignId);
    expect(s.series.hourly[1]).toEqual({ start: '2026-01-12T10:00', attempts: 4, answers: 1, completions: 0 });
    expect(s.callDuration.answeredCalls).toBe(4);
  });

  it('throws not_found for an unknown or malformed campaign id', async () => {
    await expect(getCampaignStats(db, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ kind: 'not_found', code: 'campaign.not_found' });
    await expect(getCampaignStats(db, 'nope')).rejects.toBeInstanceOf(DomainError);
  });

  it('handles an empty campaign with null rates, not NaN', async () => {
    const empty = await createCampaign(db);
    const s = await getCampaignStats(db, empty.id);
    expect(s.contacts.total).toBe(0);
    expect(s.rates).toEqual({ completion: null, refusal: null, notReached: null });
    expect(s.aapor.rates.RR1).toBeNull();
    expect(s.callDuration).toEqual({ answeredCalls: 0, avgSeconds: null, p95Seconds: null });
    expect(s.series.hourly).toEqual([]);
  });

  it('deleting a campaign removes its roll-ups without tripping the triggers', async () => {
    const doomed = await createCampaign(db);
    await contactWith(doomed.id, 'completed', [['2026-01-12T08:30:00Z', 5, 100, 'completed']], ['1', '2', 'x']);
    await db.deleteFrom('campaigns').where('id', '=', doomed.id).execute();
    const left = await db.selectFrom('reporting_call_hourly').select('campaign_id').where('campaign_id', '=', doomed.id).execute();
    expect(left).toEqual([]);
  });
});

describe('getStatsOverview', () => {
  it('lists every campaign that is not cancelled with its key counts', async () => {
    const a = await createCampaign(db, { status: 'running' });
    const cancelled = await createCampaign(db, { status: 'cancelled' });
    await createContact(db, a.id, { state: 'completed', attempts_count: 1 });
    await createContact(db, a.id, { state: 'refused', attempts_count: 2 });
    await createContact(db, a.id);
    const overview = await getStatsOverview(db);
    const row = overview.find((o) => o.campaignId === a.id);
    expect(row).toMatchObject({ contacts: 3, attempted: 2, completed: 1, refused: 1, completionRate: 0.5, status: 'running' });
    expect(overview.some((o) => o.campaignId === cancelled.id)).toBe(false);
  });
});

describe('rebuildRollups', () => {
  it('recomputes exactly what the triggers maintain', async () => {
    const { rebuildRollups } = await import('./rollups.js');
    const c = await createCampaign(db, { timezone: 'UTC' });
    await contactWith(c.id, 'completed', [['2026-02-01T10:00:00Z', 3, 50, 'completed']], ['3', '4', 'ok']);
    await contactWith(c.id, 'not_reached', [['2026-02-01T11:00:00Z', null, null, 'busy'], ['2026-02-02T11:00:00Z', 2, 5, 'failed']]);
    const before = await getCampaignStats(db, c.id, { now: new Date(0) });
    await db.deleteFrom('reporting_call_hourly').where('campaign_id', '=', c.id).execute();
    await db.deleteFrom('reporting_answer_counts').where('campaign_id', '=', c.id).execute();
    expect((await getCampaignStats(db, c.id, { now: new Date(0) })).series.hourly).toEqual([]);
    await rebuildRollups(db, c.id);
    expect(await getCampaignStats(db, c.id, { now: new Date(0) })).toEqual(before);
  });
});

describe('contact counts kept by statement triggers', () => {
  it('match a live GROUP BY after bulk inserts, updates, deletes and compaction', async () => {
    const { contactGroups } = await import('./stats.js');
    const { sql } = await import('kysely');
    const c = await createCampaign(db);
    const live = async () => {
      const r = await sql<{ state: string; last_outcome: string | null; attempts_count: number; n: number }>`
        select state::text as state, last_outcome::text as last_outcome, attempts_count::int as attempts_count, count(*)::int as n
        from contacts where campaign_id = ${c.id} group by 1, 2, 3`.execute(db);
      return r.rows.map((x) => `${x.state}|${x.last_outcome}|${x.attempts_count}=${x.n}`).sort();
    };
    const kept = async () => (await contactGroups(db, c.id)).map((x) => `${x.state}|${x.last_outcome}|${x.attempts_count}=${x.n}`).sort();
    await sql`insert into contacts (campaign_id, phone_number) select ${c.id}::uuid, '+3934' || lpad(i::text, 8, '0') from generate_series(1, 50) i`.execute(db);
    expect(await kept()).toEqual(['pending|null|0=50']);
    await sql`update contacts set state = 'in_progress', attempts_count = 1 where campaign_id = ${c.id} and phone_number < '+393400000020'`.execute(db);
    await sql`update contacts set state = 'completed', last_outcome = 'completed' where campaign_id = ${c.id} and state = 'in_progress' and phone_number < '+393400000010'`.execute(db);
    await sql`update contacts set updated_at = now() where campaign_id = ${c.id}`.execute(db); // no counted column changes
    await sql`delete from contacts where campaign_id = ${c.id} and phone_number > '+393400000045'`.execute(db);
    expect(await kept()).toEqual(await live());
    await sql`select reporting_compact_contact_counts(${c.id}::uuid)`.execute(db);
    expect(await kept()).toEqual(await live());
    const left = await db.selectFrom('reporting_contact_deltas').select('seq').where('campaign_id', '=', c.id).execute();
    expect(left).toEqual([]);
    expect((await getCampaignStats(db, c.id)).contacts.byState).toEqual({ completed: 9, in_progress: 10, pending: 26 });
  });
});
