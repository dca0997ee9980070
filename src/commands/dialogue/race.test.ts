/**
 * The call's final status and the dialogue's own ending race. These tests force
 * every interleaving at transaction granularity, deterministically: a gated
 * interpreter holds a turn between loading its state and committing it, and a
 * gated wait holds the status callback between recording the final status and
 * settling the call after the grace.
 *
 *   T1  the turn has loaded the dialogue state (its interpretation is running)
 *   T2  the turn commits (its outcome, if the step ended the dialogue)
 *   S1  the final status is recorded
 *   S2  the grace after the final status is over: the call is settled
 *
 * Invariants after every order (`expectSettled`):
 * - the attempt has exactly one outcome, the contact is no longer in progress;
 * - the contact has exactly one final event when it is finished (completed,
 *   refused, or not reached for good) and none otherwise, of the matching type;
 * - a completed contact has exactly one survey response, on this attempt;
 * - the dialogue is closed; the campaign is completed once its last contact is finished.
 */
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testEngine, type TestDatabase } from '../../../test/support/db.js';
import { createCampaign, createContact } from '../../../test/support/factories.js';
import type { DB } from '../../db/schema/index.js';
import { rulesInterpreter } from '../../domain/interpreter/rules-interpreter.js';
import type { Interpreter } from '../../domain/ports/interpreter.js';
import type { CallEvent, CallStatus } from '../../domain/ports/telephony.js';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../observability/logger.js';
import { createMetrics } from '../../observability/metrics.js';
import { createReconciler } from '../../workers/reconciler.js';
import type { Telephony } from '../../domain/ports/telephony.js';
import { recordCallEvent } from '../calling/outcomes.js';
import { recordCallStatus } from './call-status.js';
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

interface Gate { readonly promise: Promise<void>; open(): void }
function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** A contact mid-call on its `attempt`-th of `maxAttempts` attempts, alone in its campaign. */
async function liveCall(opts: { attempt?: number; maxAttempts?: number } = {}) {
  const n = opts.attempt ?? 1;
  const campaign = await createCampaign(db, { status: 'running', max_attempts: opts.maxAttempts ?? 3, retry_interval_minutes: 30 });
  const contact = await createContact(db, campaign.id, { state: 'in_progress', attempts_count: n });
  for (let i = 1; i < n; i++) {
    await db.insertInto('call_attempts').values({ contact_id: contact.id, campaign_id: campaign.id, attempt_number: i, started_at: T0, outcome: 'no_answer', ended_at: T0 }).execute();
  }
  const providerCallId = `CA${contact.id.replace(/-/g, '')}`;
  const attempt = await db
    .insertInto('call_attempts')
    .values({ contact_id: contact.id, campaign_id: campaign.id, attempt_number: n, started_at: T0, provider_call_id: providerCallId })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { campaign, contact, attempt, callId: attempt.call_id, providerCallId };
}
type Call = Awaited<ReturnType<typeof liveCall>>;

const statusEvent = (c: Call, sequence: number, status: CallStatus, extra: Partial<CallEvent> = {}): CallEvent => ({
  providerCallId: c.providerCallId, sequence, status, rawStatus: status, occurredAt: at(100 + sequence), ...extra,
});
const hangUp = (c: Call, extra: Partial<CallEvent> = {}) => statusEvent(c, 3, 'completed', { answeredBy: 'human', durationSeconds: 95, ...extra });

async function say(c: Call, utterances: string[]) {
  await startDialogue(db, { callId: c.callId, now: T0 }, deps);
  let s = 1;
  for (const u of utterances) await runDialogueTurn(db, { callId: c.callId, speech: u, now: at(s++ * 10) }, deps);
}

