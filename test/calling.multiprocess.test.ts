/**
 * Three scheduler processes, one API process, the simulator, 2,000 contacts on
 * PostgreSQL. The leader is killed mid-run; a standby must take over.
 *
 * Asserted: no contact is ever in two live calls (sampled throughout and by
 * the invariants); the simulator's observed maximum concurrency never exceeds
 * our limit and its observed CPS never exceeds ours (it is itself unlimited,
 * so it measures us); leadership moves within two ticks; every contact ends
 * terminal or correctly awaiting retry (a one-hour retry interval keeps the
 * unsuccessful ones waiting); nothing is left in progress.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, SIMULATOR_FROM_NUMBER, type Simulator } from '../src/adapters/telephony/simulator/index.js';
import { createTwilioTelephony } from '../src/adapters/telephony/twilio/index.js';
import { buildApp, type App } from '../src/app.js';
// Answered calls get the short placeholder (thanks, hang up): this test is about dialling, not conversations.
import { defaultHandleAnswer, defaultHandleSpeech } from '../src/http/webhooks/telephony.js';
import { campaignCounts, checkCallingInvariants } from '../src/commands/calling/invariants.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/observability/logger.js';
import { BIN, childEnv } from './support/cli.js';
import { freshDatabase, testEngine, type TestDatabase } from './support/db.js';

const CONTACTS = 2000;
const CPS = 40;
const MAX_CONCURRENT = 30;
const TICK_MS = 100;

interface Child { proc: ChildProcess; url: Promise<string>; out: string[] }

function spawnScheduler(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [BIN, 'serve', '--role', 'scheduler'], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const url = new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out.push(d.toString());
      const m = /listening on (http:\/\/\S+)/.exec(d.toString());
      if (m) resolve(m[1]!);
    });
    proc.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
    proc.on('exit', (code) => reject(new Error(`scheduler exited early (${code}): ${out.join('')}`)));
  });
  url.catch(() => {});
  return { proc, url, out };
}

async function isLeader(url: string): Promise<boolean> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    return /^vsa_scheduler_leader 1$/m.test(text);
  } catch {
    return false;
  }
}

describe.runIf(testEngine() === 'postgres')('calling engine across processes (PostgreSQL)', () => {
  let t: TestDatabase;
  let sim: Simulator;
  let api: App;
  const children: Child[] = [];

  beforeAll(async () => {
    t = await freshDatabase();
    sim = createSimulator({ fast: true, seed: 42, cps: 0, maxConcurrent: 0, chaos: { duplicate: 0.1, reorder: 0.1, delay: 0.05, delayMs: 20, create429: 0.01, create5xx: 0.01 } });
    await sim.start();
    let apiUrl = '';
    const telephony = createTwilioTelephony({ accountSid: sim.accountSid, authToken: sim.authToken, apiBaseUrl: sim.url, fromNumber: SIMULATOR_FROM_NUMBER, publicBaseUrl: () => apiUrl });
    api = await buildApp(loadConfig({ PORT: '0', DATABASE_URL: t.url!, DATABASE_POOL_MAX: '20' }), createLogger({ level: 'silent' }), { role: 'api', database: t, telephony, handleAnswer: defaultHandleAnswer, handleSpeech: defaultHandleSpeech });
    apiUrl = await api.start();

    const campaign = await t.db.insertInto('campaigns').values({
      name: 'Multi-process', status: 'running', max_attempts: 2, retry_interval_minutes: 60,
      allowed_call_start_local: '00:00', allowed_call_end_local: '23:59:59', allowed_weekdays: [1, 2, 3, 4, 5, 6, 7],
      question_1_text: 'a', question_2_text: 'b', question_3_text: 'c',
    }).returning('id').executeTakeFirstOrThrow();
    for (let i = 0; i < CONTACTS; i += 500) {
      const rows = [];
      for (let j = i; j < i + 500; j++) rows.push({ campaign_id: campaign.id, phone_number: `+393400${String(j).padStart(6, '0')}`, has_prior_consent: true });
      await t.db.insertInto('contacts').values(rows).execute();
    }
    (globalThis as { campaignId?: string }).campaignId = campaign.id;

    const env = {
      PORT: '0', DATABASE_URL: t.url!, LOG_LEVEL: 'warn',
      TELEPHONY_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: sim.accountSid, TWILIO_AUTH_TOKEN: sim.authToken,
      TWILIO_FROM_NUMBER: SIMULATOR_FROM_NUMBER, TWILIO_API_BASE_URL: sim.url, PUBLIC_BASE_URL: apiUrl,
      CALLING_CPS: String(CPS), CALLING_MAX_CONCURRENT_CALLS: String(MAX_CONCURRENT), SCHEDULER_TICK_MS: String(TICK_MS),
      CALLING_WINDOW_GUARD_MINUTES: '0',
      // The simulator frees a concurrency slot only once its final callback has been
      // answered; on a loaded machine that lags our commit by more than the default 1 s.
      CALLING_SLOT_COOLDOWN_MS: '3000', RECONCILER_INTERVAL_MS: '500', RECONCILER_UNPLACED_AFTER_SECONDS: '60',
      CALLING_RING_TIMEOUT_SECONDS: '5', CALLING_MAX_CALL_SECONDS: '30', RECONCILER_MARGIN_SECONDS: '0',
    };
    for (let i = 0; i < 3; i++) children.push(spawnScheduler(env));
    await Promise.all(children.map((c) => c.url));
  }, 120_000);

  afterAll(async () => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.proc.exitCode === null && c.proc.signalCode === null
      ? new Promise((r) => {
        const timer = setTimeout(() => c.proc.kill('SIGKILL'), 10_000);
        c.proc.once('exit', () => { clearTimeout(timer); r(null); });
      })
      : null)));
    await sim?.stop();
    await api?.stop();
    await t?.close();
  }, 60_000);

  it('dials 2,000 contacts with one leader at a time, within limits, to a consistent end', async () => {
    const campaignId = (globalThis as { campaignId?: string }).campaignId!;
    const urls = await Promise.all(children.map((c) => c.url));
    let maxLive = 0;
    const sampleLive = async () => {
      const r = await sql<{ n: number }>`SELECT coalesce(max(n), 0)::int AS n FROM (SELECT count(*) AS n FROM call_attempts
        WHERE outcome IS NULL GROUP BY contact_id) x`.execute(t.db);
      maxLive = Math.max(maxLive, Number(r.rows[0]!.n));
    };

    // Wait for dialling to get going, then kill the leader.
    const start = Date.now();
    while ((await t.db.selectFrom('call_attempts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n < 200) {
      await sampleLive();
      expect(Date.now() - start).toBeLessThan(120_000);
      await new Promise((r) => setTimeout(r, 100));
    }
    const leaders = [];
    for (let i = 0; i < urls.length; i++) if (await isLeader(urls[i]!)) leaders.push(i);
    expect(leaders).toHaveLength(1);
    const victim = leaders[0]!;
    children[victim]!.proc.kill('SIGKILL');
    const killedAt = Date.now();
    let takeover = -1;
    while (takeover < 0 && Date.now() - killedAt < 10_000) {
      for (let i = 0; i < urls.length; i++) if (i !== victim && (await isLeader(urls[i]!))) takeover = Date.now() - killedAt;
      await new Promise((r) => setTimeout(r, 20));
    }
    // Two ticks, plus the time our metrics poll and the loaded machine add.
    expect(takeover).toBeGreaterThanOrEqual(0);
    expect(takeover).toBeLessThan(2 * TICK_MS + 1500);

    // One round: every contact is dialled once; with a 60-minute retry interval the
    // unsuccessful ones then wait for their retry. Done when nothing is pending or in flight.
    for (;;) {
      await sampleLive();
      const open = await sql<{ n: number }>`SELECT ((SELECT count(*) FROM contacts WHERE campaign_id = ${campaignId} AND state IN ('pending', 'in_progress'))
        + (SELECT count(*) FROM call_attempts WHERE outcome IS NULL))::int AS n`.execute(t.db);
      if (Number(open.rows[0]!.n) === 0) break;
      expect(Date.now() - start, JSON.stringify(await campaignCounts(t.db, campaignId))).toBeLessThan(500_000);
      await new Promise((r) => setTimeout(r, 200));
    }
    const stats = sim.stats();
    const counts = await campaignCounts(t.db, campaignId);
    console.log(JSON.stringify({ takeoverMs: takeover, maxLive, maxConcurrency: stats.maxConcurrency, maxCps: stats.maxCps, calls: stats.callsCreated, rejected: stats.callsRejected, ...counts, seconds: (Date.now() - start) / 1000 }));
    expect(maxLive).toBe(1);
    expect(stats.maxConcurrency).toBeLessThanOrEqual(MAX_CONCURRENT);
    expect(stats.maxCps).toBeLessThanOrEqual(CPS);
    expect(await checkCallingInvariants(t.db, campaignId, { settled: true })).toEqual([]);
    expect(Object.values(counts.contactsByState).reduce((a, b) => a + b, 0)).toBe(CONTACTS);
    expect(counts.contactsByState.in_progress ?? 0).toBe(0);
    expect(counts.contactsByState.pending ?? 0).toBe(0);
    // Terminal, or awaiting retry: not_reached after one attempt, not closed, attempts left, retry time in the future.
    const awaiting = await t.db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('campaign_id', '=', campaignId).where('state', '=', 'not_reached').where('closed_at', 'is', null)
      .where('attempts_count', '=', 1).where('last_attempt_at', '>', new Date(Date.now() - 3_600_000)).executeTakeFirstOrThrow();
    const terminal = ['completed', 'refused', 'excluded'].reduce((a, k) => a + (counts.contactsByState[k] ?? 0), 0) + counts.closedNotReached;
    expect(Number(awaiting.n) + terminal).toBe(CONTACTS);
  }, 600_000);
});
