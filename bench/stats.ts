/**
 * npm run bench:stats — campaign statistics on a 1,000,000-contact campaign
 * (PostgreSQL): uncached getCampaignStats p50/p95 against the bare
 * `GROUP BY state` query timed in the same run, and cached p95 (in memory,
 * and through Redis when one listens on 127.0.0.1:6379).
 * Targets: uncached ≤ 2 × bare and ≤ 150 ms; cached p95 ≤ 5 ms.
 * BENCH_SCANS=1 also times, for comparison, the scanning queries statistics
 * used for the funnel, the partials and the turn latency before 0012's
 * roll-ups (a few runs: each takes seconds on this fixture).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { MemoryCacheStore } from '../src/adapters/cache/memory/memory-cache-store.js';
import { RedisCacheStore } from '../src/adapters/cache/redis/redis-cache-store.js';
import { getCampaignStats } from '../src/commands/reporting/stats.js';
import { StatsCache } from '../src/commands/reporting/stats-cache.js';
import { BENCH_CAMPAIGN_ID, CONTACTS, openBenchDb, percentile, round } from './reporting-fixture.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);

/** The funnel, partials and turn-latency queries of 0011 and before (src/commands/reporting/pending-tables.ts at that time). */
const scanningQueries = (c: string) => [
  sql`select
      (select count(distinct ca.contact_id) from call_attempts ca
        where ca.campaign_id = ${c} and ca.answered_at is not null
          and coalesce(ca.answered_by, 'human') not in ('machine_start', 'machine_end_beep', 'machine_end_silence', 'machine_end_other', 'fax'))::int,
      (select count(distinct cr.contact_id) from consent_records cr where cr.campaign_id = ${c})::int,
      count(distinct ca.contact_id) filter (where dt.stage = 'q1')::int,
      count(distinct ca.contact_id) filter (where dt.stage = 'q2')::int,
      count(distinct ca.contact_id) filter (where dt.stage = 'q3')::int
    from call_attempts ca join dialogue_turns dt on dt.call_attempt_id = ca.id
    where ca.campaign_id = ${c} and dt.stage in ('q1', 'q2', 'q3')`,
  sql`select c.state, c.last_outcome, c.attempts_count, count(distinct c.id)::int
    from consent_records cr join contacts c on c.id = cr.contact_id
    where cr.campaign_id = ${c} and c.state <> 'completed' group by 1, 2, 3`,
  sql`select percentile_disc(0.95) within group (order by t.processing_ms), count(*)::int from (
      select dt.processing_ms from dialogue_turns dt join call_attempts ca on ca.id = dt.call_attempt_id
      where ca.campaign_id = ${c} and dt.processing_ms is not null order by dt.created_at desc limit 20000) t`,
];

async function time(fn: () => Promise<unknown>, runs: number, warmup = 3): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

const summary = (s: number[]) => ({ p50_ms: round(percentile(s, 0.5)), p95_ms: round(percentile(s, 0.95)) });

const db = await openBenchDb(4);
try {
  const bare = () => sql`select state, count(*) from contacts where campaign_id = ${BENCH_CAMPAIGN_ID} group by state`.execute(db);
  const full = () => getCampaignStats(db, BENCH_CAMPAIGN_ID);
  // Interleave so both see the same machine load.
  const loadStart = loadavg().map((x) => round(x));
  const bareSamples: number[] = [];
  const statsSamples: number[] = [];
  await time(bare, 0);
  await time(full, 0);
  for (let i = 0; i < RUNS; i++) {
    bareSamples.push(...(await time(bare, 1, 0)));
    statsSamples.push(...(await time(full, 1, 0)));
  }
  const memCache = new StatsCache(new MemoryCacheStore(), { ttlMs: 60_000 });
  const cachedMem = await time(() => memCache.campaignStats(db, BENCH_CAMPAIGN_ID), 1000, 50);
  let cachedRedis: number[] | null = null;
  const redis = new RedisCacheStore('redis://127.0.0.1:6379', `vsa-bench-${process.pid}:`);
  try {
    await redis.set('ping', '1', 1000);
    const redisCache = new StatsCache(redis, { ttlMs: 60_000 });
    cachedRedis = await time(() => redisCache.campaignStats(db, BENCH_CAMPAIGN_ID), 1000, 50);
    await redis.delete(`stats:campaign:${BENCH_CAMPAIGN_ID}`);
  } catch {
    cachedRedis = null;
  } finally {
    await redis.close();
  }
  let scans: Record<string, number> | null = null;
  if (process.env.BENCH_SCANS === '1') {
    const names = ['funnel', 'partials', 'turn_latency'];
    scans = {};
    const qs = scanningQueries(BENCH_CAMPAIGN_ID);
    for (let i = 0; i < qs.length; i++) scans[`${names[i]}_p50_ms`] = round(percentile(await time(() => qs[i]!.execute(db), 5, 1), 0.5));
  }
  const s = await full();
  const bareP50 = percentile(bareSamples, 0.5);
  const statsP50 = percentile(statsSamples, 0.5);
  const statsP95 = percentile(statsSamples, 0.95);
  const bareP95 = percentile(bareSamples, 0.95);
  const result = {
    bench: 'stats',
    date: new Date().toISOString(),
    machine: '2 cores',
    contacts: CONTACTS,
    call_attempts: s.totals.callAttempts,
    runs: RUNS,
    bare_group_by_state: summary(bareSamples),
    stats_uncached: summary(statsSamples),
    ratio_p50: round(statsP50 / bareP50),
    ratio_p95: round(statsP95 / bareP95),
    stats_cached_memory: summary(cachedMem),
    stats_cached_redis: cachedRedis ? summary(cachedRedis) : 'redis not available',
    ...(scans ? { scanning_queries_before_0012: scans } : {}),
    load_average: { start: loadStart, end: loadavg().map((x) => round(x)) },
    targets: {
      uncached_within_2x_bare: statsP50 <= 2 * bareP50 && statsP95 <= 2 * bareP95,
      uncached_p95_le_150ms: statsP95 <= 150,
      cached_p95_le_5ms: percentile(cachedMem, 0.95) <= 5 && (!cachedRedis || percentile(cachedRedis, 0.95) <= 5),
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await db.destroy();
}