/** A turn held inside its interpretation until released (T1 … T2). */
function heldTurn(c: Call, speech: string) {
  const entered = gate();
  const release = gate();
  const interpreter: Interpreter = {
    name: 'held',
    async interpret(input, ctx) {
      entered.open();
      await release.promise;
      return rulesInterpreter.interpret(input, ctx);
    },
  };
  let done: Promise<unknown> | undefined;
  return {
    /** T1: start the turn and wait until it has loaded its state (or returned early). */
    async load() {
      done = runDialogueTurn(db, { callId: c.callId, speech, now: at(60) }, { ...deps, interpreter });
      await Promise.race([entered.promise, done]);
    },
    /** T2: let it commit. */
    async commit() {
      release.open();
      await done;
    },
  };
}

/** A final status callback: recorded and answered (S1), settled once the grace is over (S2). */
function heldStatus(c: Call, event: CallEvent) {
  const graceOver = gate();
  let settlement: Promise<void> | undefined;
  return {
    /** S1: deliver the callback; returns once it is recorded (and answered). */
    async record() {
      const r = await recordCallStatus(db, { callId: c.callId, event }, { graceMs: 1000, now: () => at(100), wait: () => graceOver.promise });
      settlement = r.settlement;
    },
    /** S2: the grace is over. */
    async settle() {
      graceOver.open();
      await settlement;
    },
  };
}

async function facts(c: Call) {
  const attempt = await db.selectFrom('call_attempts').select(['outcome', 'error_code', 'duration_seconds', 'ended_at']).where('id', '=', c.attempt.id).executeTakeFirstOrThrow();
  const contact = await db.selectFrom('contacts').select(['state', 'closed_at', 'do_not_call', 'last_outcome', 'retry_not_before', 'attempts_count']).where('id', '=', c.contact.id).executeTakeFirstOrThrow();
  const events = (await db.selectFrom('events').select(['event_type', 'call_attempt_id']).where('contact_id', '=', c.contact.id).execute());
  const responses = await db.selectFrom('survey_responses').select('call_attempt_id').where('contact_id', '=', c.contact.id).execute();
  const dialogue = await db.selectFrom('call_dialogues').select('state').where('call_attempt_id', '=', c.attempt.id).executeTakeFirst();
  const campaign = await db.selectFrom('campaigns').select('status').where('id', '=', c.campaign.id).executeTakeFirstOrThrow();
  const excluded = await db.selectFrom('exclusion_list_entries').select('call_attempt_id').where('phone_number', '=', c.contact.phone_number).execute();
  return {
    outcome: attempt.outcome === null ? null : `${attempt.outcome}${attempt.error_code ? `/${attempt.error_code}` : ''}`,
    attempt, contact, events: events.map((e) => e.event_type), eventAttempts: events.map((e) => e.call_attempt_id), responses,
    dialogueStage: (dialogue?.state as { stage?: string } | undefined)?.stage ?? null,
    campaign: campaign.status, excluded,
  };
}

const FINAL_EVENT: Record<string, string> = { completed: 'survey.completed', refused: 'survey.refused', not_reached: 'survey.not_reached' };

async function expectSettled(c: Call) {
  const f = await facts(c);
  expect(f.outcome, 'attempt outcome').not.toBeNull();
  expect(f.contact.state, 'contact state').not.toBe('in_progress');
  const finished = f.contact.state === 'completed' || f.contact.state === 'refused' || (f.contact.state === 'not_reached' && f.contact.closed_at !== null);
  expect(f.events, 'final events').toEqual(finished ? [FINAL_EVENT[f.contact.state]] : []);
  if (finished) expect(f.eventAttempts).toEqual([c.attempt.id]);
  if (f.contact.attempts_count >= c.campaign.max_attempts && (f.contact.state === 'pending' || f.contact.state === 'not_reached')) {
    expect(f.contact, 'after its last attempt a contact not reached is closed').toMatchObject({ state: 'not_reached', closed_at: expect.any(Date) });
  }
  expect(f.responses).toEqual(f.contact.state === 'completed' ? [{ call_attempt_id: c.attempt.id }] : []);
  if (f.dialogueStage !== null) expect(f.dialogueStage, 'dialogue closed').toBe('done');
  expect(f.campaign, 'campaign').toBe(finished || f.contact.state === 'excluded' ? 'completed' : 'running');
  return f;
}

