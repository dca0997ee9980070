/**
 * Opt-outs of one number racing each other and the other ways a number is
 * excluded (POST /api/exclusions, a list import, the periodic re-check), on
 * PostgreSQL: each pair must both commit — no "deadlock detected" — and leave
 * every dialable contact of the number excluded.
 *
 * Deterministic: a third session holds contact rows (as a claim or a status
 * callback may) until both flows are waiting, then lets go. Both then resume
 * together, each at the point where it first needed one of those rows. Before
 * the lock order of src/commands/exclusions/number-lock.ts, five of these pairs
 * locked the number's contacts in opposite orders here, and PostgreSQL aborted
 * one of each as a deadlock (two opt-outs ending live calls did not: their own
 * contacts are in progress, which no other opt-out locks; kept as a guard).
 *
 * PostgreSQL only: PGlite is one session, nothing can race.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testEngine, type TestDatabase } from '../../../test/support/db.js';
import { createCampaign, createContact, uniquePhone } from '../../../test/support/factories.js';
import type { DB } from '../../db/schema/index.js';
import { addExclusion, importExclusions, recheckExclusions } from '../exclusions/exclusions.js';
import type { DialogueDeps } from './context.js';
import { abandonDialogue, runDialogueTurn, startDialogue } from './turn.js';

let t: TestDatabase;
let db: Kysely<DB>;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
});
afterAll(() => t.close());

const deps: DialogueDeps = { actionUrl: (id) => `/webhooks/telephony/speech/${id}` };
const T0 = new Date('2026-11-27T09:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const OPT_OUT = 'please do not call me again';

/** Attempt `n` of `contactId` is live: claimed, answered, consent given (the dialogue is at Q1). */
async function answer(contactId: string, campaignId: string, n: number) {
  await db.updateTable('contacts').set({ state: 'in_progress', attempts_count: n }).where('id', '=', contactId).execute();
  const attempt = await db
    .insertInto('call_attempts')
    .values({ contact_id: contactId, campaign_id: campaignId, attempt_number: n, started_at: T0, provider_call_id: `CA${n}${contactId.replace(/-/g, '')}` })
    .returningAll()
    .executeTakeFirstOrThrow();
  await startDialogue(db, { callId: attempt.call_id, now: T0 }, deps);
  await runDialogueTurn(db, { callId: attempt.call_id, speech: 'yes', now: at(10) }, deps);
  return attempt;
}

/** A contact of `phone` in a campaign of its own, whose first call is live. */
async function liveCall(phone: string, id: string = randomUUID()) {
  const campaign = await createCampaign(db, { status: 'running', max_attempts: 3, retry_interval_minutes: 30 });
  const contact = await createContact(db, campaign.id, { id, phone_number: phone, state: 'pending' });
  const attempt = await answer(contact.id, campaign.id, 1);
  return { campaign, contact, attempt, callId: attempt.call_id };
}
type Call = Awaited<ReturnType<typeof liveCall>>;

/** The person hung up and the grace is over: break-off, the contact is pending again. */
const hangUp = (c: { callId: string }) => abandonDialogue(db, { callId: c.callId, now: at(60) });

/** "Don't call me again", arriving after the call was closed: honoured in a transaction of its own. */
const lateOptOut = (c: Call) => runDialogueTurn(db, { callId: c.callId, speech: OPT_OUT, now: at(70) }, deps);

/**
 * The same person called by two campaigns at once. While both calls are live
 * the number joins the exclusion list (contacts on a call are left alone);
 * then both calls break off, so both contacts are dialable again — with the
 * number listed (the periodic re-check would exclude them later).
 */
async function twoBrokenOffCalls() {
  const phone = uniquePhone();
  // The second contact has the smaller id: id order is not the order the rows were stored in.
  const [low, high] = [randomUUID(), randomUUID()].sort();
  const calls = [await liveCall(phone, high!), await liveCall(phone, low!)] as const;
  await addExclusion(db, { phoneNumber: phone, reason: 'listed during the calls' });
  for (const c of calls) expect(await hangUp(c)).toBe(true);
  return { phone, calls };
}

/** Sessions of this database waiting for a lock (a row, a tuple, an advisory lock, a transaction). */
async function lockWaiters(): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
  return r.rows[0]!.n;
}

