/**
 * The scheduler loop (role `scheduler`): while this process is the leader,
 * each tick claims as many due contacts as free concurrency and CPS tokens
 * allow, then places their calls after the claim has committed.
 */
import type { Kysely } from 'kysely';
import type { CallingConfig } from '../config.js';
import type { DB } from '../db/schema/index.js';
import { claimDueContacts, countActiveAttempts, type ClaimedCall } from '../commands/calling/claim.js';
import { completeFinishedCampaigns, recordPlacement, recordPlacementFailure } from '../commands/calling/outcomes.js';
import { backoffDelay, isRetryableError } from '../db/errors.js';
import type { Clock } from '../domain/clock.js';
import { classifyProviderError } from '../domain/calling/errors.js';
import { Pacer } from '../domain/calling/pacing.js';
import { transientRetryDelayMs } from '../domain/calling/retry.js';
import { TelephonyError, type Telephony } from '../domain/ports/telephony.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { LeaderLock } from './leader.js';
import { createLoop } from './loop.js';

export interface SchedulerDeps {
  readonly db: Kysely<DB>;
  readonly telephony: Telephony;
  readonly leader: LeaderLock;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly config: CallingConfig;
  /** Base URL the provider reaches our webhooks at (a function when known only after listen). */
  readonly publicBaseUrl: string | (() => string);
  /** Ask the provider for answering-machine detection. */
  readonly machineDetection: boolean;
  /** Most contacts claimed in one tick. */
  readonly batchSize?: number;
}

export interface Scheduler {
  start(): void;
  stop(): Promise<void>;
  /** One tick (tests). Resolves with the calls it placed or tried to place. */
  tick(): Promise<readonly ClaimedCall[]>;
}

/** Webhook paths; the HTTP edge registers the same ones (src/http/webhooks/telephony.ts). */
export const WEBHOOK_PATHS = {
  status: '/webhooks/telephony/status',
  answer: '/webhooks/telephony/answer',
  speech: '/webhooks/telephony/speech',
} as const;

export function callbackUrl(base: string, path: string, callId: string): string {
  return `${base}${path}?call_id=${encodeURIComponent(callId)}`;
}

/** Live-call limit: the telephony provider row when there is one, else configuration. */
async function maxConcurrentCalls(db: Kysely<DB>, fallback: number): Promise<number> {
  const row = await db
    .selectFrom('provider_configs')
    .select((eb) => eb.fn.min('max_concurrent_calls').as('n'))
    .where('provider_type', '=', 'telephony_api')
    .executeTakeFirst();
  return row?.n != null ? Number(row.n) : fallback;
}

async function withRetry<T>(fn: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i + 1 >= tries || !isRetryableError(err)) throw err;
      await new Promise((r) => setTimeout(r, backoffDelay(i + 1)));
    }
  }
}

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { db, telephony, clock, log, metrics, config } = deps;
  const batchSize = deps.batchSize ?? 100;
  // Pacing is physical time, whatever clock the rules use.
  const pacer = new Pacer(config.cps, Date.now());
  let wasLeader = false;
  let consecutiveTransient = 0;
  let providerBackoffUntil = 0;
  let ticks = 0;

  async function place(call: ClaimedCall): Promise<void> {
    const started = clock.now();
    const base = (typeof deps.publicBaseUrl === 'function' ? deps.publicBaseUrl() : deps.publicBaseUrl).replace(/\/+$/, '');
    try {
      const placed = await telephony.placeCall({
        to: call.phoneNumber,
        callId: call.callId,
        answerUrl: callbackUrl(base, WEBHOOK_PATHS.answer, call.callId),
        statusUrl: callbackUrl(base, WEBHOOK_PATHS.status, call.callId),
        ringTimeoutSeconds: config.ringTimeoutSeconds,
        timeLimitSeconds: config.maxCallSeconds,
        machineDetection: deps.machineDetection,
      });
      consecutiveTransient = 0;
      metrics.callsPlaced.inc();
      await withRetry(() => recordPlacement(db, { attemptId: call.attemptId, providerCallId: placed.providerCallId, now: clock.now() }));
    } catch (err) {
      const te = err instanceof TelephonyError ? err : new TelephonyError(String((err as Error)?.message ?? err), false, 'network');
      const cls = classifyProviderError(te);
      metrics.providerErrors.inc({ class: cls, code: te.code });
      const now = clock.now();
      if (cls === 'permanent') {
        log.info({ attemptId: call.attemptId, code: te.code }, 'call rejected permanently by the provider');
        const r = await withRetry(() => recordPlacementFailure(db, { attemptId: call.attemptId, permanent: true, errorCode: te.code, now, retryNotBefore: now }));
        if (r.outcome) metrics.callOutcomes.inc({ outcome: r.outcome });
        return;
      }
      consecutiveTransient++;
      providerBackoffUntil = Math.max(providerBackoffUntil, Date.now() + backoffDelay(consecutiveTransient, 500, 30_000));
      const level = cls === 'configuration' ? 'error' : 'warn';
      log[level]({ attemptId: call.attemptId, code: te.code, class: cls, ms: now.getTime() - started.getTime() }, 'placing a call failed; claim released');
      await withRetry(() => recordPlacementFailure(db, {
        attemptId: call.attemptId, permanent: false, errorCode: te.code, now,
        retryNotBefore: new Date(now.getTime() + transientRetryDelayMs(consecutiveTransient)),
      }));
    }
  }

  async function tick(): Promise<readonly ClaimedCall[]> {
    ticks++;
    const leader = await deps.leader.acquire();
    metrics.schedulerLeader.set(leader ? 1 : 0);
    if (leader && !wasLeader) pacer.reset(Date.now());
    wasLeader = leader;
    if (!leader) return [];
    if (ticks % 10 === 1) {
      for (const id of await completeFinishedCampaigns(db)) log.info({ campaignId: id }, 'campaign completed');
    }
    if (Date.now() < providerBackoffUntil) return [];
    const active = await countActiveAttempts(db, { now: clock.now(), cooldownMs: config.slotCooldownMs, carrierEndMs: config.reconcileMarginSeconds * 1000 });
    const free = (await maxConcurrentCalls(db, config.maxConcurrentCalls)) - active;
    if (free <= 0) return [];
    // Start times for the calls that fit before the next tick, at the CPS.
    const slots = pacer.slots(Math.min(free, batchSize), Date.now(), config.tickMs);
    if (slots.length === 0) return [];
    const endTimer = metrics.claimLatency.startTimer();
    const claimed = await db.transaction().execute((trx) =>
      claimDueContacts(trx, { limit: slots.length, now: clock.now(), guardMinutes: config.windowGuardMinutes }),
    );
    endTimer();
    const used = slots.slice(0, claimed.length);
    pacer.use(used);
    if (claimed.length === 0) return [];
    metrics.claimed.inc(claimed.length);
    log.debug({ claimed: claimed.length }, 'claimed contacts');
    await Promise.all(claimed.map(async (call, i) => {
      const wait = used[i]! - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await place(call);
    }));
    return claimed;
  }

  const loop = createLoop({ name: 'scheduler', intervalMs: config.tickMs, log, tick: async () => void (await tick()) });
  return {
    start: () => loop.start(),
    async stop() {
      await loop.stop();
      await deps.leader.release();
      metrics.schedulerLeader.set(0);
    },
    tick,
  };
}