describe(`final status vs dialogue outcome (${testEngine()})`, () => {
  it('S1 T2 S2: the call ends while the last answer is being interpreted; the turn commits within the grace → completed', async () => {
    const c = await liveCall();
    await say(c, ['yes', 'seven', 'twelve']);
    const turn = heldTurn(c, 'friendlier staff');
    const status = heldStatus(c, hangUp(c));
    await turn.load();
    await status.record();
    await turn.commit();
    await status.settle();
    const f = await expectSettled(c);
    expect(f.outcome).toBe('completed');
    expect(f.attempt.duration_seconds).toBe(95);
  });

  it('S1 S2 T2: the turn is slower than the grace → break-off; the late completion changes nothing', async () => {
    const c = await liveCall();
    await say(c, ['yes', 'seven', 'twelve']);
    const turn = heldTurn(c, 'friendlier staff');
    const status = heldStatus(c, hangUp(c));
    await turn.load();
    await status.record();
    await status.settle();
    await turn.commit();
    const f = await expectSettled(c);
    expect(f.outcome).toBe('failed/break_off');
    expect(f.contact.state).toBe('pending');
  });

  it('T2 S1 S2: completion first, then the final status, a duplicate of it and a late non-final callback → completed, end facts filled', async () => {
    const c = await liveCall();
    await say(c, ['yes', 'seven', 'twelve', 'friendlier staff']);
    const status = heldStatus(c, hangUp(c));
    await status.record();
    await status.settle();
    expect((await recordCallEvent(db, { callId: c.callId, event: hangUp(c), now: at(101) })).status).toBe('duplicate');
    expect((await recordCallEvent(db, { callId: c.callId, event: statusEvent(c, 2, 'answered', { answeredBy: 'human' }), now: at(102) })).status).toBe('recorded');
    const f = await expectSettled(c);
    expect(f.outcome).toBe('completed');
    expect(f.attempt.duration_seconds).toBe(95);
  });

  it('a refusal being interpreted when the call ends → refused, one survey.refused', async () => {
    const c = await liveCall();
    await say(c, []);
    const turn = heldTurn(c, 'no thanks, not interested');
    const status = heldStatus(c, hangUp(c));
    await turn.load();
    await status.record();
    await turn.commit();
    await status.settle();
    expect((await expectSettled(c)).outcome).toBe('refused');
  });

  it('an opt-out slower than the grace: the break-off stands, but the number is excluded all the same', async () => {
    const c = await liveCall();
    await say(c, ['yes']);
    const turn = heldTurn(c, 'please do not call me again');
    const status = heldStatus(c, hangUp(c));
    await turn.load();
    await status.record();
    await status.settle();
    await turn.commit();
    const f = await expectSettled(c);
    expect(f.outcome).toBe('failed/break_off');
    expect(f.excluded).toEqual([{ call_attempt_id: c.attempt.id }]);
    expect(f.contact).toMatchObject({ do_not_call: true, state: 'excluded' });
  });

  it('hang-up mid-survey on the last attempt → not reached for good: closed, one survey.not_reached, campaign completed', async () => {
    const c = await liveCall({ attempt: 3, maxAttempts: 3 });
    await say(c, ['yes', 'seven']);
    const status = heldStatus(c, hangUp(c));
    await status.record();
    await status.settle();
    const f = await expectSettled(c);
    expect(f.outcome).toBe('failed/break_off');
    expect(f.contact.state).toBe('not_reached');
  });

  it('a callback request on the last attempt → not reached for good, closed, one survey.not_reached', async () => {
    const c = await liveCall({ attempt: 2, maxAttempts: 2 });
    await say(c, ['call me back tomorrow']);
    const f = await expectSettled(c);
    expect(f.outcome).toBe('failed/callback_requested');
    expect(f.contact.state).toBe('not_reached');
  });

  it('the same final status delivered twice at once while the dialogue is live → one break-off', async () => {
    const c = await liveCall();
    await say(c, ['yes']);
    const a = heldStatus(c, hangUp(c));
    const b = heldStatus(c, hangUp(c));
    await Promise.all([a.record(), b.record()]);
    await Promise.all([a.settle(), b.settle()]);
    expect((await expectSettled(c)).outcome).toBe('failed/break_off');
  });

  it('abandon racing the completing turn: whichever commits first decides, the other changes nothing', async () => {
    const first = await liveCall();
    await say(first, ['yes', 'seven', 'twelve']);
    const t1 = heldTurn(first, 'friendlier staff');
    await t1.load();
    expect(await abandonDialogue(db, { callId: first.callId, now: at(70) })).toBe(true);
    await t1.commit();
    expect((await expectSettled(first)).outcome).toBe('failed/break_off');

    const second = await liveCall();
    await say(second, ['yes', 'seven', 'twelve']);
    const t2 = heldTurn(second, 'friendlier staff');
    await t2.load();
    await t2.commit();
    expect(await abandonDialogue(db, { callId: second.callId, now: at(70) })).toBe(false);
    expect((await expectSettled(second)).outcome).toBe('completed');
  });

  it('answered by a machine while the dialogue runs → voicemail at once, the dialogue closed', async () => {
    const c = await liveCall();
    await say(c, ['']);
    const status = heldStatus(c, hangUp(c, { answeredBy: 'machine' }));
    await status.record();
    await status.settle();
    const f = await expectSettled(c);
    expect(f.outcome).toBe('voicemail');
    expect(f.contact).toMatchObject({ state: 'not_reached', last_outcome: 'voicemail' });
  });

  it('the call ends before the dialogue starts → break-off; the late answer webhook starts nothing', async () => {
    const c = await liveCall();
    const status = heldStatus(c, hangUp(c));
    await status.record();
    await status.settle();
    const control = await startDialogue(db, { callId: c.callId, now: at(101) }, deps);
    expect(control.hangup).toBe(true);
    const f = await expectSettled(c);
    expect(f.outcome).toBe('failed/break_off');
    expect(f.dialogueStage).toBeNull();
  });

  // Every order of T1 < T2 and S1 < S2, for every way the turn can end, on a first and a last attempt.
  const ORDERS: readonly (readonly ('T1' | 'T2' | 'S1' | 'S2')[])[] = [
    ['T1', 'T2', 'S1', 'S2'], ['T1', 'S1', 'T2', 'S2'], ['T1', 'S1', 'S2', 'T2'],
    ['S1', 'T1', 'T2', 'S2'], ['S1', 'T1', 'S2', 'T2'], ['S1', 'S2', 'T1', 'T2'],
  ];
  const ENDINGS = [
    { name: 'completed', before: ['yes', 'seven', 'twelve'], last: 'friendlier staff', expect: 'completed' },
    { name: 'refused', before: [], last: 'no thanks', expect: 'refused' },
    { name: 'stopped', before: ['yes', 'seven'], last: 'basta, arrivederci', expect: 'refused' },
    { name: 'opt-out', before: ['yes'], last: 'do not call me again', expect: 'refused/opt_out' },
    { name: 'callback', before: ['yes'], last: 'call me back tomorrow', expect: 'failed/callback_requested' },
    { name: 'no response', before: [''], last: '', expect: 'failed/no_response' },
    { name: 'answer (not the end)', before: ['yes'], last: 'seven', expect: null },
  ] as const;
  it('every interleaving ends with one outcome and one final event at most (exhaustive)', async () => {
    for (const ending of ENDINGS) {
      for (const last of [false, true]) {
        for (const order of ORDERS) {
          const c = await liveCall(last ? { attempt: 2, maxAttempts: 2 } : {});
          await say(c, [...ending.before]);
          const turn = heldTurn(c, ending.last);
          const status = heldStatus(c, hangUp(c));
          for (const s of order) {
            if (s === 'T1') await turn.load();
            else if (s === 'T2') await turn.commit();
            else if (s === 'S1') await status.record();
            else await status.settle();
          }
          const label = `${ending.name}, ${last ? 'last' : 'first'} attempt, ${order.join(' ')}`;
          const f = await expectSettled(c).catch((err: unknown) => {
            throw new Error(`${label}: ${err instanceof Error ? err.message : String(err)}`);
          });
          // The turn's ending counts when it committed before the grace was over (silence is not
          // interpreted, so that turn commits as soon as it starts).
          const turnInTime = order.indexOf(ending.last === '' ? 'T1' : 'T2') < order.indexOf('S2');
          expect(f.outcome, label).toBe(turnInTime && ending.expect ? ending.expect : 'failed/break_off');
          if (ending.name === 'opt-out') expect(f.excluded, label).toEqual([{ call_attempt_id: c.attempt.id }]);
        }
      }
    }
  }, 120_000);
});

