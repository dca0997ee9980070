/**
 * TwiML: the simulator's reader, and execution of Say / Pause / Redirect /
 * Gather / Hangup against a loopback app, including remote hang-up of a live call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startCaptureServer, type CaptureServer } from '../../../../test/support/capture-server.js';
import { until } from '../../../../test/support/survey-app.js';
import { createTwilioTelephony } from '../twilio/index.js';
import { renderTwiml } from '../twilio/twiml.js';
import { createSimulator, SIMULATOR_FROM_NUMBER, type Simulator, type SimulatorOptions } from './index.js';
import { parseTwiml, TwimlError } from './twiml.js';

describe('parseTwiml', () => {
  it('reads verbs, attributes, entities and nested prompts', () => {
    const verbs = parseTwiml(`<?xml version="1.0" encoding="UTF-8"?>
      <!-- greeting -->
      <Response>
        <Say voice="Polly.Bianca-Neural" language="it-IT">Buongiorno &amp; benvenuti, l&apos;indagine</Say>
        <Gather input="speech" action="/turn?a=1&amp;b=2" method="POST" language="it-IT" speechTimeout="auto" timeout="4" actionOnEmptyResult="true" hints="sì, no">
          <Say>Va bene?</Say><Pause length="2"/>
        </Gather>
        <Redirect method="GET">/next</Redirect>
        <Hangup/>
        <Dial>+390600000000</Dial>
      </Response>`);
    expect(verbs).toEqual([
      { verb: 'Say', text: "Buongiorno & benvenuti, l'indagine", voice: 'Polly.Bianca-Neural', language: 'it-IT' },
      {
        verb: 'Gather', input: ['speech'], action: '/turn?a=1&b=2', method: 'POST', language: 'it-IT', timeoutSeconds: 4, actionOnEmptyResult: true, hints: 'sì, no',
        prompts: [{ verb: 'Say', text: 'Va bene?' }, { verb: 'Pause', seconds: 2 }],
      },
      { verb: 'Redirect', url: '/next', method: 'GET' },
      { verb: 'Hangup' },
      { verb: 'Unsupported', name: 'Dial' },
    ]);
  });

  it('reads what the adapter renders', () => {
    const xml = renderTwiml({
      say: [{ text: 'Is 5 < 7 & "fine"?', language: 'en' }],
      gather: { actionUrl: 'https://x.example/turn?s=1&r=0', language: 'en', timeoutSeconds: 5, hints: ['yes', 'no'] },
      hangup: true,
    });
    expect(parseTwiml(xml)).toEqual([
      {
        verb: 'Gather', input: ['speech'], action: 'https://x.example/turn?s=1&r=0', method: 'POST', language: 'en-US', timeoutSeconds: 5, actionOnEmptyResult: true, hints: 'yes, no',
        prompts: [{ verb: 'Say', text: 'Is 5 < 7 & "fine"?', voice: 'Polly.Joanna-Neural', language: 'en-US' }],
      },
      { verb: 'Hangup' },
    ]);
    expect(xml).toContain('speechTimeout="auto"');
  });

  it('rejects what Twilio would reject', () => {
    for (const bad of ['<Response><Say>x</Response>', '<Reply/>', 'hello', '<Response><Gather><Hangup/></Gather></Response>', '<Response/><Response/>']) {
      expect(() => parseTwiml(bad), bad).toThrow(TwimlError);
    }
  });
});

describe('TwiML execution', () => {
  let sim: Simulator | undefined;
  let hook: CaptureServer | undefined;
  afterEach(async () => {
    await sim?.stop();
    await hook?.close();
  });

  async function setup(documents: Record<string, string>, persona: SimulatorOptions) {
    hook = await startCaptureServer((r) => {
      const path = new URL(r.url).pathname;
      if (path === '/status') return { status: 204, body: '' };
      const doc = documents[path];
      return doc === undefined ? { status: 404, body: 'nope' } : { body: doc };
    });
    sim = createSimulator({ cps: 0, ...persona });
    await sim.start();
    const tel = createTwilioTelephony({ accountSid: sim.accountSid, authToken: sim.authToken, fromNumber: SIMULATOR_FROM_NUMBER, publicBaseUrl: hook.url, apiBaseUrl: sim.url });
    const placed = await tel.placeCall({ to: '+393470009999', callId: 'c', answerUrl: `${hook.url}/answer`, statusUrl: `${hook.url}/status` });
    return { tel, sid: placed.providerCallId, hook, sim };
  }

  it('runs Say, Pause, Redirect; a silent Gather without actionOnEmptyResult falls through; Hangup ends the call', async () => {
    const { sid, sim: s, hook: h } = await setup(
      {
        '/answer': '<Response><Say language="it-IT">Ciao</Say><Pause length="1"/><Redirect>/next</Redirect><Say>skipped</Say></Response>',
        '/next': '<Response><Gather input="speech" timeout="2" action="/never"><Say>Anything?</Say></Gather><Say>Bye</Say><Hangup/><Say>never said</Say></Response>',
      },
      { fast: true, personas: { '+393470009999': 'silent' } },
    );
    await until(() => s.call(sid)?.status === 'completed');
    expect(s.call(sid)!.transcript).toEqual([
      { who: 'agent', text: 'Ciao', language: 'it-IT' },
      { who: 'agent', text: 'Anything?', listening: true },
      { who: 'respondent', text: null },
      { who: 'agent', text: 'Bye' },
    ]);
    expect(h.requests.map((r) => new URL(r.url).pathname).filter((p) => p !== '/status')).toEqual(['/answer', '/next']);
    // simulated time counts even in fast mode: 1 s pause + 2 s gather timeout + speech
    expect(s.call(sid)!.durationSeconds).toBeGreaterThanOrEqual(3);
  });

  it('a document that fails to parse ends the call (12100) after the answer', async () => {
    const { sid, sim: s } = await setup({ '/answer': '<Response><Say>oops</Response>' }, { fast: true, personas: { '+393470009999': 'completes' } });
    await until(() => s.call(sid)?.status === 'completed');
    expect(s.call(sid)!.errors[0]).toMatch(/^12100/);
  });

  it('hangUp ends a live call at once: completed, with the talk time so far', async () => {
    const patient = { name: 'patient', pickup: 'human' as const, utterances: [], ringSeconds: 0.05 };
    const { tel, sid, sim: s, hook: h } = await setup({ '/answer': '<Response><Say>Hold on</Say><Pause length="60"/></Response>' }, { personas: { '+393470009999': patient } });
    await until(() => h.requests.some((r) => r.params.CallStatus === 'in-progress' && r.url.endsWith('/status')));
    expect((await tel.fetchCall(sid))!.status).toBe('answered');
    const t0 = performance.now();
    await tel.hangUp(sid);
    await until(() => h.requests.some((r) => r.params.CallStatus === 'completed'), 5_000);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(s.call(sid)!.events.map((e) => e.status)).toEqual(['initiated', 'ringing', 'in-progress', 'completed']);
    expect(await tel.fetchCall(sid)).toMatchObject({ status: 'completed' });
  });

  it('a REST redirect (Url) interrupts the live document and runs the new one', async () => {
    const patient = { name: 'patient', pickup: 'human' as const, utterances: [], ringSeconds: 0.05 };
    const { sid, sim: s, hook: h } = await setup(
      { '/answer': '<Response><Pause length="60"/><Say>too late</Say></Response>', '/second': '<Response><Say>Redirected</Say><Hangup/></Response>' },
      { personas: { '+393470009999': patient } },
    );
    await until(() => h.requests.some((r) => r.url.endsWith('/answer')));
    const res = await fetch(`${s.url}/2010-04-01/Accounts/${s.accountSid}/Calls/${sid}.json`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Url: `${h.url}/second`, Method: 'POST' }).toString(),
    });
    expect(res.status).toBe(200);
    await until(() => s.call(sid)?.status === 'completed', 5_000);
    expect(s.call(sid)!.transcript.map((l) => l.text)).toEqual(['Redirected']);
  });

  it('TimeLimit cuts a long call; a ring timeout shorter than the pick-up gives no-answer', async () => {
    const slowPickup = { name: 'slow', pickup: 'human' as const, utterances: [], ringSeconds: 20 };
    const { sid, sim: s, hook: h } = await setup({ '/answer': '<Response><Say>Hi</Say><Pause length="600"/><Say>never</Say></Response>' }, { fast: true, personas: { '+393470009999': 'completes', '+393470008888': slowPickup } });
    await until(() => s.call(sid)?.status === 'completed');
    // TimeLimit defaults to 4 h; ask for a short one with a raw create
    const res = await fetch(`${s.url}/2010-04-01/Accounts/${s.accountSid}/Calls.json`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: '+393470009999', From: SIMULATOR_FROM_NUMBER, Url: `${h.url}/answer`, TimeLimit: '30' }).toString(),
    });
    const limited = ((await res.json()) as { sid: string }).sid;
    await until(() => s.call(limited)?.status === 'completed');
    expect(s.call(limited)!.durationSeconds).toBe(30);
    expect(s.call(limited)!.transcript.map((l) => l.text)).toEqual(['Hi']);
    const late = await fetch(`${s.url}/2010-04-01/Accounts/${s.accountSid}/Calls.json`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: '+393470008888', From: SIMULATOR_FROM_NUMBER, Url: `${h.url}/answer`, Timeout: '15' }).toString(),
    });
    const lateSid = ((await late.json()) as { sid: string }).sid;
    await until(() => s.call(lateSid)?.status === 'no-answer');
  });

  it('hangUp cancels a call still ringing', async () => {
    const { tel, sid, sim: s, hook: h } = await setup({ '/answer': '<Response/>' }, { personas: { '+393470009999': 'no_answer' } });
    await until(() => h.requests.some((r) => r.params.CallStatus === 'ringing'));
    await tel.hangUp(sid);
    await until(() => h.requests.some((r) => r.params.CallStatus === 'canceled'), 5_000);
    expect(s.call(sid)!.status).toBe('canceled');
    expect(h.requests.find((r) => r.params.CallStatus === 'canceled')!.params.SipResponseCode).toBe('487');
    expect(await tel.fetchCall(sid)).toEqual({ status: 'canceled', durationSeconds: 0 });
  });
});
