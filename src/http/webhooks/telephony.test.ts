import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../app.js';
import { defaultHandleAnswer, defaultHandleSpeech } from './telephony.js';
import { loadConfig } from '../../config.js';
import { createLogger } from '../../observability/logger.js';
import { createCampaign, createContact } from '../../../test/support/factories.js';
import { freshDatabase, type TestDatabase } from '../../../test/support/db.js';
import { formEncode, rfc2822, twilioSignature } from '../../adapters/telephony/simulator/signature.js';
import { claimDueContacts } from '../../commands/calling/claim.js';
import { runDialogueTurn, startDialogue } from '../../commands/dialogue/turn.js';

let t: TestDatabase;
let app: App;
let base: string;
const log = createLogger({ level: 'silent' });

beforeAll(async () => {
  t = await freshDatabase();
  const env: Record<string, string> = { PORT: '0', TELEPHONY_PROVIDER: 'simulator', SIMULATOR_FAST: 'true' };
  if (t.url) env.DATABASE_URL = t.url;
  // The api role: webhooks only, no loops. The placeholder call control keeps this about the webhook plumbing
  // (the dialogue behind these routes is tested in src/commands/dialogue).
  app = await buildApp(loadConfig(env), log, { role: 'api', database: t, handleAnswer: defaultHandleAnswer, handleSpeech: defaultHandleSpeech, hangUpGraceMs: 1500 });
  base = await app.start();
});
afterAll(async () => {
  await app?.stop();
  await t?.close();
});

function signedPost(path: string, params: Record<string, string>, token = app.telephony.simulator!.authToken) {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(token, `${base}${path}`, params) },
    body: formEncode(params),
  });
}
const statusParams = (sid: string, seq: number, status: string, extra: Record<string, string> = {}) => ({
  CallSid: sid, AccountSid: app.telephony.simulator!.accountSid, From: '+15005550006', To: '+393470000001', CallStatus: status,
  Direction: 'outbound-api', ApiVersion: '2010-04-01', Timestamp: rfc2822(new Date()), CallbackSource: 'call-progress-events',
  SequenceNumber: String(seq), ...extra,
});

describe('telephony webhooks', () => {
  it('status callback: forged → 403 nothing written; unknown → 404; recorded → 200; duplicate → 200 no-op', async () => {
    const c = await createCampaign(t.db, { status: 'running', allowed_call_start_local: '00:00', allowed_call_end_local: '23:59:59', allowed_weekdays: [1, 2, 3, 4, 5, 6, 7] });
    const k = await createContact(t.db, c.id);
    const [x] = await t.db.transaction().execute((trx) => claimDueContacts(trx, { limit: 1, now: new Date('2026-03-02T10:00:00Z'), guardMinutes: 0 }));
    const path = `/webhooks/telephony/status?call_id=${x!.callId}`;

    const forged = await signedPost(path, statusParams('CA1', 0, 'initiated'), 'wrong-token');
    expect(forged.status).toBe(403);
    const unsigned = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formEncode(statusParams('CA1', 0, 'initiated')) });
    expect(unsigned.status).toBe(403);
    expect(await t.db.selectFrom('call_events').select('id').execute()).toEqual([]);

    expect((await signedPost('/webhooks/telephony/status?call_id=nope', statusParams('CA1', 0, 'initiated'))).status).toBe(404);

    expect((await signedPost(path, statusParams('CA1', 0, 'initiated'))).status).toBe(200);
    expect((await signedPost(path, statusParams('CA1', 0, 'initiated'))).status).toBe(200);
    expect((await signedPost(path, statusParams('CA1', 1, 'busy', { SipResponseCode: '486', CallDuration: '0' }))).status).toBe(200);
    expect(await t.db.selectFrom('call_events').select('sequence_number').orderBy('sequence_number').execute()).toEqual([{ sequence_number: 0 }, { sequence_number: 1 }]);
    expect(await t.db.selectFrom('contacts').select(['state', 'last_outcome']).where('id', '=', k.id).executeTakeFirstOrThrow()).toEqual({ state: 'not_reached', last_outcome: 'busy' });

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/vsa_call_outcomes_total\{outcome="busy"\} 1/);
    expect(metrics).toMatch(/vsa_webhook_duration_seconds_count\{route="status",status="403"\} 2/);
  });

  it('a person hanging up mid-dialogue: the callback is answered at once, the call settled as a break-off after the grace', async () => {
    const c = await createCampaign(t.db, { status: 'running', allowed_call_start_local: '00:00', allowed_call_end_local: '23:59:59', allowed_weekdays: [1, 2, 3, 4, 5, 6, 7] });
    const k = await createContact(t.db, c.id);
    const [x] = await t.db.transaction().execute((trx) => claimDueContacts(trx, { limit: 1, now: new Date('2026-03-02T10:00:00Z'), guardMinutes: 0 }));
    const deps = { actionUrl: () => '/speech' };
    await startDialogue(t.db, { callId: x!.callId, now: new Date() }, deps);
    await runDialogueTurn(t.db, { callId: x!.callId, speech: 'yes', now: new Date() }, deps);
    const path = `/webhooks/telephony/status?call_id=${x!.callId}`;
    const attempt = () => t.db.selectFrom('call_attempts').select(['outcome', 'error_code', 'call_status']).where('id', '=', x!.attemptId).executeTakeFirstOrThrow();

    const res = await signedPost(path, statusParams('CA3', 3, 'completed', { AnsweredBy: 'human', CallDuration: '40', SipResponseCode: '200' }));
    expect(res.status).toBe(200);
    // Answered before the grace is over: the call ended, the outcome waits for a turn that may be in flight.
    expect(await attempt()).toEqual({ outcome: null, error_code: null, call_status: 'completed' });
    for (let i = 0; i < 100 && (await attempt()).outcome === null; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await attempt()).toMatchObject({ outcome: 'failed', error_code: 'break_off' });
    expect(await t.db.selectFrom('contacts').select('state').where('id', '=', k.id).executeTakeFirstOrThrow()).toEqual({ state: 'pending' });
  });

  it('answer and speech: signed → rendered call control; forged → 403', async () => {
    const params = { CallSid: 'CA2', AccountSid: app.telephony.simulator!.accountSid, From: '+15005550006', To: '+393470000002', CallStatus: 'in-progress' };
    const ok = await signedPost('/webhooks/telephony/answer?call_id=abc', params);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/xml/);
    expect(await ok.text()).toMatch(/<Hangup\/>/);
    const speech = await signedPost('/webhooks/telephony/speech?call_id=abc', { ...params, SpeechResult: 'yes', Confidence: '0.9' });
    expect(speech.status).toBe(200);
    expect((await signedPost('/webhooks/telephony/answer?call_id=abc', params, 'nope')).status).toBe(403);
  });
});
