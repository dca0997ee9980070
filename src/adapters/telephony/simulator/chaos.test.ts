/**
 * Capacity and chaos: CPS queueing, duplicate / reordered / dropped callbacks,
 * transient create failures — reproducible for a fixed seed.
 */
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCaptureServer, type Captured, type CaptureServer } from '../../../../test/support/capture-server.js';
import { createTwilioTelephony } from '../twilio/index.js';
import { parseChaos } from './chaos.js';
import { createSimulator, SIMULATOR_FROM_NUMBER, type SimulatorOptions } from './index.js';

let hook: CaptureServer;
beforeAll(async () => {
  hook = await startCaptureServer((r) => (r.url.includes('/status') ? { status: 204, body: '' } : undefined));
});
afterAll(() => hook.close());

/** Runs `n` busy calls one after another through the adapter; returns the simulator stats and each call's callbacks in arrival order. */
async function run(opts: SimulatorOptions, n: number, tag: string) {
  const sim = createSimulator({ fast: true, cps: 0, maxConcurrent: 0, mix: 'busy=1', ...opts });
  await sim.start();
  try {
    const tel = createTwilioTelephony({ accountSid: sim.accountSid, authToken: sim.authToken, fromNumber: SIMULATOR_FROM_NUMBER, publicBaseUrl: hook.url, apiBaseUrl: sim.url });
    const sids: string[] = [];
    for (let i = 0; i < n; i++) {
      const p = await tel.placeCall({ to: `+3934700${String(i).padStart(5, '0')}`, callId: `${tag}-${i}`, answerUrl: `${hook.url}/answer`, statusUrl: `${hook.url}/status?run=${tag}` });
      sids.push(p.providerCallId);
      await sim.idle();
    }
    const arrivals = sids.map((sid) => hook.requests.filter((r: Captured) => r.params.CallSid === sid && r.url.includes(`run=${tag}`)));
    return { stats: sim.stats(), arrivals, sim };
  } finally {
    await sim.stop();
  }
}

const seqs = (rs: Captured[]) => rs.map((r) => Number(r.params.SequenceNumber));

describe('capacity', () => {
  it('queues calls above the CPS: never more than 5 dialled in any second', async () => {
    const sim = createSimulator({ fast: true, cps: 5, maxConcurrent: 0, mix: 'busy=1' });
    await sim.start();
    try {
      const tel = createTwilioTelephony({ accountSid: sim.accountSid, authToken: sim.authToken, fromNumber: SIMULATOR_FROM_NUMBER, publicBaseUrl: hook.url, apiBaseUrl: sim.url });
      const started = performance.now();
      const placed = await Promise.all(
        Array.from({ length: 12 }, (_, i) => tel.placeCall({ to: `+3934711${String(i).padStart(5, '0')}`, callId: `cps-${i}`, answerUrl: `${hook.url}/a`, statusUrl: `${hook.url}/status?run=cps` })),
      );
      expect(placed.every((p) => p.status === 'queued')).toBe(true);
      await sim.idle();
      const elapsed = performance.now() - started;
      const s = sim.stats();
      expect(s.outcomes).toEqual({ busy: 12 });
      expect(s.maxCps).toBeLessThanOrEqual(5);
      expect(s.maxCps).toBeGreaterThanOrEqual(3); // late timers on a loaded machine may spread starts
      // 12 calls at 5 per second: the last is dialled ≥ 2.2 s after the first
      expect(elapsed).toBeGreaterThanOrEqual(2_100);
      const res = await fetch(`${sim.url}/2010-04-01/Accounts/${sim.accountSid}/Calls/${placed.at(-1)!.providerCallId}.json`, {
        headers: { Authorization: `Basic ${Buffer.from(`${sim.accountSid}:${sim.authToken}`).toString('base64')}` },
      });
      expect(Number(((await res.json()) as { queue_time: string }).queue_time)).toBeGreaterThan(1_000);
    } finally {
      await sim.stop();
    }
  });
});

