/**
 * Telephony benchmark: the Twilio adapter and the simulator on loopback.
 *
 * - verify: webhook signature checks per second (adapter.verifyWebhook →
 *   twilio.validateRequest) against the physical floor of one HMAC-SHA1 over
 *   the same bytes;
 * - turn: one signed speech-result POST to a voice app (verify → parse →
 *   render TwiML) against a bare loopback POST to a static Fastify route;
 * - calls: complete surveys per second (4 status callbacks + 5 TwiML turns per
 *   call) with the simulator in fast mode, no CPS or concurrency limit.
 *
 * Prints one JSON object. Run: npm run bench:telephony
 */
import Fastify from 'fastify';
import { createHmac } from 'node:crypto';
import { cpus } from 'node:os';
import { createSimulator, SIMULATOR_FROM_NUMBER } from '../src/adapters/telephony/simulator/index.js';
import { twilioSignature } from '../src/adapters/telephony/simulator/signature.js';
import { createTwilioTelephony } from '../src/adapters/telephony/twilio/index.js';
import { startSurveyApp } from '../test/support/survey-app.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 300);
const PARALLEL = Number(process.env.BENCH_PARALLEL ?? 20);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(3));
};

async function main() {
  const sim = createSimulator({ fast: true, cps: 0, maxConcurrent: 0, mix: 'all_complete', seed: 1 });
  await sim.start();
  const app = await startSurveyApp();
  const tel = createTwilioTelephony({ accountSid: sim.accountSid, authToken: sim.authToken, fromNumber: SIMULATOR_FROM_NUMBER, publicBaseUrl: app.url, apiBaseUrl: sim.url });
  app.telephony = tel;
  const bare = Fastify({ logger: false });
  bare.post('/x', async () => '<Response/>');
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });

  try {
    // 1. signature verification vs one HMAC over the same bytes
    const params: Record<string, string> = {
      CallSid: `CA${'1'.repeat(32)}`, AccountSid: sim.accountSid, CallStatus: 'in-progress', From: SIMULATOR_FROM_NUMBER,
      To: '+393470000000', SequenceNumber: '2', Timestamp: 'Tue, 31 Aug 2010 20:36:28 +0000',
    };
    const path = '/calls/abc/status?call_id=abc';
    const signature = twilioSignature(sim.authToken, `${app.url}${path}`, params);
    const N = 50_000;
    let t = performance.now();
    for (let i = 0; i < N; i++) if (!tel.verifyWebhook({ pathAndQuery: path, headers: { 'x-twilio-signature': signature }, params })) throw new Error('bad signature');
    const verifyPerSecond = Math.round(N / ((performance.now() - t) / 1000));
    const data = Object.keys(params).sort().reduce((acc, k) => acc + k + params[k], `${app.url}${path}`);
    t = performance.now();
    for (let i = 0; i < N; i++) createHmac('sha1', sim.authToken).update(data).digest('base64');
    const hmacPerSecond = Math.round(N / ((performance.now() - t) / 1000));

    // 2. one TwiML turn vs a bare POST
    const bareMs: number[] = [];
    const turnMs: number[] = [];
    const turnParams = { ...params, SpeechResult: 'Seven', Confidence: '0.9' };
    const form = new URLSearchParams(turnParams).toString();
    const turnPath = '/calls/abc/turn?step=1';
    const turnSig = twilioSignature(sim.authToken, `${app.url}${turnPath}`, turnParams);
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    for (let i = 0; i < 2_000; i++) {
      let s = performance.now();
      await (await fetch(`${bareUrl}/x`, { method: 'POST', headers, body: form })).text();
      bareMs.push(performance.now() - s);
      s = performance.now();
      const r = await fetch(`${app.url}${turnPath}`, { method: 'POST', headers: { ...headers, 'X-Twilio-Signature': turnSig }, body: form });
      await r.text();
      if (r.status !== 200) throw new Error(`turn answered HTTP ${r.status}`);
      turnMs.push(performance.now() - s);
    }

    // 3. complete surveys through adapter + simulator + app
    const cpu0 = process.cpuUsage();
    t = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < CALLS) {
        const i = next++;
        const callId = `b${i}`;
        await tel.placeCall({ to: `+3934${String(i).padStart(8, '0')}`, callId, answerUrl: `${app.url}/calls/${callId}/answer`, statusUrl: `${app.url}/calls/${callId}/status` });
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    await sim.idle();
    const seconds = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuMsPerCall = Number(((cpu.user + cpu.system) / 1000 / CALLS).toFixed(2));
    const stats = sim.stats();
    const completedSurveys = stats.calls.filter((c) => c.status === 'completed' && c.transcript.filter((l) => l.who === 'respondent').length === 4).length;

    process.stdout.write(
      `${JSON.stringify({
        benchmark: 'telephony',
        date: new Date().toISOString(),
        cores: cpus().length,
        verify: { perSecond: verifyPerSecond, hmacFloorPerSecond: hmacPerSecond, ratio: Number((verifyPerSecond / hmacPerSecond).toFixed(3)) },
        turn: { p50Ms: pct(turnMs, 50), p99Ms: pct(turnMs, 99), bareP50Ms: pct(bareMs, 50), bareP99Ms: pct(bareMs, 99), overheadP50Ms: Number((pct(turnMs, 50) - pct(bareMs, 50)).toFixed(3)) },
        calls: { count: CALLS, parallel: PARALLEL, completedSurveys, perSecond: Number((CALLS / seconds).toFixed(1)), cpuMsPerCall, cpuShare: Number(((cpu.user + cpu.system) / 1e6 / seconds).toFixed(2)), callbacksSent: stats.callbacks.sent, maxConcurrency: stats.maxConcurrency },
      })}\n`,
    );
  } finally {
    await sim.stop();
    await app.close();
    await bare.close();
  }
}

await main();
