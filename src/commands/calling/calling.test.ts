import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabase, inRolledBackTransaction, testEngine, type TestDatabase } from '../../../test/support/db.js';
import { createCampaign, createContact, uniquePhone } from '../../../test/support/factories.js';
import type { DB } from '../../db/schema/index.js';
import { eligibility } from '../../domain/calling/eligibility.js';
import type { CallEvent, CallStatus } from '../../domain/ports/telephony.js';
import { claimDueContacts, countActiveAttempts, type ClaimedCall } from './claim.js';
import {
  applyPatch, completeCampaignIfFinished, findStaleAttempts, findUnplacedClaims, lockAttempt, reconcileAttempt, recordCallEvent, recordPlacement,
  recordPlacementFailure, releaseClaim,
} from './outcomes.js';

let t: TestDatabase;
let db: Kysely<DB>;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
});
afterAll(() => t.close());

// Monday 2 March 2026, 11:00 in Rome.
const NOW = new Date('2026-03-02T10:00:00Z');
const claim = (limit = 100, now = NOW, guardMinutes = 5) => db.transaction().execute((trx) => claimDueContacts(trx, { limit, now, guardMinutes }));
const ev = (providerCallId: string, sequence: number, status: CallStatus, extra: Partial<CallEvent> = {}): CallEvent => ({
  providerCallId, sequence, status, rawStatus: status, occurredAt: new Date(NOW.getTime() + sequence * 1000), ...extra,
});

beforeEach(async () => {
  // Each test starts with no running campaign left over.
  await db.updateTable('campaigns').set({ status: 'cancelled' }).where('status', 'in', ['running', 'paused']).execute();
});

