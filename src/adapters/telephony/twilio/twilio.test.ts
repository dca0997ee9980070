/**
 * The Twilio adapter against the simulator, over real HTTP on loopback: the
 * adapter places calls through twilio-node, the simulator calls back a small
 * voice app that verifies signatures with the adapter and answers with the
 * adapter's TwiML.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TelephonyError, type Telephony } from '../../../domain/ports/telephony.js';
import { CONSENT, INTRO, QUESTIONS, startSurveyApp, until, type SurveyApp } from '../../../../test/support/survey-app.js';
import { createSimulator, SIMULATOR_FROM_NUMBER, type Simulator } from '../simulator/index.js';
import { createTwilioTelephony } from './index.js';

const ALICE = '+393471111111';
const BOB = '+393472222222';
const CAROL = '+14155550123';
const DAVE = '+14155550124';
const ERIN = '+14155550125';
const RINGING = '+14155550126';
const FRANK = '+14155550127';
const GRACE = '+14155550128';

let sim: Simulator;
let app: SurveyApp;
let tel: Telephony;

function place(to: string, callId = `c-${to.slice(-4)}`, extra: Partial<Parameters<Telephony['placeCall']>[0]> = {}) {
  return tel.placeCall({
    to,
    callId,
    answerUrl: `${app.url}/calls/${callId}/answer`,
    statusUrl: `${app.url}/calls/${callId}/status`,
    ...extra,
  });
}

const eventsOf = (sid: string) => app.events.filter((e) => e.providerCallId === sid);

beforeAll(async () => {
  sim = createSimulator({
    fast: true,
    cps: 0,
    maxConcurrent: 0,
    seed: 42,
    personas: { [ALICE]: 'completes', [BOB]: 'refuses', [CAROL]: 'busy', [DAVE]: 'voicemail', [ERIN]: 'completes_it', [RINGING]: 'no_answer', [FRANK]: 'asks_repeat', [GRACE]: 'hangs_up' },
  });
  await sim.start();
  app = await startSurveyApp();
  tel = createTwilioTelephony({
    accountSid: sim.accountSid,
    authToken: sim.authToken,
    fromNumber: SIMULATOR_FROM_NUMBER,
    publicBaseUrl: app.url,
    apiBaseUrl: sim.url,
  });
  app.telephony = tel;
});

afterAll(async () => {
  await sim.stop();
  await app.close();
});

afterEach(() => {
  expect(app.forged).toBe(0);
});

describe('Twilio adapter ↔ simulator', () => {
  it('places a call that completes the survey: signed callbacks in order, TwiML round trip, answers delivered', async () => {
    const placed = await place(ALICE);
    expect(placed.status).toBe('queued');
    expect(placed.providerCallId).toMatch(/^CA[0-9a-f]{32}$/);
    await until(() => eventsOf(placed.providerCallId).some((e) => e.status === 'completed'));

    const events = eventsOf(placed.providerCallId);
    expect(events.map((e) => [e.sequence, e.status])).toEqual([
      [0, 'initiated'],
      [1, 'ringing'],
      [2, 'answered'],
      [3, 'completed'],
    ]);
    expect(events[2]!.rawStatus).toBe('in-progress');
    expect(events[3]!.durationSeconds).toBeGreaterThan(0);
    expect(events[3]!.errorCode).toBeUndefined();

    expect(app.answers.get(placed.providerCallId)!.map((a) => a.text)).toEqual(['Yes, go ahead', 'Seven', 'Three', 'The staff were quick and friendly']);
    for (const a of app.answers.get(placed.providerCallId)!) expect(a.confidence).toBeGreaterThan(0.5);

    const log = sim.call(placed.providerCallId)!;
    const agent = log.transcript.filter((l) => l.who === 'agent').map((l) => l.text);
    expect(agent).toEqual([INTRO, CONSENT, ...QUESTIONS, 'Thank you, goodbye.']);
    // no question before the respondent said yes
    const firstQuestion = log.transcript.findIndex((l) => l.text === QUESTIONS[0]);
    const consent = log.transcript.findIndex((l) => l.who === 'respondent' && l.text === 'Yes, go ahead');
    expect(consent).toBeGreaterThan(-1);
    expect(firstQuestion).toBeGreaterThan(consent);
    expect(log.errors).toEqual([]);
  });

  it('renders Italian prompts and receives Italian answers', async () => {
    const placed = await place(ERIN);
    await until(() => eventsOf(placed.providerCallId).some((e) => e.status === 'completed'));
    expect(app.answers.get(placed.providerCallId)![0]!.text).toBe('Sì, va bene');
    expect(sim.call(placed.providerCallId)!.transcript[0]!.language).toBe('en-US');
  });

  it('a refusal ends after the consent question, without any survey question', async () => {
    const placed = await place(BOB);
    await until(() => eventsOf(placed.providerCallId).some((e) => e.status === 'completed'));
    const said = sim.call(placed.providerCallId)!.transcript.map((l) => l.text);
    for (const q of QUESTIONS) expect(said).not.toContain(q);
    expect(said.at(-1)).toBe('No problem. Goodbye.');
  });

  it('asks to repeat: each question is asked again once, then answered', async () => {
    const placed = await place(FRANK);
    await until(() => eventsOf(placed.providerCallId).some((e) => e.status === 'completed'));
    const agent = sim.call(placed.providerCallId)!.transcript.filter((l) => l.who === 'agent').map((l) => l.text);
    expect(agent).toEqual([INTRO, CONSENT, QUESTIONS[0], QUESTIONS[0], QUESTIONS[1], QUESTIONS[1], QUESTIONS[2], QUESTIONS[2], 'Thank you, goodbye.']);
    expect(app.answers.get(placed.providerCallId)!.map((a) => a.text).filter((t) => !/repeat|again/i.test(t))).toEqual(['Yes', 'Six', 'Two', 'Good value for money']);
  });

  it('hangs up mid-survey: the call completes after one answer, without the goodbye', async () => {
    const placed = await place(GRACE);
    await until(() => eventsOf(placed.providerCallId).some((e) => e.status === 'completed'));
    expect(app.answers.get(placed.providerCallId)!.map((a) => a.text)).toEqual(['Yes, okay']);
    const said = sim.call(placed.providerCallId)!.transcript.map((l) => l.text);
    expect(said.at(-1)).toBe('Five');
    expect(said).not.toContain('Thank you, goodbye.');
  });

  it('busy: initiated → ringing → busy with SIP 486 as the error code', async () => {
    const placed = await place(CAROL);
    await until(() => eventsOf(placed.providerCallId).some((e) => e.status === 'busy'));
    const events = eventsOf(placed.providerCallId);
    expect(events.map((e) => e.status)).toEqual(['initiated', 'ringing', 'busy']);
    expect(events.at(-1)!.errorCode).toBe('486');
    expect(events.at(-1)!.sequence).toBe(2);
  });

  it('answering-machine detection reports a machine answer distinctly', async () => {
    const placed = await place(DAVE, 'c-dave', { machineDetection: true });
    await until(() => eventsOf(placed.providerCallId).some((e) => e.status === 'completed'));
    const answered = eventsOf(placed.providerCallId).find((e) => e.status === 'answered')!;
    expect(answered.answeredBy).toBe('machine');
    expect((await tel.fetchCall(placed.providerCallId))!.answeredBy).toBe('machine');
  });

  it('fetchCall reports the provider state; unknown calls are null', async () => {
    const placed = await place(CAROL, 'c-carol-2');
    await until(() => eventsOf(placed.providerCallId).some((e) => e.status === 'busy'));
    expect(await tel.fetchCall(placed.providerCallId)).toEqual({ status: 'busy', durationSeconds: 0 });
    expect(await tel.fetchCall('CA00000000000000000000000000000000')).toBeNull();
  });

  it('hangUp is idempotent: repeated, after the call ended, and for unknown calls', async () => {
    const placed = await place(RINGING, 'c-ring', { ringTimeoutSeconds: 600 });
    // fast mode collapses ringing; the call may already be over — either way hangUp must not throw
    await tel.hangUp(placed.providerCallId);
    await tel.hangUp(placed.providerCallId);
    await until(() => eventsOf(placed.providerCallId).some((e) => ['canceled', 'no_answer'].includes(e.status)));
    await tel.hangUp('CA00000000000000000000000000000000');
  });

  it('maps an invalid number to a permanent TelephonyError (21211)', async () => {
    const err = await place('+12').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TelephonyError);
    expect(err).toMatchObject({ permanent: true, code: '21211', httpStatus: 400 });
    expect((err as Error).message).not.toContain('+12');
  });
});
