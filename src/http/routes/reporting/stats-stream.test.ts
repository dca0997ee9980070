import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type TestApi } from '../../../../test/support/api.js';
import { freshDatabase, type TestDatabase } from '../../../../test/support/db.js';
import { createCampaign, createContact } from '../../../../test/support/factories.js';
import { statsStreamTiming } from './stats-stream.js';

let t: TestDatabase;
let api: TestApi;
let base: string;
let campaignId: string;

beforeAll(async () => {
  t = await freshDatabase();
  // A one-second cache: the stream looks every second and sends a heartbeat every three.
  api = await startApi(t, { STATS_CACHE_TTL_SECONDS: '1' });
  base = await api.http.listen({ host: '127.0.0.1', port: 0 });
  campaignId = (await createCampaign(t.db, { timezone: 'Europe/Rome' })).id;
  await createContact(t.db, campaignId);
});
afterAll(async () => {
  await api.close();
  await t.close();
});

interface SseEvent { event?: string; id?: string; data?: string; comment?: string; retry?: string }

/** An open event stream: `next()` waits for the next event or comment block. */
async function open(path: string, headers: Record<string, string>) {
  const ctrl = new AbortController();
  const res = await fetch(`${base}${path}`, { headers: { accept: 'text/event-stream', ...headers }, signal: ctrl.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const next = async (timeoutMs = 8_000): Promise<SseEvent | null> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const sep = buffer.indexOf('\n\n');
      if (sep >= 0) {
        const block = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        const ev: SseEvent = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) ev.comment = line.slice(1).trim();
          else {
            const i = line.indexOf(':');
            (ev as Record<string, string>)[line.slice(0, i)] = line.slice(i + 1).replace(/^ /, '');
          }
        }
        return ev;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no event in time');
      const chunk = await Promise.race([reader.read(), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no event in time')), left))]);
      if (chunk.done) return null;
      buffer += decoder.decode(chunk.value, { stream: true });
    }
  };
  /** The next `stats` event (skipping heartbeats and `retry`). */
  const nextStats = async (timeoutMs = 8_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ev = await next(Math.max(1, deadline - Date.now()));
      if (!ev) return null;
      if (ev.event === 'stats') return { id: ev.id, data: JSON.parse(ev.data!) as { contacts: { total: number }; generated_at: string } };
    }
  };
  return { res, next, nextStats, close: () => ctrl.abort() };
}

describe('GET /api/campaigns/{id}/stats/stream', () => {
  it('timing follows the stats cache TTL', () => {
    expect(statsStreamTiming(30_000)).toMatchObject({ tickMs: 10_000, heartbeatMs: 15_000 });
    expect(statsStreamTiming(1_000)).toMatchObject({ tickMs: 1_000, heartbeatMs: 3_000 });
    expect(statsStreamTiming(0)).toMatchObject({ tickMs: 10_000 });
  });

  it('sends the statistics at once, again when they change, and heartbeats in between (any reader, viewers too)', async () => {
    const s = await open(`/api/campaigns/${campaignId}/stats/stream`, await api.as('viewer'));
    try {
      expect(s.res.status).toBe(200);
      expect(s.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(s.res.headers.get('cache-control')).toBe('no-store');
      expect(s.res.headers.get('x-content-type-options')).toBe('nosniff'); // the usual security headers survive the hijack
      expect(await s.next()).toEqual({ retry: '5000' });
      const first = await s.nextStats();
      expect(first!.data).toMatchObject({ campaign_id: campaignId, timezone: 'Europe/Rome', contacts: { total: 1 }, aapor: { rates: { RR1: 0 } } });
      // Same shape as the stats endpoint.
      const plain = await api.http.inject({ method: 'GET', url: `/api/campaigns/${campaignId}/stats`, headers: await api.as('viewer') });
      expect(Object.keys(first!.data).sort()).toEqual(Object.keys(plain.json()).sort());
      expect(first!.id).toBe(first!.data.generated_at);

      // Nothing changed: only heartbeats (the stats are recomputed each second, but the figures are the same).
      const quiet = await s.next(5_000);
      expect(quiet).toEqual({ comment: 'heartbeat' });

      await createContact(t.db, campaignId);
      const changed = await s.nextStats(8_000);
      expect(changed!.data.contacts.total).toBe(2);
    } finally {
      s.close();
    }
  }, 30_000);

  it('401 without credentials, 404 for an unknown campaign, 400 for a malformed id — as problems, not streams', async () => {
    const anon = await fetch(`${base}/api/campaigns/${campaignId}/stats/stream`);
    expect(anon.status).toBe(401);
    const unknown = await fetch(`${base}/api/campaigns/00000000-0000-4000-8000-000000000000/stats/stream`, { headers: await api.as('viewer') });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    const bad = await fetch(`${base}/api/campaigns/nope/stats/stream`, { headers: await api.as('viewer') });
    expect(bad.status).toBe(400);
  });

  it('cleans up when the client goes away: at most 10 streams per user, a closed one frees its place', async () => {
    const headers = await api.as('campaign_manager');
    const streams = [];
    for (let i = 0; i < 10; i++) {
      const s = await open(`/api/campaigns/${campaignId}/stats/stream`, headers);
      expect(s.res.status).toBe(200);
      streams.push(s);
    }
    const over = await fetch(`${base}/api/campaigns/${campaignId}/stats/stream`, { headers });
    expect(over.status).toBe(429);
    const otherUser = await fetch(`${base}/api/campaigns/${campaignId}/stats/stream`, { headers: await api.as('admin') });
    expect(otherUser.status).toBe(200); // the limit is per user
    await otherUser.body?.cancel();
    streams.pop()!.close();
    let again: Response | undefined;
    for (let i = 0; i < 50; i++) {
      again = await fetch(`${base}/api/campaigns/${campaignId}/stats/stream`, { headers });
      if (again.status === 200) break;
      await again.body?.cancel();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(again!.status).toBe(200);
    await again!.body?.cancel();
    for (const s of streams) s.close();
  }, 30_000);

  it('open streams end when the server shuts down (shutdown does not hang)', async () => {
    const other = await startApi(t, { STATS_CACHE_TTL_SECONDS: '1' });
    const url = await other.http.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${url}/api/campaigns/${campaignId}/stats/stream`, { headers: await other.as('viewer') });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    // The client sees the end of the stream.
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true }));
      if (r.done) break;
    }
  }, 30_000);
});