describe('claimDueContacts', () => {
  it('claims an eligible contact once: attempt counted, in_progress, attempt row with a fresh call id', async () => {
    const c = await createCampaign(db, { status: 'running' });
    const k = await createContact(db, c.id);
    const claimed = await claim();
    expect(claimed).toHaveLength(1);
    expect(claimed[0]).toMatchObject({ contactId: k.id, campaignId: c.id, attemptNumber: 1, phoneNumber: k.phone_number });
    const row = await db.selectFrom('contacts').selectAll().where('id', '=', k.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'in_progress', attempts_count: 1 });
    expect(row.last_attempt_at).toEqual(NOW);
    const a = await db.selectFrom('call_attempts').selectAll().where('id', '=', claimed[0]!.attemptId).executeTakeFirstOrThrow();
    expect(a).toMatchObject({ call_id: claimed[0]!.callId, attempt_number: 1, outcome: null });
    expect(await claim()).toEqual([]);
    expect(await countActiveAttempts(db)).toBe(1);
  });

  it('respects the limit and never hands the same contact to two concurrent claimers', async () => {
    const c = await createCampaign(db, { status: 'running' });
    for (let i = 0; i < 12; i++) await createContact(db, c.id);
    const first = await claim(5);
    expect(first).toHaveLength(5);
    const rest = await claim(100);
    expect(rest).toHaveLength(7);
    expect(new Set([...first, ...rest].map((x) => x.contactId)).size).toBe(12);
  });

  it('applies every eligibility rule in SQL exactly like the pure rule', async () => {
    const c = await createCampaign(db, { status: 'running', max_attempts: 3, retry_interval_minutes: 60, allowed_weekdays: [1, 2, 3, 4, 5, 6] });
    const excludedPhone = uniquePhone();
    await db.insertInto('exclusion_list_entries').values({ phone_number: excludedPhone }).execute();
    const cases: [string, Parameters<typeof createContact>[2]][] = [
      ['due', {}],
      ['dnc', { do_not_call: true }],
      ['no consent', { has_prior_consent: false }],
      ['excluded', { phone_number: excludedPhone }],
      ['exhausted', { state: 'not_reached', attempts_count: 3, last_attempt_at: new Date('2026-03-01T00:00:00Z') }],
      ['retry later', { state: 'not_reached', attempts_count: 1, last_attempt_at: new Date(NOW.getTime() - 30 * 60_000) }],
      ['retry now', { state: 'not_reached', attempts_count: 1, last_attempt_at: new Date(NOW.getTime() - 61 * 60_000) }],
      ['callback later', { retry_not_before: new Date(NOW.getTime() + 60_000) }],
      ['closed', { state: 'not_reached', attempts_count: 1, last_attempt_at: new Date('2026-03-01T00:00:00Z'), closed_at: new Date('2026-03-01T00:00:00Z') } as never],
      ['completed', { state: 'completed' }],
      ['auckland zone (23:00 there)', { timezone: 'Pacific/Auckland' }],
      ['new york zone (05:00 there)', { timezone: 'America/New_York' }],
      ['bad zone falls back to the number (Rome)', { timezone: 'Mars/Base' }],
      ['UK number (10:00 London)', { phone_number: uniquePhone('+44791') }],
      ['US number: campaign zone', { phone_number: uniquePhone('+1202') }],
    ];
    const byId = new Map<string, string>();
    const rows = [];
    for (const [name, o] of cases) {
      const k = await createContact(db, c.id, o);
      byId.set(k.id, name);
      rows.push(k);
    }
    const claimed = new Set((await claim()).map((x) => byId.get(x.contactId)));
    for (const k of rows) {
      const verdict = eligibility(NOW, {
        status: 'running', maxAttempts: 3, retryIntervalMinutes: 60, requirePriorConsent: true, timezone: c.timezone,
        window: { start: c.allowed_call_start_local, end: c.allowed_call_end_local, allowedWeekdays: c.allowed_weekdays },
      }, {
        state: k.state, attemptsCount: k.attempts_count, lastAttemptAt: k.last_attempt_at, retryNotBefore: k.retry_not_before,
        closedAt: (k as { closed_at?: Date | null }).closed_at ?? null, doNotCall: k.do_not_call, hasPriorConsent: k.has_prior_consent,
        phoneNumber: k.phone_number, timezone: k.timezone,
      }, { excluded: k.phone_number === excludedPhone, guardMinutes: 5 });
      expect(claimed.has(byId.get(k.id)), byId.get(k.id)).toBe(verdict.eligible);
    }
    expect([...claimed].sort()).toEqual(['UK number (10:00 London)', 'US number: campaign zone', 'bad zone falls back to the number (Rome)', 'due', 'retry now'].sort());
  });

  it('matches the pure window rule across a DST-change week in Rome, minute by minute at the edges', async () => {
    const c = await createCampaign(db, { status: 'running', allowed_weekdays: [1, 2, 3, 4, 5, 6, 7], retry_interval_minutes: 0, max_attempts: 5 });
    await createContact(db, c.id);
    const instants = ['2026-03-29T06:59:00Z', '2026-03-29T07:00:00Z', '2026-03-29T17:54:00Z', '2026-03-29T17:55:00Z',
      '2026-10-25T07:59:00Z', '2026-10-25T08:00:00Z', '2026-10-25T18:54:00Z', '2026-10-25T18:55:00Z'];
    const got: number[] = [];
    for (const iso of instants) {
      // Claim inside a transaction that is then rolled back, so every instant sees the same contact.
      const claimed = await inRolledBackTransaction(db, (trx) => claimDueContacts(trx, { limit: 1, now: new Date(iso), guardMinutes: 5 }));
      got.push(claimed.length);
    }
    expect(got.map((n) => n !== 0)).toEqual([false, true, true, false, false, true, true, false]);
  });

  it('stops claiming for a paused campaign', async () => {
    const c = await createCampaign(db, { status: 'paused' });
    await createContact(db, c.id);
    expect(await claim()).toEqual([]);
  });
});

