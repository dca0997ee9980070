/**
 * Statistics are near real time: each campaign's result is cached for a
 * configurable TTL (≤ 60 s, STATS_CACHE_TTL_SECONDS), so the dashboard is at
 * most that stale while a polling console costs one query set per TTL per
 * campaign, not one per viewer. Concurrent misses in one process share a
 * single computation. A failing cache store (Redis down) degrades to
 * computing every time; it never fails the request. Cached values are
 * shared between callers: treat them as read-only.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema/index.js';
import type { Clock } from '../../domain/clock.js';
import { systemClock } from '../../domain/clock.js';
import type { CacheStore } from '../../domain/ports/cache-store.js';
import type { Logger } from '../../observability/logger.js';
import { getCampaignStats, getStatsOverview, type CampaignOverview, type CampaignStats } from './stats.js';

export const MAX_STATS_TTL_MS = 60_000;

export interface StatsCacheOptions {
  ttlMs: number;
  clock?: Clock;
  log?: Logger;
}

export class StatsCache {
  private readonly ttlMs: number;
  private readonly clock: Clock;
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** The last text read per key and its parsed value: an unchanged entry is not parsed again. */
  private readonly parsed = new Map<string, { raw: string; value: unknown }>();

  constructor(private readonly store: CacheStore, private readonly opts: StatsCacheOptions) {
    if (!(opts.ttlMs >= 0 && opts.ttlMs <= MAX_STATS_TTL_MS)) throw new RangeError(`stats cache TTL must be 0–${MAX_STATS_TTL_MS} ms`);
    this.ttlMs = opts.ttlMs;
    this.clock = opts.clock ?? systemClock;
  }

  /** Cached campaign statistics (computed on a miss). */
  campaignStats(db: Kysely<DB>, campaignId: string): Promise<CampaignStats> {
    return this.getOrCompute(`stats:campaign:${campaignId}`, () => getCampaignStats(db, campaignId, { now: this.clock.now() }));
  }

  /** Cached overview of all campaigns. */
  overview(db: Kysely<DB>): Promise<CampaignOverview[]> {
    return this.getOrCompute('stats:overview', () => getStatsOverview(db));
  }

  /** Drops a campaign's cached statistics (e.g. after an import). */
  async invalidate(campaignId: string): Promise<void> {
    await this.store.delete(`stats:campaign:${campaignId}`).catch(() => {});
    await this.store.delete('stats:overview').catch(() => {});
  }

  async getOrCompute<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (this.ttlMs === 0) return compute();
    const cached = await this.store.get(key).catch((err: unknown) => {
      this.opts.log?.warn({ err: (err as Error).message, key }, 'stats cache read failed; computing');
      return null;
    });
    if (cached !== null) {
      const last = this.parsed.get(key);
      if (last && last.raw === cached) return last.value as T;
      const value = JSON.parse(cached) as T;
      if (this.parsed.size > 1_000) this.parsed.clear();
      this.parsed.set(key, { raw: cached, value });
      return value;
    }
    const running = this.inflight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const p = (async () => {
      try {
        const value = await compute();
        const raw = JSON.stringify(value);
        this.parsed.set(key, { raw, value });
        await this.store.set(key, raw, this.ttlMs).catch((err: unknown) => {
          this.opts.log?.warn({ err: (err as Error).message, key }, 'stats cache write failed');
        });
        return value;
      } finally {
        this.inflight.delete(key);
      }
    })();
    this.inflight.set(key, p);
    return p;
  }
}
