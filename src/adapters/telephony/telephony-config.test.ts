/**
 * Telephony configuration (src/config.ts) and the adapter factory.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.js';
import { createTelephonyRuntime } from './index.js';

const SID = `AC${'a1'.repeat(16)}`;

describe('telephony configuration', () => {
  it('defaults to the simulator, AMD off, 1 CPS, 10 concurrent calls', () => {
    const t = loadConfig({}).telephony;
    expect(t.provider).toBe('simulator');
    expect(t.machineDetection).toBe('off');
    expect(t.twilio).toBeUndefined();
    expect(t.simulator).toEqual({ port: 0, fast: false, seed: 1, mix: 'default', cps: 1, maxConcurrent: 10, chaos: {}, fromNumber: '+15005550006' });
  });

  it('provider twilio without credentials names every missing variable', () => {
    let err: unknown;
    try {
      loadConfig({ NODE_ENV: 'production', TELEPHONY_PROVIDER: 'twilio' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const named = (err as ConfigError).problems.map((p) => p.variable);
    expect(named).toEqual(expect.arrayContaining(['PUBLIC_BASE_URL', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM_NUMBER']));
    expect(named.filter((v) => /TWILIO|PUBLIC|TELEPHONY/.test(v))).toHaveLength(4);
  });

  it('provider twilio with credentials, an API key and a public URL', () => {
    const t = loadConfig({
      TELEPHONY_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'token-123456',
      TWILIO_API_KEY_SID: `SK${'b2'.repeat(16)}`,
      TWILIO_API_KEY_SECRET: 'secret-123456',
      TWILIO_FROM_NUMBER: '+390612345678',
      PUBLIC_BASE_URL: 'https://surveys.example.org/',
      TELEPHONY_MACHINE_DETECTION: 'DetectMessageEnd',
    }).telephony;
    expect(t.twilio).toEqual({
      accountSid: SID,
      authToken: 'token-123456',
      apiKey: { sid: `SK${'b2'.repeat(16)}`, secret: 'secret-123456' },
      fromNumber: '+390612345678',
    });
    expect(t.publicBaseUrl).toBe('https://surveys.example.org');
    expect(t.machineDetection).toBe('DetectMessageEnd');
  });

  it('rejects malformed values without echoing secrets', () => {
    let err: unknown;
    try {
      loadConfig({
        TWILIO_ACCOUNT_SID: 'XX1',
        TWILIO_FROM_NUMBER: '0612345678',
        SIMULATOR_MIX: 'everyone=1',
        SIMULATOR_CHAOS: 'drop=2',
        TWILIO_API_KEY_SID: `SK${'b2'.repeat(16)}`,
      });
    } catch (e) {
      err = e;
    }
    const msg = (err as Error).message;
    expect(msg).toMatch(/TWILIO_ACCOUNT_SID: must be AC/);
    expect(msg).toMatch(/TWILIO_FROM_NUMBER: must be an E\.164 number/);
    expect(msg).toMatch(/SIMULATOR_MIX: must be a named mix/);
    expect(msg).toMatch(/SIMULATOR_CHAOS: must be option=value/);
  });

  it('an API key needs its secret', () => {
    expect(() => loadConfig({ TWILIO_API_KEY_SID: `SK${'b2'.repeat(16)}` })).toThrowError(/TWILIO_API_KEY_SECRET: TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET go together/);
  });

  it('parses simulator settings', () => {
    const s = loadConfig({ SIMULATOR_FAST: 'true', SIMULATOR_SEED: '9', SIMULATOR_MIX: 'completes=3,busy=1', SIMULATOR_CPS: '20', SIMULATOR_CHAOS: 'duplicate=0.1,delayMs=100' }).telephony.simulator;
    expect(s).toMatchObject({ fast: true, seed: 9, mix: 'completes=3,busy=1', cps: 20, chaos: { duplicate: 0.1, delayMs: 100 } });
  });
});

describe('createTelephonyRuntime', () => {
  it('with the simulator: starts it on loopback and points the Twilio adapter at it', async () => {
    const config = loadConfig({ SIMULATOR_FAST: 'true' }).telephony;
    const rt = await createTelephonyRuntime(config, { fallbackPublicBaseUrl: 'http://127.0.0.1:9' });
    try {
      expect(rt.simulator!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await rt.telephony.fetchCall('CA00000000000000000000000000000000')).toBeNull();
      expect(rt.telephony.render({ say: [{ text: 'Ciao', language: 'it' }], hangup: true }).body).toContain('<Say voice="Polly.Bianca-Neural" language="it-IT">Ciao</Say><Hangup/>');
    } finally {
      await rt.close();
    }
  });

  it('with twilio: builds the adapter without network access', async () => {
    const config = loadConfig({
      TELEPHONY_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: 'token-123456',
      TWILIO_FROM_NUMBER: '+390612345678',
      PUBLIC_BASE_URL: 'https://surveys.example.org',
    }).telephony;
    const rt = await createTelephonyRuntime(config);
    expect(rt.simulator).toBeUndefined();
    expect(rt.telephony.verifyWebhook({ pathAndQuery: '/x', headers: {}, params: {} })).toBe(false);
    await rt.close();
  });
});
