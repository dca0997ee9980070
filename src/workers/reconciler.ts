/**
 * The reconciler loop: nothing stays `in_progress` forever.
 *
 * - Claims never placed (the process died between the claim's commit and the
 *   provider accepting the call) are released after `unplacedAfterSeconds`.
 * - Calls without a final status after ring timeout + max call length + margin
 *   are asked of the provider: a final status there is applied; otherwise the
 *   call is hung up (best effort) and closed as failed `reconciled_timeout`.
 * - Calls whose final status was recorded while their dialogue was live, and
 *   that are still waiting for it after the margin (the process giving a turn
 *   its grace died): settled now, no turn can still be in flight.
 * - When a person hung up on a live dialogue, the dialogue closes it as a
 *   break-off (`abandonDialogue`: partial answers kept).
 *
 * Safe to run in several processes: every change locks the attempt row and
 * re-checks it has no outcome.
 */
import type { Kysely } from 'kysely';
import type { CallingConfig } from '../config.js';
import { findStaleAttempts, findUnplacedClaims, reconcileAttempt, releaseClaim } from '../commands/calling/outcomes.js';
import { abandonDialogue } from '../commands/dialogue/turn.js';
import type { DB } from '../db/schema/index.js';
import type { Clock } from '../domain/clock.js';
import type { Telephony } from '../domain/ports/telephony.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { createLoop } from './loop.js';

export interface ReconcilerDeps {
  readonly db: Kysely<DB>;
  readonly telephony: Telephony;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly config: CallingConfig;
  /** A claim not placed after this long is released. Default: configuration. */
  readonly unplacedAfterSeconds?: number;
  /** A placed call without a final status after this long is reconciled. Default: ring timeout + max call length + margin. */
  readonly staleAfterSeconds?: number;
  readonly batchSize?: number;
}

export interface Reconciler {
  start(): void;
  stop(): Promise<void>;
  /** One sweep (tests). */
  tick(): Promise<{ released: number; fromProvider: number; timedOut: number }>;
}

const FINAL = new Set(['completed', 'busy', 'no_answer', 'failed', 'canceled']);

export function createReconciler(deps: ReconcilerDeps): Reconciler {
  const { db, telephony, clock, log, metrics, config } = deps;
  const batch = deps.batchSize ?? 200;

  async function tick() {
    const now = clock.now();
    let released = 0;
    let fromProvider = 0;
    let timedOut = 0;
    const unplacedBefore = new Date(now.getTime() - (deps.unplacedAfterSeconds ?? config.unplacedAfterSeconds) * 1000);
    for (const a of await findUnplacedClaims(db, { claimedBefore: unplacedBefore, limit: batch })) {
      if (await releaseClaim(db, { attemptId: a.id, retryNotBefore: null, now })) {
        released++;
        metrics.reconciled.inc({ how: 'released' });
      }
    }
    const staleAfter = deps.staleAfterSeconds ?? config.ringTimeoutSeconds + config.maxCallSeconds + config.reconcileMarginSeconds;
    const staleBefore = new Date(now.getTime() - staleAfter * 1000);
    const endedBefore = new Date(now.getTime() - config.reconcileMarginSeconds * 1000);
    for (const a of await findStaleAttempts(db, { startedBefore: staleBefore, endedBefore, limit: batch })) {
      let fetched: Awaited<ReturnType<Telephony['fetchCall']>> = null;
      const ended = a.call_status !== null && FINAL.has(a.call_status);
      if (!ended) {
        try {
          fetched = await telephony.fetchCall(a.provider_call_id!);
        } catch (err) {
          log.warn({ err, attemptId: a.id }, 'could not ask the provider about a stale call; closing it');
        }
        if (fetched && !FINAL.has(fetched.status)) await telephony.hangUp(a.provider_call_id!).catch(() => {});
      }
      const r = await reconcileAttempt(db, { attemptId: a.id, now: clock.now(), fetched: fetched && FINAL.has(fetched.status) ? fetched : null });
      if (r.dialogueBreakOff && (await abandonDialogue(db, { callId: a.call_id, now: clock.now() }, { log }))) {
        metrics.callOutcomes.inc({ outcome: 'failed' });
        fromProvider++;
        metrics.reconciled.inc({ how: 'provider_status' });
        continue;
      }
      if (!r.outcome) continue;
      metrics.callOutcomes.inc({ outcome: r.outcome });
      if ((fetched && FINAL.has(fetched.status)) || ended) {
        fromProvider++;
        metrics.reconciled.inc({ how: 'provider_status' });
      } else {
        timedOut++;
        metrics.reconciled.inc({ how: 'timeout' });
      }
    }
    if (released + fromProvider + timedOut > 0) log.info({ released, fromProvider, timedOut }, 'reconciled calls');
    return { released, fromProvider, timedOut };
  }

  const loop = createLoop({ name: 'reconciler', intervalMs: config.reconcileIntervalMs, log, tick: async () => void (await tick()) });
  return { start: () => loop.start(), stop: () => loop.stop(), tick };
}