/** Resolves once at least `n` sessions wait for a lock, or `flow` has settled (a flow that never waits). */
async function untilWaiting(n: number, flow?: Promise<unknown>): Promise<void> {
  let settled = false;
  void flow?.then(() => (settled = true), () => (settled = true));
  for (let i = 0; i < 400; i++) {
    if (settled || (await lockWaiters()) >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`expected ${n} sessions waiting for a lock`);
}

/**
 * Holds `contactIds` locked in a third session while `flows` start one after
 * the other (each once the previous one waits), then lets go. Returns how each
 * flow ended: 'ok' or its error message.
 */
async function race(contactIds: string[], flows: (() => Promise<unknown>)[]): Promise<string[]> {
  const holder = await t.connectAgain(1);
  try {
    await sql`begin`.execute(holder);
    await sql`select id from contacts where id in (${sql.join(contactIds)}) order by id for update`.execute(holder);
    const running: Promise<string>[] = [];
    for (const flow of flows) {
      const p = flow().then(() => 'ok', (e: unknown) => (e instanceof Error ? e.message : String(e)));
      running.push(p);
      await untilWaiting(running.length, p);
    }
    await sql`commit`.execute(holder);
    return await Promise.all(running);
  } finally {
    await holder.destroy();
  }
}

async function contactsOf(phone: string) {
  return db.selectFrom('contacts').select(['id', 'state', 'do_not_call']).where('phone_number', '=', phone).orderBy('id').execute();
}

describe.runIf(testEngine() === 'postgres')('opt-outs of one number, concurrently (PostgreSQL)', () => {
  it('two late opt-outs of one number in two campaigns both commit; both contacts excluded', async () => {
    const { phone, calls } = await twoBrokenOffCalls();
    const [a, b] = calls;
    const outcomes = await race([a.contact.id, b.contact.id], [() => lateOptOut(a), () => lateOptOut(b)]);
    expect(outcomes).toEqual(['ok', 'ok']);
    expect(await contactsOf(phone)).toEqual(
      [a.contact.id, b.contact.id].sort().map((id) => ({ id, state: 'excluded', do_not_call: true })),
    );
  });

  it('two opt-outs ending live calls of one number in two campaigns both commit, with a third campaign\'s contact excluded', async () => {
    const phone = uniquePhone();
    const [a, b] = [await liveCall(phone), await liveCall(phone)];
    const waiting = await createContact(db, (await createCampaign(db, { status: 'running' })).id, { phone_number: phone, state: 'pending' });
    const outcomes = await race([a.contact.id, b.contact.id, waiting.id], [
      () => runDialogueTurn(db, { callId: a.callId, speech: OPT_OUT, now: at(20) }, deps),
      () => runDialogueTurn(db, { callId: b.callId, speech: OPT_OUT, now: at(20) }, deps),
    ]);
    expect(outcomes).toEqual(['ok', 'ok']);
    const states = Object.fromEntries((await contactsOf(phone)).map((c) => [c.id, `${c.state}${c.do_not_call ? '/dnc' : ''}`]));
    expect(states).toEqual({ [a.contact.id]: 'refused/dnc', [b.contact.id]: 'refused/dnc', [waiting.id]: 'excluded/dnc' });
  });

  // The other flow locks the number's contacts with one statement, in its own order: whichever
  // contact the opt-out owns, neither may abort.
  const others = {
    'POST /api/exclusions (the number again)': (phone: string) => addExclusion(db, { phoneNumber: phone, reason: 'asked again' }),
    'an exclusion list import': (phone: string) => importExclusions(db, { source: (async function* () { yield Buffer.from(`phone_number\n${phone}\n`); })(), maxBytes: 1 << 20 }),
    'the periodic re-check': () => recheckExclusions(db),
  };
  for (const [name, other] of Object.entries(others)) {
    for (const own of [0, 1] as const) {
      it(`a late opt-out (of the ${own === 0 ? 'first' : 'second'} contact) and ${name} both commit`, async () => {
        const { phone, calls } = await twoBrokenOffCalls();
        const mine = calls[own];
        const outcomes = await race([mine.contact.id], [() => lateOptOut(mine), () => other(phone)]);
        expect(outcomes).toEqual(['ok', 'ok']);
        const contacts = await contactsOf(phone);
        expect(contacts.map((c) => c.state)).toEqual(['excluded', 'excluded']);
        expect(contacts.find((c) => c.id === mine.contact.id)!.do_not_call).toBe(true);
      });
    }
  }

  it('an opt-out ending a live call and a late opt-out from the same contact\'s earlier call both commit', async () => {
    const phone = uniquePhone();
    const first = await liveCall(phone);
    expect(await hangUp(first)).toBe(true);
    const elsewhere = await createContact(db, (await createCampaign(db, { status: 'running' })).id, { phone_number: phone, state: 'pending' });
    // Called again later; the person opts out on this call just as the last words of the first call arrive.
    const second = await answer(first.contact.id, first.campaign.id, 2);
    const outcomes = await race([first.contact.id], [
      () => runDialogueTurn(db, { callId: second.call_id, speech: OPT_OUT, now: at(4000) }, deps),
      () => lateOptOut(first),
    ]);
    expect(outcomes).toEqual(['ok', 'ok']);
    const c = await db.selectFrom('contacts').select(['state', 'do_not_call']).where('id', '=', first.contact.id).executeTakeFirstOrThrow();
    expect(c).toEqual({ state: 'refused', do_not_call: true });
    const a = await db.selectFrom('call_attempts').select(['outcome', 'error_code']).where('id', '=', second.id).executeTakeFirstOrThrow();
    expect(a).toEqual({ outcome: 'refused', error_code: 'opt_out' });
    expect((await contactsOf(phone)).find((x) => x.id === elsewhere.id)).toMatchObject({ state: 'excluded', do_not_call: true });
    const entry = await db.selectFrom('exclusion_list_entries').select('call_attempt_id').where('phone_number', '=', phone).executeTakeFirstOrThrow();
    expect([first.attempt.id, second.id]).toContain(entry.call_attempt_id);
  });
});
