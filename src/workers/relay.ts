/**
 * The outbox relay worker: claims due unpublished events, publishes them
 * through the configured EventRelay, and records the result. Any number of
 * relays may run against one database (claims use SKIP LOCKED and a lease).
 * Ordering guarantees: docs/events.md.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { claimUnpublishedEvents, markEventsFailed, markEventsPublished } from '../commands/outbox/relay.js';
import type { DB } from '../db/schema/index.js';
import type { Clock } from '../domain/clock.js';
import { buildRelayMessage, type BackoffPolicy } from '../domain/events/message.js';
import type { EventRelay } from '../domain/ports/event-relay.js';
import type { Logger } from '../observability/logger.js';
import { PollingLoop } from './polling-loop.js';

export interface RelayWorkerOptions {
  readonly db: Kysely<DB>;
  readonly relay: EventRelay;
  readonly clock: Clock;
  readonly log: Logger;
  readonly relayId?: string;
  /** Events per claim (default 200). */
  readonly batchSize?: number;
  /** Claim lease (default 60 s): longer than a publish can take. */
  readonly leaseMs?: number;
  /** Backoff after a failed publish (default 1 s doubling to 5 min). */
  readonly backoff?: BackoffPolicy;
  /** Sleep when there is nothing to do (default 1 s). */
  readonly idleMs?: number;
}

export interface RelayTickResult {
  readonly claimed: number;
  readonly published: number;
  readonly failed: number;
  /** Claimed again after an earlier claim never recorded a result: may be delivered twice. */
  readonly possibleDuplicates: number;
}

export class RelayWorker {
  readonly relayId: string;
  readonly #loop: PollingLoop;
  readonly #batchSize: number;
  readonly #leaseMs: number;
  readonly #backoff: BackoffPolicy;
  /** Running totals since start (for metrics and tests). */
  readonly totals = { claimed: 0, published: 0, failed: 0, possibleDuplicates: 0 };

  constructor(private readonly opts: RelayWorkerOptions) {
    this.relayId = opts.relayId ?? `relay-${randomUUID()}`;
    this.#batchSize = opts.batchSize ?? 200;
    this.#leaseMs = opts.leaseMs ?? 60_000;
    this.#backoff = opts.backoff ?? { baseMs: 1_000, capMs: 300_000 };
    this.#loop = new PollingLoop('relay', async () => {
      const r = await this.runOnce();
      // A full batch that published means there may be more; a failing broker means wait.
      return { more: r.claimed === this.#batchSize && r.failed === 0 };
    }, opts.idleMs ?? 1_000, opts.log);
  }

  start(): void {
    this.#loop.start();
  }

  stop(): Promise<void> {
    return this.#loop.stop();
  }

  /** One claim → publish → record cycle. */
  async runOnce(): Promise<RelayTickResult> {
    const { db, relay, clock, log } = this.opts;
    const claimed = await db.transaction().execute((trx) =>
      claimUnpublishedEvents(trx, { relayId: this.relayId, limit: this.#batchSize, now: clock.now(), leaseMs: this.#leaseMs }));
    if (claimed.length === 0) return { claimed: 0, published: 0, failed: 0, possibleDuplicates: 0 };
    const possibleDuplicates = claimed.filter((e) => e.reclaimed).length;
    if (possibleDuplicates > 0) log.warn({ relay: this.relayId, count: possibleDuplicates }, 'relay re-claimed events whose earlier claim never finished; they may be delivered twice');

    let published: readonly string[];
    let failed: { eventId: string; error: string }[];
    try {
      const result = await relay.publish(claimed.map(buildRelayMessage));
      published = result.published;
      failed = [...result.failed];
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      published = [];
      failed = claimed.map((e) => ({ eventId: e.id, error }));
      log.warn({ relay: this.relayId, adapter: relay.name, count: claimed.length, error }, 'broker unavailable; backing off');
    }
    const now = clock.now();
    await markEventsPublished(db, published, now);
    if (failed.length > 0) await markEventsFailed(db, failed, { relayId: this.relayId, now, backoff: this.#backoff });
    const r = { claimed: claimed.length, published: published.length, failed: failed.length, possibleDuplicates };
    for (const k of Object.keys(this.totals) as (keyof RelayTickResult)[]) this.totals[k] += r[k];
    log.debug({ relay: this.relayId, ...r }, 'relay batch');
    return r;
  }
}