describe('placement and call events', () => {
  async function oneClaim(overrides: Parameters<typeof createCampaign>[1] = {}) {
    const c = await createCampaign(db, { status: 'running', max_attempts: 2, retry_interval_minutes: 1, ...overrides });
    const k = await createContact(db, c.id);
    const [x] = await claim();
    return { c, k, x: x! };
  }
  const contact = (id: string) => db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const attempt = (id: string) => db.selectFrom('call_attempts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('no answer: retryable not_reached; second no answer: final with survey.not_reached and campaign completed', async () => {
    const { c, k, x } = await oneClaim();
    await recordPlacement(db, { attemptId: x.attemptId, providerCallId: 'CA-a1', now: NOW });
    for (const e of [ev('CA-a1', 0, 'initiated'), ev('CA-a1', 1, 'ringing'), ev('CA-a1', 2, 'no_answer')]) {
      expect((await recordCallEvent(db, { callId: x.callId, event: e, now: NOW })).status).toBe('recorded');
    }
    expect(await contact(k.id)).toMatchObject({ state: 'not_reached', last_outcome: 'no_answer', closed_at: null });
    expect(await attempt(x.attemptId)).toMatchObject({ outcome: 'no_answer', call_status: 'no_answer', last_sequence: 2, placed_at: NOW });

    const later = new Date(NOW.getTime() + 2 * 60_000);
    const [y] = await claim(10, later);
    expect(y).toMatchObject({ contactId: k.id, attemptNumber: 2 });
    const r = await recordCallEvent(db, { callId: y!.callId, event: ev('CA-a2', 2, 'busy'), now: later });
    expect(r).toMatchObject({ status: 'recorded', outcome: 'busy', contactFinal: true, campaignCompleted: true });
    expect(await contact(k.id)).toMatchObject({ state: 'not_reached', last_outcome: 'busy' });
    expect((await contact(k.id)).closed_at).not.toBeNull();
    const events = await db.selectFrom('events').selectAll().where('contact_id', '=', k.id).execute();
    expect(events.map((e) => e.event_type)).toEqual(['survey.not_reached']);
    expect((await db.selectFrom('campaigns').select('status').where('id', '=', c.id).executeTakeFirstOrThrow()).status).toBe('completed');
  });

  it('duplicates are no-ops; an unknown call id or a foreign provider id is unknown', async () => {
    const { x } = await oneClaim();
    await recordPlacement(db, { attemptId: x.attemptId, providerCallId: 'CA-d', now: NOW });
    expect((await recordCallEvent(db, { callId: x.callId, event: ev('CA-d', 1, 'ringing'), now: NOW })).status).toBe('recorded');
    expect((await recordCallEvent(db, { callId: x.callId, event: ev('CA-d', 1, 'ringing'), now: NOW })).status).toBe('duplicate');
    expect((await recordCallEvent(db, { callId: 'nope', event: ev('CA-d', 2, 'busy'), now: NOW })).status).toBe('unknown_call');
    expect((await recordCallEvent(db, { callId: x.callId, event: ev('CA-other', 2, 'busy'), now: NOW })).status).toBe('unknown_call');
    expect(await db.selectFrom('call_events').select('id').where('provider_call_id', '=', 'CA-d').execute()).toHaveLength(1);
  });

  it('callbacks before the placement is recorded set the provider id, and the placement keeps it', async () => {
    const { x } = await oneClaim();
    await recordCallEvent(db, { callId: x.callId, event: ev('CA-early', 0, 'initiated'), now: NOW });
    await recordPlacement(db, { attemptId: x.attemptId, providerCallId: 'CA-early', now: NOW });
    expect(await attempt(x.attemptId)).toMatchObject({ provider_call_id: 'CA-early', call_status: 'initiated' });
  });

  it('answered by a machine: voicemail, retryable', async () => {
    const { k, x } = await oneClaim();
    await recordCallEvent(db, { callId: x.callId, event: ev('CA-vm', 2, 'answered', { answeredBy: 'machine' }), now: NOW });
    await recordCallEvent(db, { callId: x.callId, event: ev('CA-vm', 3, 'completed', { answeredBy: 'machine', durationSeconds: 12 }), now: NOW });
    expect(await attempt(x.attemptId)).toMatchObject({ outcome: 'voicemail', answered_by: 'machine', duration_seconds: 12 });
    expect(await contact(k.id)).toMatchObject({ state: 'not_reached', last_outcome: 'voicemail', closed_at: null });
  });

  it('answered and completed at the carrier without a dialogue outcome: break-off, retryable', async () => {
    const { k, x } = await oneClaim();
    await recordCallEvent(db, { callId: x.callId, event: ev('CA-bo', 2, 'answered', { answeredBy: 'human' }), now: NOW });
    await recordCallEvent(db, { callId: x.callId, event: ev('CA-bo', 3, 'completed', { durationSeconds: 30 }), now: NOW });
    expect(await attempt(x.attemptId)).toMatchObject({ outcome: 'failed', error_code: 'break_off' });
    expect(await contact(k.id)).toMatchObject({ state: 'not_reached', last_outcome: 'failed' });
  });

  it('a dialogue outcome already recorded is never overwritten by the carrier', async () => {
    const { k, x } = await oneClaim();
    await db.updateTable('call_attempts').set({ outcome: 'completed' }).where('id', '=', x.attemptId).execute();
    await db.updateTable('contacts').set({ state: 'completed', last_outcome: 'completed' }).where('id', '=', k.id).execute();
    await recordCallEvent(db, { callId: x.callId, event: ev('CA-dl', 3, 'completed', { durationSeconds: 90 }), now: NOW });
    expect(await attempt(x.attemptId)).toMatchObject({ outcome: 'completed', duration_seconds: 90 });
    expect(await contact(k.id)).toMatchObject({ state: 'completed' });
  });

  it('a call the dialogue ended holds its slot until the carrier reports its end (at most carrierEndMs), then the cooldown', async () => {
    const { x } = await oneClaim();
    // Far from the other tests' attempts, which then only count while open.
    const T = new Date('2031-01-06T10:00:00Z');
    const event = (sequence: number, status: CallStatus, extra: Partial<CallEvent> = {}): CallEvent => ({
      providerCallId: 'CA-slot', sequence, status, rawStatus: status, occurredAt: new Date(T.getTime() + sequence * 1000), ...extra,
    });
    await recordPlacement(db, { attemptId: x.attemptId, providerCallId: 'CA-slot', now: T });
    await recordCallEvent(db, { callId: x.callId, event: event(2, 'answered', { answeredBy: 'human' }), now: T });
    // The dialogue completed the survey at T + 2.5 s and said goodbye.
    await db.updateTable('call_attempts').set({ outcome: 'completed', ended_at: new Date(T.getTime() + 2500) }).where('id', '=', x.attemptId).execute();
    const open = await countActiveAttempts(db);
    const active = async (ms: number) => (await countActiveAttempts(db, { now: new Date(T.getTime() + ms), cooldownMs: 1000, carrierEndMs: 120_000 })) - open;
    expect(await active(10_000)).toBe(1);
    expect(await active(130_000)).toBe(0);
    // The carrier's final status (the call ended at T + 3 s): the cooldown counts from there.
    await recordCallEvent(db, { callId: x.callId, event: event(3, 'completed', { durationSeconds: 30 }), now: T });
    expect(await attempt(x.attemptId)).toMatchObject({ outcome: 'completed', call_status: 'completed', last_sequence: 3, ended_at: new Date(T.getTime() + 3000) });
    expect(await active(3500)).toBe(1);
    expect(await active(4500)).toBe(0);
  });

  it('permanent placement failure: attempt failed with the code, contact closed, survey.not_reached', async () => {
    const { k, x } = await oneClaim({ max_attempts: 5 });
    const r = await recordPlacementFailure(db, { attemptId: x.attemptId, permanent: true, errorCode: '21211', now: NOW, retryNotBefore: NOW });
    expect(r).toMatchObject({ outcome: 'failed', contactFinal: true });
    expect(await attempt(x.attemptId)).toMatchObject({ outcome: 'failed', error_code: '21211' });
    expect(await contact(k.id)).toMatchObject({ state: 'not_reached', attempts_count: 1, last_outcome: 'failed' });
    expect(await db.selectFrom('events').select('event_type').where('contact_id', '=', k.id).execute()).toEqual([{ event_type: 'survey.not_reached' }]);
  });

  it('transient placement failure: claim released, attempt not counted, retried after the backoff', async () => {
    const { k, x } = await oneClaim();
    const retryAt = new Date(NOW.getTime() + 30_000);
    expect(await recordPlacementFailure(db, { attemptId: x.attemptId, permanent: false, errorCode: '20429', now: NOW, retryNotBefore: retryAt })).toEqual({ released: true });
    expect(await contact(k.id)).toMatchObject({ state: 'pending', attempts_count: 0, last_attempt_at: null, retry_not_before: retryAt });
    expect(await db.selectFrom('call_attempts').select('id').where('contact_id', '=', k.id).execute()).toEqual([]);
    expect(await claim(10, NOW)).toEqual([]);
    expect(await claim(10, retryAt)).toHaveLength(1);
  });

  it('reconciliation: unplaced claims are released, stale calls asked of the provider or closed as reconciled_timeout', async () => {
    const { k, x } = await oneClaim({ max_attempts: 3 });
    const later = new Date(NOW.getTime() + 60 * 60_000);
    expect((await findUnplacedClaims(db, { claimedBefore: later, limit: 1000 })).map((r) => r.id)).toContain(x.attemptId);
    expect(await releaseClaim(db, { attemptId: x.attemptId, retryNotBefore: null })).toBe(true);
    expect(await contact(k.id)).toMatchObject({ state: 'pending', attempts_count: 0 });

    const [y] = await claim(10, NOW);
    await recordPlacement(db, { attemptId: y!.attemptId, providerCallId: 'CA-stale', now: NOW });
    expect((await findStaleAttempts(db, { startedBefore: later, limit: 1000 })).map((r) => r.id)).toContain(y!.attemptId);
    await reconcileAttempt(db, { attemptId: y!.attemptId, now: later, fetched: { status: 'ringing' } });
    expect(await attempt(y!.attemptId)).toMatchObject({ outcome: 'failed', error_code: 'reconciled_timeout' });
    expect(await contact(k.id)).toMatchObject({ state: 'not_reached', last_outcome: 'failed', closed_at: null });

    const [z] = await claim(10, new Date(later.getTime() + 61 * 60_000));
    await recordPlacement(db, { attemptId: z!.attemptId, providerCallId: 'CA-stale2', now: later });
    await reconcileAttempt(db, { attemptId: z!.attemptId, now: later, fetched: { status: 'busy' } });
    expect(await attempt(z!.attemptId)).toMatchObject({ outcome: 'busy' });
  });
});