describe('memory', () => {
  it('forgets the oldest finished calls beyond keepCalls', async () => {
    const { stats } = await run({ seed: 2, keepCalls: 2 }, 4, 'keep');
    expect(stats.callsCreated).toBe(4);
    expect(stats.calls).toHaveLength(2);
    expect(stats.outcomes).toEqual({ busy: 4 });
  });
});

describe('chaos (seeded)', () => {
  it('duplicate=1 delivers every callback twice, each validly signed', async () => {
    const { stats, arrivals, sim } = await run({ seed: 11, chaos: { duplicate: 1 } }, 3, 'dup');
    expect(stats.callbacks.duplicated).toBe(9);
    for (const a of arrivals) expect(seqs(a)).toEqual([0, 0, 1, 1, 2, 2]);
    for (const r of arrivals.flat()) expect(twilio.validateRequest(sim.authToken, r.headers['x-twilio-signature'] as string, r.url, r.params)).toBe(true);
  });

  it('reorder=1 delivers events out of order (each still exactly once)', async () => {
    const { stats, arrivals } = await run({ seed: 12, chaos: { reorder: 1 } }, 3, 'reo');
    expect(stats.callbacks.reordered).toBe(3);
    for (const a of arrivals) {
      expect(seqs(a)).toEqual([1, 0, 2]);
      expect(a.at(-1)!.params.CallStatus).toBe('busy');
    }
  });

  it('drop=1 delivers nothing and counts the drops', async () => {
    const { stats, arrivals } = await run({ seed: 13, chaos: { drop: 1 } }, 2, 'drop');
    expect(stats.callbacks).toMatchObject({ dropped: 6, sent: 0 });
    expect(arrivals.flat()).toHaveLength(0);
  });

  it('delay makes late callbacks overtake: all still arrive', async () => {
    const { stats, arrivals } = await run({ seed: 14, chaos: { delay: 0.5, delayMs: 30 } }, 6, 'late');
    expect(stats.callbacks.delayed).toBeGreaterThan(0);
    for (const a of arrivals) expect([...seqs(a)].sort()).toEqual([0, 1, 2]);
  });

  it('the same seed reproduces the same faults', async () => {
    const chaos = parseChaos('duplicate=0.3,reorder=0.3,drop=0.2');
    const a = await run({ seed: 99, chaos }, 8, 'seedA');
    const b = await run({ seed: 99, chaos }, 8, 'seedB');
    expect(a.stats.callbacks).toEqual(b.stats.callbacks);
    expect(a.arrivals.map(seqs)).toEqual(b.arrivals.map(seqs));
    expect(a.stats.callbacks.duplicated + a.stats.callbacks.reordered + a.stats.callbacks.dropped).toBeGreaterThan(0);
    const c = await run({ seed: 100, chaos }, 8, 'seedC');
    expect(c.arrivals.map(seqs)).not.toEqual(a.arrivals.map(seqs));
  });

  it('create429=1 and create5xx=1 refuse every create with a transient error', async () => {
    for (const [chaos, code] of [[{ create429: 1 }, '20429'], [{ create5xx: 1 }, '20500']] as const) {
      const sim = createSimulator({ fast: true, chaos });
      await sim.start();
      try {
        const tel = createTwilioTelephony({ accountSid: sim.accountSid, authToken: sim.authToken, fromNumber: SIMULATOR_FROM_NUMBER, publicBaseUrl: hook.url, apiBaseUrl: sim.url });
        await expect(tel.placeCall({ to: '+393470000123', callId: 'x', answerUrl: `${hook.url}/a`, statusUrl: `${hook.url}/s` })).rejects.toMatchObject({ permanent: false, code });
        expect(sim.stats().callsRejected).toEqual({ [code]: 1 });
      } finally {
        await sim.stop();
      }
    }
  });
});

