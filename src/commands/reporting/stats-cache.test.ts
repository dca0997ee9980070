import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/support/clock.js';
import { freshDatabase, type TestDatabase } from '../../../test/support/db.js';
import { createCampaign, createContact } from '../../../test/support/factories.js';
import { serviceAvailable } from '../../../test/support/services.js';
import { MemoryCacheStore } from '../../adapters/cache/memory/memory-cache-store.js';
import { RedisCacheStore } from '../../adapters/cache/redis/redis-cache-store.js';
import type { DB } from '../../db/schema/index.js';
import type { CacheStore } from '../../domain/ports/cache-store.js';
import { StatsCache } from './stats-cache.js';

let t: TestDatabase;
let db: Kysely<DB>;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
});
afterAll(() => t.close());

describe('StatsCache (in memory)', () => {
  it('serves the cached statistics within the TTL and recomputes after it', async () => {
    const clock = new FakeClock();
    const cache = new StatsCache(new MemoryCacheStore(clock), { ttlMs: 30_000, clock });
    const c = await createCampaign(db);
    await createContact(db, c.id);
    expect((await cache.campaignStats(db, c.id)).contacts.total).toBe(1);
    await createContact(db, c.id);
    clock.advance(29_000);
    expect((await cache.campaignStats(db, c.id)).contacts.total).toBe(1); // stale but within TTL
    clock.advance(1_000);
    expect((await cache.campaignStats(db, c.id)).contacts.total).toBe(2);
  });

  it('shares one computation between concurrent misses', async () => {
    const cache = new StatsCache(new MemoryCacheStore(), { ttlMs: 10_000 });
    let calls = 0;
    const compute = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
      return { n: 1 };
    };
    const results = await Promise.all([1, 2, 3].map(() => cache.getOrCompute('k', compute)));
    expect(results).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }]);
    expect(calls).toBe(1);
  });

  it('computes every time when the store fails, and refuses a TTL above 60 s', async () => {
    const broken: CacheStore = {
      get: () => Promise.reject(new Error('down')),
      set: () => Promise.reject(new Error('down')),
      delete: () => Promise.reject(new Error('down')),
      close: async () => {},
    };
    const cache = new StatsCache(broken, { ttlMs: 10_000 });
    let calls = 0;
    await cache.getOrCompute('k', async () => ++calls);
    await cache.getOrCompute('k', async () => ++calls);
    expect(calls).toBe(2);
    expect(() => new StatsCache(broken, { ttlMs: 61_000 })).toThrow(RangeError);
  });
});

const redisUp = await serviceAvailable('Redis', 6379);

describe.runIf(redisUp)('StatsCache on Redis (shared by several processes)', () => {
  const prefix = `vsa-test-${randomBytes(4).toString('hex')}:`;
  let a: RedisCacheStore;
  let b: RedisCacheStore;
  beforeAll(() => {
    a = new RedisCacheStore('redis://127.0.0.1:6379', prefix);
    b = new RedisCacheStore('redis://127.0.0.1:6379', prefix);
  });
  afterAll(async () => {
    await a.delete('stats:overview');
    await a.delete('stats:overview:v');
    await a.close();
    await b.close();
  });

  it('an entry computed by one API process is served to another', async () => {
    const c = await createCampaign(db);
    await createContact(db, c.id);
    const first = new StatsCache(a, { ttlMs: 30_000 });
    const second = new StatsCache(b, { ttlMs: 30_000 });
    expect((await first.campaignStats(db, c.id)).contacts.total).toBe(1);
    await createContact(db, c.id);
    // the second process reads the shared entry instead of recomputing
    expect((await second.campaignStats(db, c.id)).contacts.total).toBe(1);
    await second.invalidate(c.id);
    expect((await first.campaignStats(db, c.id)).contacts.total).toBe(2);
    await second.invalidate(c.id);
  });

  it('a hit reads only the small version key when the value is already parsed', async () => {
    const c = await createCampaign(db);
    const reads: string[] = [];
    const spy: CacheStore = { get: (k) => (reads.push(k), a.get(k)), set: (k, v, ttl) => a.set(k, v, ttl), delete: (k) => a.delete(k), close: async () => {} };
    const cache = new StatsCache(spy, { ttlMs: 30_000 });
    await cache.campaignStats(db, c.id);
    reads.length = 0;
    await cache.campaignStats(db, c.id);
    expect(reads).toEqual([`stats:campaign:${c.id}:v`]);
    // another process's fresh cache must fetch the payload once
    const other = new StatsCache(b, { ttlMs: 30_000 });
    expect((await other.campaignStats(db, c.id)).campaignId).toBe(c.id);
    await cache.invalidate(c.id);
  });

  it('lets Redis expire entries after the TTL', async () => {
    await a.set('short', 'v', 50);
    expect(await b.get('short')).toBe('v');
    await new Promise((r) => setTimeout(r, 120));
    expect(await b.get('short')).toBeNull();
  });
});
