/**
 * The simulator speaks Twilio's wire protocol: signatures (the TELEPHONY.md §3
 * vector, and twilio-node's own validateRequest), REST shapes, auth, errors.
 */
import fc from 'fast-check';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCaptureServer, type CaptureServer } from '../../../../test/support/capture-server.js';
import { until } from '../../../../test/support/survey-app.js';
import { createTwilioTelephony } from '../twilio/index.js';
import { createSimulator, SIMULATOR_FROM_NUMBER, type Simulator } from './index.js';
import { formEncode, twilioSignature } from './signature.js';

describe('X-Twilio-Signature', () => {
  it('matches the test vector from TELEPHONY.md §3', () => {
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('agrees with twilio-node for any URL and parameters', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.webUrl({ withQueryParameters: true }),
        fc.dictionary(fc.string({ minLength: 1 }).filter((k) => k !== '__proto__'), fc.string()),
        (token, url, params) => {
          const ours = twilioSignature(token, url, params);
          expect(ours).toBe(twilio.getExpectedTwilioSignature(token, url, params));
          expect(twilio.validateRequest(token, ours, url, params)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('simulator REST API and callbacks', () => {
  let sim: Simulator;
  let hook: CaptureServer;
  const auth = () => `Basic ${Buffer.from(`${sim.accountSid}:${sim.authToken}`).toString('base64')}`;
  const callsUrl = () => `${sim.url}/2010-04-01/Accounts/${sim.accountSid}/Calls.json`;
  const post = (url: string, params: Record<string, string | string[]>, authorization = auth()) =>
    fetch(url, { method: 'POST', headers: { Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded' }, body: formEncode(params) });

  beforeAll(async () => {
    sim = createSimulator({ fast: true, cps: 0, seed: 3, personas: { '+393470000001': 'completes', '+393470000002': 'busy' } });
    await sim.start();
    hook = await startCaptureServer((req) =>
      req.url.includes('/answer') || req.url.includes('/turn')
        ? { body: '<Response><Gather input="speech" action="/turn" actionOnEmptyResult="true"><Say>Question?</Say></Gather></Response>' }
        : { status: 204, body: '' },
    );
  });
  afterAll(async () => {
    await sim.stop();
    await hook.close();
  });

  it('creates a call: 201, snake_case JSON, RFC 2822 dates, status queued', async () => {
    const res = await post(callsUrl(), {
      To: '+393470000002',
      From: SIMULATOR_FROM_NUMBER,
      Url: `${hook.url}/answer`,
      StatusCallback: `${hook.url}/status?call=1`,
      StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ account_sid: sim.accountSid, to: '+393470000002', from: SIMULATOR_FROM_NUMBER, status: 'queued', direction: 'outbound-api', api_version: '2010-04-01', start_time: null, duration: null });
    expect(body.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(body.date_created).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    expect(body.uri).toBe(`/2010-04-01/Accounts/${sim.accountSid}/Calls/${String(body.sid)}.json`);
  });

  it('status callbacks are form posts signed so that twilio.validateRequest accepts them, with Twilio parameters', async () => {
    const res = await post(callsUrl(), {
      To: '+393470000002',
      From: SIMULATOR_FROM_NUMBER,
      Url: `${hook.url}/answer`,
      StatusCallback: `${hook.url}/status?call=2`,
      StatusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    const sid = ((await res.json()) as { sid: string }).sid;
    await until(() => hook.requests.some((r) => r.params.CallSid === sid && r.params.CallStatus === 'busy'));
    const mine = hook.requests.filter((r) => r.params.CallSid === sid);
    expect(mine.map((r) => [r.params.SequenceNumber, r.params.CallStatus])).toEqual([
      ['0', 'initiated'],
      ['1', 'ringing'],
      ['2', 'busy'],
    ]);
    for (const r of mine) {
      expect(r.method).toBe('POST');
      expect(r.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
      const signature = r.headers['x-twilio-signature'] as string;
      expect(twilio.validateRequest(sim.authToken, signature, r.url, r.params)).toBe(true);
      expect(twilio.validateRequest(sim.authToken, signature, r.url, { ...r.params, CallStatus: 'completed' })).toBe(false);
      expect(twilio.validateRequest('another-token', signature, r.url, r.params)).toBe(false);
      expect(r.params).toMatchObject({ AccountSid: sim.accountSid, ApiVersion: '2010-04-01', Direction: 'outbound-api', CallbackSource: 'call-progress-events', To: '+393470000002', Called: '+393470000002', From: SIMULATOR_FROM_NUMBER, Caller: SIMULATOR_FROM_NUMBER });
      expect(Date.parse(r.params.Timestamp as string)).not.toBeNaN();
    }
    expect(mine[2]!.params).toMatchObject({ CallDuration: '0', Duration: '0', SipResponseCode: '486' });
    expect(mine[0]!.params.CallDuration).toBeUndefined();
  });

  it('without StatusCallbackEvent only the final event is sent, as sequence 0; TwiML fetches and Gather actions are signed too', async () => {
    const res = await post(callsUrl(), { To: '+393470000001', From: SIMULATOR_FROM_NUMBER, Url: `${hook.url}/answer?x=1`, StatusCallback: `${hook.url}/status?call=3` });
    const sid = ((await res.json()) as { sid: string }).sid;
    await until(() => hook.requests.some((r) => r.params.CallSid === sid && r.url.includes('/status') && r.params.CallStatus === 'completed'));
    const statuses = hook.requests.filter((r) => r.params.CallSid === sid && r.url.includes('/status'));
    expect(statuses.map((r) => [r.params.SequenceNumber, r.params.CallStatus])).toEqual([['0', 'completed']]);
    const control = hook.requests.filter((r) => r.params.CallSid === sid && !r.url.includes('/status'));
    expect(control[0]!.url).toBe(`${hook.url}/answer?x=1`);
    expect(control[1]!.url).toBe(`${hook.url}/turn`); // relative action resolved against the document URL
    expect(control[1]!.params).toMatchObject({ SpeechResult: 'Yes, go ahead', CallStatus: 'in-progress' });
    for (const r of control) expect(twilio.validateRequest(sim.authToken, r.headers['x-twilio-signature'] as string, r.url, r.params)).toBe(true);
  });

  it('refuses bad credentials (401, 20003) and another account (404), with Twilio error JSON', async () => {
    const bad = await post(callsUrl(), { To: '+393470000001' }, `Basic ${Buffer.from(`${sim.accountSid}:wrong`).toString('base64')}`);
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    const other = await post(`${sim.url}/2010-04-01/Accounts/AC${'0'.repeat(32)}/Calls.json`, { To: '+393470000001' });
    expect(other.status).toBe(404);
  });

  it('validates parameters like Twilio', async () => {
    const base = { To: '+393470000001', From: SIMULATOR_FROM_NUMBER, Url: `${hook.url}/answer` };
    const cases: [Record<string, string | string[]>, number][] = [
      [{ ...base, To: '347000' }, 21211],
      [{ ...base, From: 'me' }, 21212],
      [{ To: base.To, From: base.From }, 21205],
      [{ ...base, StatusCallbackEvent: ['initiated', 'exploded'] }, 21626],
    ];
    for (const [params, code] of cases) {
      const res = await post(callsUrl(), params);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: number }).code).toBe(code);
    }
  });

  it('accepts an API key as REST credentials when configured', async () => {
    const keyed = createSimulator({ fast: true, apiKeys: { [`SK${'1'.repeat(32)}`]: 'key-secret' } });
    await keyed.start();
    try {
      const tel = createTwilioTelephony({
        accountSid: keyed.accountSid,
        authToken: keyed.authToken,
        apiKey: { sid: `SK${'1'.repeat(32)}`, secret: 'key-secret' },
        fromNumber: SIMULATOR_FROM_NUMBER,
        publicBaseUrl: hook.url,
        apiBaseUrl: keyed.url,
      });
      expect(await tel.fetchCall(`CA${'0'.repeat(32)}`)).toBeNull();
      const wrong = createTwilioTelephony({ accountSid: keyed.accountSid, authToken: keyed.authToken, apiKey: { sid: `SK${'1'.repeat(32)}`, secret: 'nope-nope' }, fromNumber: SIMULATOR_FROM_NUMBER, publicBaseUrl: hook.url, apiBaseUrl: keyed.url });
      await expect(wrong.fetchCall(`CA${'0'.repeat(32)}`)).rejects.toMatchObject({ code: '20003', permanent: false });
    } finally {
      await keyed.stop();
    }
  });
});
