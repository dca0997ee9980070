import { Redis } from 'ioredis';
import type { CacheStore } from '../../../domain/ports/cache-store.js';

/**
 * Redis-backed cache shared by every API process. Keys are prefixed (default
 * `vsa:`); expiry is Redis's own (`SET … PX`). A Redis outage must not take the
 * statistics down: the caller treats errors as misses (see StatsCache).
 */
export class RedisCacheStore implements CacheStore {
  private readonly redis: Redis;

  constructor(url: string, private readonly prefix = 'vsa:') {
    this.redis = new Redis(url, {
      lazyConnect: false,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
      connectTimeout: 2_000,
    });
    // Errors surface on the commands; an unhandled 'error' event would crash the process.
    this.redis.on('error', () => {});
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(this.prefix + key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + key, value, 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