describe(`the reconciler as the safety net (${testEngine()})`, () => {
  const later = new Date(T0.getTime() + 3 * 3600_000);
  function reconciler(provider: Record<string, string>, opts: { staleAfterSeconds?: number } = {}) {
    const asked: string[] = [];
    const hungUp: string[] = [];
    const telephony = {
      async fetchCall(id: string) {
        asked.push(id);
        return provider[id] ? { status: provider[id], durationSeconds: 80, answeredBy: 'human' } : null;
      },
      async hangUp(id: string) {
        hungUp.push(id);
      },
    } as unknown as Telephony;
    const r = createReconciler({
      db, telephony, clock: { now: () => later }, log: createLogger({ level: 'silent' }), metrics: createMetrics(),
      config: loadConfig({}).calling, ...opts,
    });
    return { r, asked, hungUp };
  }

  it('no final status ever arrived and the provider says the person hung up → break-off closed by the dialogue', async () => {
    const c = await liveCall();
    await say(c, ['yes', 'seven']);
    const { r } = reconciler({ [c.providerCallId]: 'completed' });
    await r.tick();
    const f = await expectSettled(c);
    expect(f.outcome).toBe('failed/break_off');
    expect(f.contact.state).toBe('pending');
  });

  it('the provider does not know the call → reconciled_timeout, the dialogue closed; a late turn changes nothing', async () => {
    const c = await liveCall({ attempt: 2, maxAttempts: 2 });
    await say(c, ['yes']);
    const { r } = reconciler({});
    await r.tick();
    await runDialogueTurn(db, { callId: c.callId, speech: 'seven', now: later }, deps);
    const f = await expectSettled(c);
    expect(f.outcome).toBe('failed/reconciled_timeout');
    expect(f.contact.state).toBe('not_reached');
  });

  it('the status was recorded but the process died during the grace → settled after the margin, the provider not asked', async () => {
    const c = await liveCall();
    await say(c, ['yes']);
    const recorded = await recordCallEvent(db, { callId: c.callId, event: hangUp(c), now: at(103) });
    expect(recorded).toMatchObject({ status: 'recorded', awaitingDialogue: true });
    expect((await facts(c)).outcome).toBeNull();
    const { r, asked, hungUp } = reconciler({}, { staleAfterSeconds: 24 * 3600 });
    await r.tick();
    expect(asked).toEqual([]);
    expect(hungUp).toEqual([]);
    const f = await expectSettled(c);
    expect(f.outcome).toBe('failed/break_off');
    expect(f.attempt.duration_seconds).toBe(95);
  });
});
