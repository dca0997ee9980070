/**
 * Statistics are near real time: each campaign's result is cached for a
 * configurable TTL (≤ 60 s, STATS_CACHE_TTL_SECONDS), so the dashboard is at
 * most that stale while a polling console costs one query set per TTL per
 * campaign, not one per viewer. Concurrent misses in one process share a
 * single computation. A failing cache store (Redis down) degrades to
 * computing every time; it never fails the request. Cached values are
 * shared between callers: treat them as read-only.
 */
import { randomBytes } from 'node:crypto';
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
  /** The version last read per key and its parsed value: an unchanged entry is neither fetched nor parsed again. */
  private readonly parsed = new Map<string, { version: string; value: unknown }>();

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
    for (const k of [`stats:campaign:${campaignId}`, 'stats:overview']) {
      await this.store.delete(`${k}:v`).catch(() => {});
      await this.store.delete(k).catch(() => {});
    }
  }

  /**
   * Entries are stored twice: `key` holds `<version>\n<json>` and `key:v` the
   * version alone. A reader asks for the few-byte version first and reuses
   * the value it already parsed when the version is unchanged, so a hit on a
   * shared (Redis) cache moves a few bytes instead of the whole statistics.
   */
  async getOrCompute<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (this.ttlMs === 0) return compute();
    const readFailed = (err: unknown) => {
      this.opts.log?.warn({ err: (err as Error).message, key }, 'stats cache read failed; computing');
      return null;
    };
    const version = await this.store.get(`${key}:v`).catch(readFailed);
    const last = this.parsed.get(key);
    if (version !== null && last && last.version === version) return last.value as T;
    const cached = version === null ? null : await this.store.get(key).catch(readFailed);
    if (cached !== null) {
      const nl = cached.indexOf('\n');
      const value = JSON.parse(cached.slice(nl + 1)) as T;
      if (this.parsed.size > 1_000) this.parsed.clear();
      this.parsed.set(key, { version: cached.slice(0, nl), value });
      return value;
    }
    const running = this.inflight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const p = (async () => {
      try {
        const value = await compute();
        const v = randomBytes(8).toString('hex');
        this.parsed.set(key, { version: v, value });
        try {
          await this.store.set(key, `${v}\n${JSON.stringify(value)}`, this.ttlMs);
          await this.store.set(`${key}:v`, v, this.ttlMs);
        } catch (err) {
          this.opts.log?.warn({ err: (err as Error).message, key }, 'stats cache write failed');
        }
        return value;
      } finally {
        this.inflight.delete(key);
      }
    })();
    this.inflight.set(key, p);
    return p;
  }
}
