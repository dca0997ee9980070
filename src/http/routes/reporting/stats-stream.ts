/**
 * `GET /api/campaigns/:id/stats/stream`: the campaign statistics as
 * server-sent events, for a live dashboard without polling.
 *
 * - Same access rule as `GET /api/campaigns/:id/stats` (stats:read); an
 *   unknown campaign is a plain 404 problem before any event is sent.
 * - The first `stats` event carries the current statistics at once; later
 *   `stats` events are sent only when the figures changed (`generated_at`
 *   alone does not count). `data` has exactly the shape of the stats endpoint.
 * - The statistics are read through the same cache as the stats endpoint, so
 *   a stream never makes them fresher than STATS_CACHE_TTL_SECONDS allows nor
 *   costs more than one computation per TTL per campaign (shared by every
 *   viewer): it looks every min(TTL, 10 s), at least every second.
 * - A comment line (`: heartbeat`) every 15 s (3 looks, with a TTL under 5 s) keeps proxies from closing an
 *   idle stream. The server ends a stream after 10 minutes (the browser's
 *   EventSource reconnects after `retry`, which re-checks the credentials), when
 *   the client goes away, and when the server shuts down. At most 10 open
 *   streams per user (429 beyond).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../../domain/errors.js';
import type { ApiServices } from '../../api.js';
import { defineRoute, principalOf, type RouteDef } from '../../route.js';
import { snakeKeys } from './routes.js';
import { CampaignStatsOut, IdParams } from './schema.js';

export interface StatsStreamTiming {
  /** How often the (cached) statistics are looked at. */
  readonly tickMs: number;
  readonly heartbeatMs: number;
  /** A stream is ended after this long; the client reconnects. */
  readonly maxLifetimeMs: number;
  /** Reconnection delay suggested to the client (`retry:`). */
  readonly retryMs: number;
  readonly maxPerUser: number;
}

export function statsStreamTiming(statsCacheTtlMs: number): StatsStreamTiming {
  const tickMs = statsCacheTtlMs > 0 ? Math.min(Math.max(statsCacheTtlMs, 1_000), 10_000) : 10_000;
  return { tickMs, heartbeatMs: Math.min(15_000, 3 * tickMs), maxLifetimeMs: 10 * 60_000, retryMs: 5_000, maxPerUser: 10 };
}

/** The statistics as sent (the stats endpoint's response), and what decides whether they changed. */
function present(stats: unknown): { json: string; key: string; id: string } {
  const out = CampaignStatsOut.parse(snakeKeys(stats));
  const { generated_at: generatedAt, ...figures } = out;
  return { json: JSON.stringify(out), key: JSON.stringify(figures), id: generatedAt };
}

export function statsStreamRoute(s: ApiServices, timing: StatsStreamTiming = statsStreamTiming(s.config.reporting.statsCacheTtlMs)): RouteDef {
  const openByUser = new Map<string, number>();
  return defineRoute({
    method: 'GET',
    url: '/api/campaigns/:id/stats/stream',
    access: 'stats:read',
    summary: 'Campaign statistics as server-sent events (live dashboard)',
    description:
      '`text/event-stream`. Event `stats` (data: the same JSON as `GET /api/campaigns/{id}/stats`) at once and whenever the figures change; '
      + 'a `: heartbeat` comment every 15 s. Statistics come through the stats cache (at most STATS_CACHE_TTL_SECONDS stale). '
      + 'The server ends a stream after 10 minutes (clients reconnect); at most 10 open streams per user (429).',
    tags: ['reporting'],
    params: IdParams,
    handler: async (req, reply) => {
      const { userId } = principalOf(req);
      const campaignId = req.params.id;
      // Unknown campaign, database down …: an ordinary problem response, before the stream starts.
      const first = present(await s.reporting.stats.campaignStats(s.db, campaignId));
      const open = openByUser.get(userId) ?? 0;
      if (open >= timing.maxPerUser) {
        throw Object.assign(new Error('Too many open statistics streams for this user.'), { statusCode: 429 });
      }
      openByUser.set(userId, open + 1);
      stream(req as unknown as FastifyRequest, reply, s, timing, campaignId, first, () => {
        const n = (openByUser.get(userId) ?? 1) - 1;
        if (n <= 0) openByUser.delete(userId);
        else openByUser.set(userId, n);
      });
      return reply;
    },
  });
}

function stream(
  req: FastifyRequest, reply: FastifyReply, s: ApiServices, timing: StatsStreamTiming,
  campaignId: string, first: ReturnType<typeof present>, onEnd: () => void,
): void {
  reply.hijack();
  const res = reply.raw;
  const headers: Record<string, string | number | string[]> = {};
  for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) headers[k] = v as string | number | string[];
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // Reverse proxies (nginx) must not buffer the stream.
    'x-accel-buffering': 'no',
  });

  let lastKey = first.key;
  let ended = false;
  let busy = false;
  const send = (chunk: string) => {
    // A client that does not read is skipped (statistics are snapshots), not buffered without end.
    if (!ended && !res.writableNeedDrain) res.write(chunk);
  };
  const sendStats = (p: ReturnType<typeof present>) => send(`event: stats\nid: ${p.id}\ndata: ${p.json}\n\n`);

  const tick = setInterval(() => {
    if (busy || ended) return;
    busy = true;
    s.reporting.stats.campaignStats(s.db, campaignId)
      .then((stats) => {
        const p = present(stats);
        if (p.key !== lastKey) {
          lastKey = p.key;
          sendStats(p);
        }
      })
      .catch((err: unknown) => {
        if (err instanceof DomainError && err.kind === 'not_found') end();
        else req.log.warn({ err: (err as Error).message, campaign_id: campaignId }, 'statistics stream could not read the statistics');
      })
      .finally(() => {
        busy = false;
      });
  }, timing.tickMs);
  const heartbeat = setInterval(() => send(': heartbeat\n\n'), timing.heartbeatMs);
  const lifetime = setTimeout(() => end(), timing.maxLifetimeMs);

  function end() {
    if (ended) return;
    ended = true;
    clearInterval(tick);
    clearInterval(heartbeat);
    clearTimeout(lifetime);
    s.closing.removeEventListener('abort', end);
    onEnd();
    if (!res.writableEnded) res.end();
  }
  // (Not req.raw's 'close': for a GET that fires as soon as the request has been read.)
  res.on('close', end);
  res.on('error', end);
  if (s.closing.aborted) return end();
  s.closing.addEventListener('abort', end);

  send(`retry: ${timing.retryMs}\n\n`);
  sendStats(first);
}
