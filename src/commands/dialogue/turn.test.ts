import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testEngine, type TestDatabase } from '../../../test/support/db.js';
import { createCampaign, createContact } from '../../../test/support/factories.js';
import type { DB } from '../../db/schema/index.js';
import type { Interpreter } from '../../domain/ports/interpreter.js';
import { abandonDialogue, runDialogueTurn, startDialogue } from './turn.js';
import type { DialogueDeps } from './context.js';

let t: TestDatabase;
let db: Kysely<DB>;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
});
afterAll(() => t.close());

const deps: DialogueDeps = { actionUrl: (id) => `/webhooks/telephony/speech/${id}`, voices: { it: 'Polly.Bianca-Neural' } };
const T0 = new Date('2026-11-27T09:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

/** A contact mid-call: attempt claimed, contact in progress. */
async function liveCall(opts: { language?: 'en' | 'it'; attempts?: number; maxAttempts?: number; phone?: string } = {}) {
  const campaign = await createCampaign(db, { status: 'running', language: opts.language ?? 'en', max_attempts: opts.maxAttempts ?? 3, question_1_scale_min: 1, question_1_scale_max: 10 });
  const contact = await createContact(db, campaign.id, { state: 'in_progress', attempts_count: opts.attempts ?? 1, ...(opts.phone ? { phone_number: opts.phone } : {}) });
  const attempt = await db
    .insertInto('call_attempts')
    .values({ contact_id: contact.id, campaign_id: campaign.id, attempt_number: opts.attempts ?? 1, started_at: T0, provider_call_id: `CA${contact.id.replace(/-/g, '')}` })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { campaign, contact, attempt, callId: attempt.call_id };
}

async function converse(callId: string, said: (string | null)[]) {
  const controls = [await startDialogue(db, { callId, now: T0 }, deps)];
  let s = 1;
  for (const speech of said) controls.push(await runDialogueTurn(db, { callId, speech: speech ?? '', asrConfidence: 0.9, now: at(s++ * 10) }, deps));
  return controls;
}

describe(`dialogue commands (${testEngine()})`, () => {
  it('startDialogue speaks the intro verbatim, the disclosure and the consent question inside a gather; idempotent', async () => {
    const { callId, campaign, attempt } = await liveCall();
    const c = await startDialogue(db, { callId, now: T0 }, deps);
    expect(c.say[0]!.text).toBe(campaign.intro_script);
    expect(c.gather).toMatchObject({ actionUrl: `/webhooks/telephony/speech/${callId}`, language: 'en' });
    expect(c.hangup).toBe(false);
    expect(await startDialogue(db, { callId, now: at(1) }, deps)).toEqual(c);
    const turns = await db.selectFrom('dialogue_turns').selectAll().where('call_attempt_id', '=', attempt.id).execute();
    expect(turns).toHaveLength(1);
    const a = await db.selectFrom('call_attempts').select('answered_at').where('id', '=', attempt.id).executeTakeFirstOrThrow();
    expect(a.answered_at?.toISOString()).toBe(T0.toISOString());
  });

  it('completes the survey in one go: response, attempt, contact, event, consent record, turns, redacted transcript', async () => {
    const { callId, contact, attempt } = await liveCall();
    const controls = await converse(callId, ['yes go ahead', 'nine out of ten', 'about twelve', 'Call me on 3471234567 or write to ann@example.org']);
    expect(controls.at(-1)!.hangup).toBe(true);
    expect(controls.at(-1)!.gather).toBeUndefined();

    const resp = await db.selectFrom('survey_responses').selectAll().where('contact_id', '=', contact.id).execute();
    expect(resp).toHaveLength(1);
    expect(resp[0]).toMatchObject({ call_attempt_id: attempt.id, q1_answer: '9', q2_answer: '12', q3_answer: 'Call me on 3471234567 or write to ann@example.org' });
    expect(resp[0]!.q1_confidence).toBeGreaterThan(0.5);
    const a = await db.selectFrom('call_attempts').selectAll().where('id', '=', attempt.id).executeTakeFirstOrThrow();
    expect(a.outcome).toBe('completed');
    expect(a.ended_at).not.toBeNull();
    const c = await db.selectFrom('contacts').selectAll().where('id', '=', contact.id).executeTakeFirstOrThrow();
    expect(c.state).toBe('completed');
    const ev = await db.selectFrom('events').selectAll().where('contact_id', '=', contact.id).execute();
    expect(ev.map((e) => e.event_type)).toEqual(['survey.completed']);
    expect((ev[0]!.payload as { answers: { value: unknown }[] }).answers.map((x) => x.value)).toEqual([9, 12, 'Call me on 3471234567 or write to ann@example.org']);

    const consent = await db.selectFrom('consent_records').selectAll().where('call_attempt_id', '=', attempt.id).executeTakeFirstOrThrow();
    expect(consent.consented_at.toISOString()).toBe(at(10).toISOString());
    expect(consent.wording).toContain('Do you agree to answer three short questions?');
    expect(consent.script_version).toMatch(/^[0-9a-f]{64}$/);

    const turns = await db.selectFrom('dialogue_turns').selectAll().where('call_attempt_id', '=', attempt.id).orderBy('sequence').execute();
    expect(turns.map((x) => x.sequence)).toEqual([0, 1, 2, 3, 4]);
    expect(turns.map((x) => x.stage)).toEqual(['intro', 'consent', 'q1', 'q2', 'q3']);
    expect(turns[2]!.interpretation).toMatchObject({ intent: 'answer', value: 9 });
    expect(turns[2]!.interpreter).toBe('rules');
    expect(turns[4]!.heard_text).not.toContain('3471234567');
    expect(turns.every((x) => x.processing_ms !== null && x.processing_ms >= 0)).toBe(true);

    const transcript = (await db.selectFrom('transcript_snippets').select('transcript_text').where('call_attempt_id', '=', attempt.id).execute()).map((r) => r.transcript_text).join('\n');
    expect(transcript).not.toMatch(/3471234567|ann@example\.org/);
    expect(transcript).toContain('[email]');
    expect(transcript).toContain('##########');
  });

  it('a duplicate webhook for a finished call changes nothing and repeats the last control', async () => {
    const { callId, contact } = await liveCall();
    const controls = await converse(callId, ['no thanks']);
    const again = await runDialogueTurn(db, { callId, speech: 'yes', now: at(100) }, deps);
    expect(again).toEqual(controls.at(-1));
    const ev = await db.selectFrom('events').select('event_type').where('contact_id', '=', contact.id).execute();
    expect(ev).toEqual([{ event_type: 'survey.refused' }]);
  });

  it('refusal: attempt and contact refused with a survey.refused event, no consent record', async () => {
    const { callId, contact, attempt } = await liveCall({ language: 'it' });
    const controls = await converse(callId, ['no, non mi interessa']);
    expect(controls.at(-1)!.say.map((s) => s.text).join(' ')).toContain('Arrivederci');
    expect(controls.at(-1)!.say[0]!.voice).toBe('Polly.Bianca-Neural');
    const a = await db.selectFrom('call_attempts').select(['outcome']).where('id', '=', attempt.id).executeTakeFirstOrThrow();
    expect(a.outcome).toBe('refused');
    const c = await db.selectFrom('contacts').select(['state', 'last_outcome']).where('id', '=', contact.id).executeTakeFirstOrThrow();
    expect(c).toEqual({ state: 'refused', last_outcome: 'refused' });
    const ev = await db.selectFrom('events').selectAll().where('contact_id', '=', contact.id).executeTakeFirstOrThrow();
    expect(ev.event_type).toBe('survey.refused');
    expect(ev.payload).toMatchObject({ reason: 'declined_consent' });
    expect(await db.selectFrom('consent_records').select('id').where('call_attempt_id', '=', attempt.id).execute()).toEqual([]);
  });

  it('opt-out mid-survey: excluded with the call noted, refused with reason opt_out, other campaigns excluded too (and completed when that was their last contact)', async () => {
    const { callId, contact, attempt, campaign } = await liveCall({ language: 'it' });
    const other = await createCampaign(db, { status: 'running' });
    const twin = await createContact(db, other.id, { phone_number: contact.phone_number, state: 'pending' });
    await converse(callId, ['sì', 'otto', 'non chiamatemi più']);
    const ex = await db.selectFrom('exclusion_list_entries').selectAll().where('phone_number', '=', contact.phone_number).executeTakeFirstOrThrow();
    expect(ex.call_attempt_id).toBe(attempt.id);
    const c = await db.selectFrom('contacts').select(['state', 'do_not_call']).where('id', '=', contact.id).executeTakeFirstOrThrow();
    expect(c).toEqual({ state: 'refused', do_not_call: true });
    expect((await db.selectFrom('contacts').select('state').where('id', '=', twin.id).executeTakeFirstOrThrow()).state).toBe('excluded');
    // Each campaign had nothing else left: both completed by the checks after the ending's commit.
    const statuses = await db.selectFrom('campaigns').select('status').where('id', 'in', [campaign.id, other.id]).execute();
    expect(statuses).toEqual([{ status: 'completed' }, { status: 'completed' }]);
    const ev = await db.selectFrom('events').selectAll().where('contact_id', '=', contact.id).executeTakeFirstOrThrow();
    expect(ev.payload).toMatchObject({ reason: 'opt_out', partial_answers: [{ question: 'q1', value: 8 }] });
    expect(await db.selectFrom('survey_responses').select('id').where('contact_id', '=', contact.id).execute()).toEqual([]);
  });

  it('opt-out when the contact moved on under the call: the ending changes nothing else, but the number is listed and the contact excluded', async () => {
    const { callId, contact, attempt } = await liveCall();
    await startDialogue(db, { callId, now: T0 }, deps);
    // Someone else changed the contact while the call ran (it is no longer this attempt's).
    await db.updateTable('contacts').set({ state: 'pending', attempts_count: 2 }).where('id', '=', contact.id).execute();
    await runDialogueTurn(db, { callId, speech: 'do not call me again', asrConfidence: 0.9, now: at(10) }, deps);
    const ex = await db.selectFrom('exclusion_list_entries').select('call_attempt_id').where('phone_number', '=', contact.phone_number).executeTakeFirst();
    expect(ex?.call_attempt_id).toBe(attempt.id);
    const c = await db.selectFrom('contacts').select(['state', 'do_not_call', 'attempts_count']).where('id', '=', contact.id).executeTakeFirstOrThrow();
    expect(c).toEqual({ state: 'excluded', do_not_call: true, attempts_count: 2 });
    expect(await db.selectFrom('events').select('id').where('contact_id', '=', contact.id).execute()).toEqual([]);
  });

  it('callback: contact back in the pool not before the requested time, no event', async () => {
    const { callId, contact, attempt } = await liveCall({ language: 'it' });
    await converse(callId, ['mi richiami domani mattina']);
    const c = await db.selectFrom('contacts').select(['state', 'retry_not_before']).where('id', '=', contact.id).executeTakeFirstOrThrow();
    expect(c.state).toBe('pending');
    // 10:00 in Rome the next day.
    expect(c.retry_not_before?.toISOString()).toBe('2026-11-28T09:00:00.000Z');
    const a = await db.selectFrom('call_attempts').select(['outcome', 'error_code']).where('id', '=', attempt.id).executeTakeFirstOrThrow();
    expect(a).toEqual({ outcome: 'failed', error_code: 'callback_requested' });
    expect(await db.selectFrom('events').select('id').where('contact_id', '=', contact.id).execute()).toEqual([]);
  });

  it('silence twice at consent: no_response, retryable; on the last attempt: not reached', async () => {
    const first = await liveCall();
    await converse(first.callId, [null, null]);
    const a = await db.selectFrom('call_attempts').select(['outcome', 'error_code']).where('id', '=', first.attempt.id).executeTakeFirstOrThrow();
    expect(a).toEqual({ outcome: 'failed', error_code: 'no_response' });
    expect((await db.selectFrom('contacts').select('state').where('id', '=', first.contact.id).executeTakeFirstOrThrow()).state).toBe('pending');

    const last = await liveCall({ attempts: 3, maxAttempts: 3 });
    await converse(last.callId, [null, null]);
    expect((await db.selectFrom('contacts').select('state').where('id', '=', last.contact.id).executeTakeFirstOrThrow()).state).toBe('not_reached');
    const ev = await db.selectFrom('events').select('event_type').where('contact_id', '=', last.contact.id).execute();
    expect(ev).toEqual([{ event_type: 'survey.not_reached' }]);
  });

  it('hang-up mid-survey: break-off, partial answers kept in the turn log, contact retryable; the next call restarts at consent', async () => {
    const { callId, contact, attempt } = await liveCall();
    await converse(callId, ['yes', 'seven']);
    expect(await abandonDialogue(db, { callId, now: at(60) })).toBe(true);
    expect(await abandonDialogue(db, { callId, now: at(61) })).toBe(false);
    const a = await db.selectFrom('call_attempts').select(['outcome', 'error_code']).where('id', '=', attempt.id).executeTakeFirstOrThrow();
    expect(a).toEqual({ outcome: 'failed', error_code: 'break_off' });
    expect((await db.selectFrom('contacts').select('state').where('id', '=', contact.id).executeTakeFirstOrThrow()).state).toBe('pending');
    const turns = await db.selectFrom('dialogue_turns').select(['stage', 'interpretation']).where('call_attempt_id', '=', attempt.id).orderBy('sequence').execute();
    expect(turns.find((x) => x.stage === 'q1')!.interpretation).toMatchObject({ intent: 'answer', value: 7 });

    // Next attempt: a new dialogue, starting at the intro and consent again.
    await db.updateTable('contacts').set({ state: 'in_progress', attempts_count: 2 }).where('id', '=', contact.id).execute();
    const next = await db.insertInto('call_attempts').values({ contact_id: contact.id, campaign_id: attempt.campaign_id, attempt_number: 2 }).returning('call_id').executeTakeFirstOrThrow();
    const c = await startDialogue(db, { callId: next.call_id, now: at(3600) }, deps);
    expect(c.say.at(-1)!.text).toContain('Do you agree');
  });

  it('concurrent webhooks for the same turn: one wins, the other gets the same control', async () => {
    const { callId, attempt } = await liveCall();
    await startDialogue(db, { callId, now: T0 }, deps);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const slow: Interpreter = {
      name: 'gated',
      async interpret() {
        calls++;
        if (calls === 2) release();
        await gate;
        return { intent: 'yes', confidence: 0.9, source: 'rules' };
      },
    };
    const [a, b] = await Promise.all([
      runDialogueTurn(db, { callId, speech: 'yes', now: at(5) }, { ...deps, interpreter: slow }),
      runDialogueTurn(db, { callId, speech: 'yes', now: at(5) }, { ...deps, interpreter: slow }),
    ]);
    expect(a).toEqual(b);
    const turns = await db.selectFrom('dialogue_turns').select('sequence').where('call_attempt_id', '=', attempt.id).execute();
    expect(turns).toHaveLength(2);
  });

  it('unknown call id is a not_found domain error', async () => {
    await expect(runDialogueTurn(db, { callId: 'nope', speech: 'yes', now: T0 }, deps)).rejects.toMatchObject({ code: 'call.not_found', kind: 'not_found' });
  });
});
