/**
 * Failure paths of the Twilio adapter against the simulator (real HTTP):
 * error classification, retry after 429, the concurrency limit, network errors,
 * forged webhooks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelephonyError, type Telephony } from '../../../domain/ports/telephony.js';
import { startSurveyApp, type SurveyApp } from '../../../../test/support/survey-app.js';
import { createSimulator, SIMULATOR_FROM_NUMBER, type Simulator } from '../simulator/index.js';
import { twilioSignature } from '../simulator/signature.js';
import { toTelephonyError } from './errors.js';
import { createTwilioTelephony } from './index.js';

let sim: Simulator;
let app: SurveyApp;
let tel: Telephony;
const req = (to: string) => ({ to, callId: 'c1', answerUrl: `${app.url}/calls/c1/answer`, statusUrl: `${app.url}/calls/c1/status` });
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as TelephonyError);

beforeAll(async () => {
  app = await startSurveyApp();
  sim = createSimulator({ fast: true, cps: 0, maxConcurrent: 2, personas: { '+393475550001': 'invalid_number', '+393475550002': 'unreachable' } });
  await sim.start();
  tel = createTwilioTelephony({ accountSid: sim.accountSid, authToken: sim.authToken, fromNumber: SIMULATOR_FROM_NUMBER, publicBaseUrl: app.url, apiBaseUrl: sim.url });
  app.telephony = tel;
});
afterAll(async () => {
  await sim.stop();
  await app.close();
});

describe('Twilio errors → TelephonyError', () => {
  it('permanent: invalid (21211) and unreachable (21214) numbers', async () => {
    expect(await failure(tel.placeCall(req('+393475550001')))).toMatchObject({ permanent: true, code: '21211' });
    expect(await failure(tel.placeCall(req('+393475550002')))).toMatchObject({ permanent: true, code: '21214' });
  });

  it('transient: 429 (20429), then the retry succeeds', async () => {
    sim.injectCreateErrors([{ status: 429, code: 20429, message: 'Too Many Requests' }]);
    const err = await failure(tel.placeCall(req('+393475550010')));
    expect(err).toBeInstanceOf(TelephonyError);
    expect(err).toMatchObject({ permanent: false, code: '20429', httpStatus: 429 });
    const placed = await tel.placeCall(req('+393475550010'));
    expect(placed.status).toBe('queued');
  });

  it('transient: 5xx, queue full (22005)', async () => {
    sim.injectCreateErrors([{ status: 503, code: 20503 }, { status: 502, code: 99999 }, { status: 429, code: 22005 }]);
    expect(await failure(tel.placeCall(req('+393475550011')))).toMatchObject({ permanent: false, code: '20503', httpStatus: 503 });
    expect(await failure(tel.placeCall(req('+393475550011')))).toMatchObject({ permanent: false, code: '99999', httpStatus: 502 });
    expect(await failure(tel.placeCall(req('+393475550011')))).toMatchObject({ permanent: false, code: '22005' });
  });

  it('transient: the concurrency limit (10004) while two calls are live', async () => {
    await sim.idle();
    const slow = createSimulator({ cps: 0, maxConcurrent: 2, mix: 'no_answer=1' }); // real time: calls ring for their Timeout
    await slow.start();
    try {
      const t2 = createTwilioTelephony({ accountSid: slow.accountSid, authToken: slow.authToken, fromNumber: SIMULATOR_FROM_NUMBER, publicBaseUrl: app.url, apiBaseUrl: slow.url });
      await t2.placeCall(req('+393475550020'));
      await t2.placeCall(req('+393475550021'));
      expect(await failure(t2.placeCall(req('+393475550022')))).toMatchObject({ permanent: false, code: '10004' });
      expect(slow.stats().callsRejected).toEqual({ '10004': 1 });
      expect(slow.stats().maxConcurrency).toBe(2);
    } finally {
      await slow.stop();
    }
  });

  it('transient: network failure (nothing listening)', async () => {
    const dead = createTwilioTelephony({ accountSid: sim.accountSid, authToken: sim.authToken, fromNumber: SIMULATOR_FROM_NUMBER, publicBaseUrl: app.url, apiBaseUrl: 'http://127.0.0.1:9' });
    expect(await failure(dead.placeCall(req('+393475550030')))).toMatchObject({ permanent: false, code: 'network' });
  });

  it('unknown codes stay transient and messages lose phone numbers', () => {
    const e = toTelephonyError(Object.assign(new Error('Number +393471234567 is weird'), { status: 400, code: 21999 })) as TelephonyError;
    expect(e).toMatchObject({ permanent: false, code: '21999', httpStatus: 400 });
    expect(e.message).not.toContain('3471234567');
    const plain = new Error('boom');
    expect(toTelephonyError(plain)).toBe(plain);
  });
});

describe('webhook verification', () => {
  const params = { CallSid: `CA${'1'.repeat(32)}`, CallStatus: 'ringing', SequenceNumber: '1' };
  const path = '/calls/c1/status?attempt=2';

  it('accepts a signature over the public URL, whatever the request host', () => {
    const sig = twilioSignature(sim.authToken, `${app.url}${path}`, params);
    expect(tel.verifyWebhook({ pathAndQuery: path, headers: { 'x-twilio-signature': sig, host: 'internal:8080' }, params })).toBe(true);
  });

  it('rejects forged, tampered, missing and other-URL signatures', () => {
    const sig = twilioSignature(sim.authToken, `${app.url}${path}`, params);
    const check = (headers: Record<string, string>, p: Record<string, string> = params, at = path) => tel.verifyWebhook({ pathAndQuery: at, headers, params: p });
    expect(check({ 'x-twilio-signature': twilioSignature('forged-token', `${app.url}${path}`, params) })).toBe(false);
    expect(check({ 'x-twilio-signature': sig }, { ...params, CallStatus: 'completed' })).toBe(false);
    expect(check({ 'x-twilio-signature': sig }, params, '/calls/c2/status?attempt=2')).toBe(false);
    expect(check({})).toBe(false);
    expect(check({ 'x-twilio-signature': 'not base64 at all' })).toBe(false);
  });

  it('the voice app answers a forged status callback with 403', async () => {
    const before = app.forged;
    const eventsBefore = app.events.filter((e) => e.providerCallId === params.CallSid).length;
    const res = await fetch(`${app.url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
      body: new URLSearchParams(params).toString(),
    });
    expect(res.status).toBe(403);
    expect(app.forged).toBe(before + 1);
    expect(app.events.filter((e) => e.providerCallId === params.CallSid)).toHaveLength(eventsBefore);
    app.forged = before;
  });
});