describe('campaign completion after the ending commits', () => {
  /** A running campaign whose two contacts are both on a call, on their last allowed attempt. */
  async function lastTwo() {
    const c = await createCampaign(db, { status: 'running', max_attempts: 1 });
    await createContact(db, c.id);
    await createContact(db, c.id);
    const xs = (await claim()).filter((x) => x.campaignId === c.id);
    expect(xs).toHaveLength(2);
    return { c, xs: xs as [ClaimedCall, ClaimedCall] };
  }
  const status = async (id: string) => (await db.selectFrom('campaigns').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

  /** A call ending's transaction (what `recordCallEvent` writes for a busy line), left open until `commit()`. */
  async function openEnding(attemptId: string) {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let applied!: () => void;
    const ready = new Promise<void>((r) => (applied = r));
    const done = db.transaction().execute(async (trx) => {
      const a = await lockAttempt(trx, { id: attemptId });
      const change = await applyPatch(trx, a!, { outcome: 'busy', callStatus: 'busy', endedAt: NOW }, { now: NOW });
      applied();
      await gate;
      return change;
    });
    await Promise.race([ready, done]);
    return {
      commit: () => {
        release();
        return done;
      },
    };
  }

  it.runIf(testEngine() === 'postgres')('an ending does not wait for another ending of the same campaign that has not committed yet', async () => {
    const { c, xs } = await lastTwo();
    // The second ending on its own connection, which gives up on any lock after a second.
    const other = await t.connectAgain(1);
    await sql`SET lock_timeout = '1s'`.execute(other);
    const first = await openEnding(xs[0].attemptId);
    let second: Awaited<ReturnType<typeof recordCallEvent>>;
    try {
      second = await recordCallEvent(other, { callId: xs[1].callId, event: ev('CA-open-b', 0, 'busy'), now: NOW });
    } finally {
      expect(await first.commit()).toMatchObject({ outcome: 'busy', contactFinal: true });
    }
    // It closed its contact; the first contact was still on its call as far as it could see.
    expect(second).toMatchObject({ status: 'recorded', outcome: 'busy', contactFinal: true, campaignCompleted: false });
    expect(await status(c.id)).toBe('running');
    // The first ending's check, after its own commit (as `recordCallEvent` runs it), sees both closed.
    expect(await completeCampaignIfFinished(db, c.id)).toBe(true);
    expect(await status(c.id)).toBe('completed');
  });

  it('the last contacts of campaigns ending all at once complete every campaign, each reported by exactly one ending', async () => {
    const campaigns = [];
    for (let i = 0; i < 6; i++) campaigns.push((await lastTwo()).c.id);
    const xs = (await db.selectFrom('call_attempts').select(['id', 'call_id', 'campaign_id']).where('campaign_id', 'in', campaigns).execute());
    expect(xs).toHaveLength(12);
    // Half end on a status callback, half on a permanent placement failure, all concurrently.
    const results = await Promise.all(xs.map(async (x, i) => ({
      campaignId: x.campaign_id,
      r: i % 2 === 0
        ? await recordCallEvent(db, { callId: x.call_id, event: ev(`CA-last-${i}`, 0, 'busy'), now: NOW })
        : await recordPlacementFailure(db, { attemptId: x.id, permanent: true, errorCode: '21211', now: NOW, retryNotBefore: NOW }),
    })));
    for (const id of campaigns) {
      const mine = results.filter((x) => x.campaignId === id).map((x) => x.r);
      expect(mine).toHaveLength(2);
      for (const r of mine) expect(r).toMatchObject({ contactFinal: true });
      expect(mine.filter((r) => 'campaignCompleted' in r && r.campaignCompleted)).toHaveLength(1);
      expect(await status(id)).toBe('completed');
    }
  });
});
