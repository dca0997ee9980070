import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabase, testEngine, type TestDatabase } from '../../test/support/db.js';
import { FakeClock } from '../../test/support/clock.js';
import { createOutcomeEvent } from '../../test/support/event-factories.js';
import { createCampaign } from '../../test/support/factories.js';
import { claimUnpublishedEvents, outboxStats } from '../commands/outbox/relay.js';
import type { DB } from '../db/schema/index.js';
import { buildRelayMessage } from '../domain/events/message.js';
import type { EventRelay, OutgoingEvent, PublishResult, RelayMessage } from '../domain/ports/event-relay.js';
import { createLogger } from '../observability/logger.js';
import { RelayWorker } from './relay.js';

const log = createLogger({ level: 'silent' });
/** A fake clock a little ahead of the database's now(), which stamps new events. */
const clockNow = () => new FakeClock(new Date(Date.now() + 1_000));

/** Records what it is given; can be switched to fail (broker down) or reject single events. */
class RecordingRelay implements EventRelay {
  readonly name = 'recording';
  readonly received: RelayMessage[] = [];
  down = false;
  reject = new Set<string>();
  async publish(messages: readonly OutgoingEvent[]): Promise<PublishResult> {
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5672');
    const ok = messages.filter((m) => !this.reject.has(m.message.event_id));
    this.received.push(...ok.map((m) => m.message));
    return { published: ok.map((m) => m.message.event_id), failed: messages.filter((m) => this.reject.has(m.message.event_id)).map((m) => ({ eventId: m.message.event_id, error: 'rejected' })) };
  }
  async close() {}
}

let t: TestDatabase;
let db: Kysely<DB>;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
});
afterAll(() => t.close());
beforeEach(async () => {
  await db.deleteFrom('events').execute();
});

describe('relay worker', () => {
  it('publishes every due event once, oldest first, and marks it published', async () => {
    const campaign = await createCampaign(db);
    const base = Date.parse('2026-03-02T08:00:00Z');
    const events = [];
    for (let i = 0; i < 5; i++) events.push(await createOutcomeEvent(db, campaign.id, { type: i % 2 ? 'survey.refused' : 'survey.completed', createdAt: new Date(base + (5 - i) * 1000) }));
    const relay = new RecordingRelay();
    const clock = clockNow();
    const worker = new RelayWorker({ db, relay, clock, log, batchSize: 3 });
    expect(await worker.runOnce()).toMatchObject({ claimed: 3, published: 3, failed: 0 });
    expect(await worker.runOnce()).toMatchObject({ claimed: 2, published: 2 });
    expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
    const expectedOrder = [...events].sort((a, b) => a.created_at.getTime() - b.created_at.getTime()).map((e) => e.id);
    expect(relay.received.map((m) => m.event_id)).toEqual(expectedOrder);
    const rows = await db.selectFrom('events').selectAll().execute();
    for (const r of rows) {
      expect(r.published_at?.toISOString()).toBe(clock.now().toISOString());
      expect(r.publish_attempts).toBe(1);
      expect(r.locked_by).toBeNull();
    }
    expect(await outboxStats(db)).toMatchObject({ unpublished: 0, published: 5 });
  });

  it('sends no phone number or email, answers only for completed surveys', async () => {
    const campaign = await createCampaign(db);
    const e = await createOutcomeEvent(db, campaign.id, { email: 'secret.person@example.org', answers: ['9', '1', 'call me on +393471112223'] });
    await db.updateTable('events').set({ payload: { attempts: 1, phone_number: '+393479998887', email: 'secret.person@example.org' } }).where('id', '=', e.id).execute();
    const relay = new RecordingRelay();
    await new RelayWorker({ db, relay, clock: clockNow(), log }).runOnce();
    const json = JSON.stringify(relay.received);
    expect(json).not.toContain('+393479998887');
    expect(json).not.toContain('secret.person@example.org');
    expect(relay.received[0]).toMatchObject({ event_id: e.id, outcome: 'completed', attempts: 1, answers: { q1: '9', q2: '1' } });
  });

  it('a relay killed mid-batch loses nothing: its lease expires and another relay re-publishes (duplicates counted)', async () => {
    const campaign = await createCampaign(db);
    for (let i = 0; i < 10; i++) await createOutcomeEvent(db, campaign.id, { type: 'survey.refused' });
    const clock = clockNow();
    const consumer = new RecordingRelay();

    // Relay A claims 10 and gets 6 out to the broker, then dies before recording anything.
    const claimed = await db.transaction().execute((trx) => claimUnpublishedEvents(trx, { relayId: 'relay-a', limit: 10, now: clock.now(), leaseMs: 60_000 }));
    expect(claimed).toHaveLength(10);
    await consumer.publish(claimed.slice(0, 6).map(buildRelayMessage));

    // While A's lease holds, relay B finds nothing to do.
    const b = new RelayWorker({ db, relay: consumer, clock, log, relayId: 'relay-b', leaseMs: 60_000 });
    clock.advance(30_000);
    expect((await b.runOnce()).claimed).toBe(0);

    // After the lease, B takes them all over.
    clock.advance(31_000);
    const r = await b.runOnce();
    expect(r).toMatchObject({ claimed: 10, published: 10, possibleDuplicates: 10 });
    const ids = consumer.received.map((m) => m.event_id);
    expect(new Set(ids).size).toBe(10); // nothing lost
    expect(ids.length - new Set(ids).size).toBe(6); // duplicates, counted
    const rows = await db.selectFrom('events').select(['publish_attempts', 'published_at']).execute();
    expect(rows.every((x) => x.publish_attempts === 2 && x.published_at !== null)).toBe(true);
  });

  it('broker down: records the error and backs off exponentially, then delivers when it returns', async () => {
    const campaign = await createCampaign(db);
    const e = await createOutcomeEvent(db, campaign.id);
    const relay = new RecordingRelay();
    relay.down = true;
    const clock = clockNow();
    const w = new RelayWorker({ db, relay, clock, log, backoff: { baseMs: 1_000, capMs: 60_000 } });

    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect(await w.runOnce()).toMatchObject({ claimed: 1, failed: 1 });
      const row = await db.selectFrom('events').selectAll().where('id', '=', e.id).executeTakeFirstOrThrow();
      expect(row.last_error).toMatch(/ECONNREFUSED/);
      expect(row.published_at).toBeNull();
      const delay = row.next_attempt_at.getTime() - clock.now().getTime();
      delays.push(delay);
      expect((await w.runOnce()).claimed).toBe(0); // not due yet
      clock.set(new Date(row.next_attempt_at.getTime() + 1)); // stored with microseconds
    }
    // 1 s, 2 s, 4 s, 8 s, each with at most 20 % jitter
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(1000 * 2 ** i);
      expect(d).toBeLessThanOrEqual(1200 * 2 ** i + 2);
    });
    relay.down = false;
    expect(await w.runOnce()).toMatchObject({ claimed: 1, published: 1 });
    const row = await db.selectFrom('events').selectAll().where('id', '=', e.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ publish_attempts: 5, last_error: null });
    expect(row.published_at).not.toBeNull();
    expect(relay.received.map((m) => m.event_id)).toEqual([e.id]);
  });

  it('a single rejected event backs off alone; the rest are published', async () => {
    const campaign = await createCampaign(db);
    const a = await createOutcomeEvent(db, campaign.id);
    const b = await createOutcomeEvent(db, campaign.id);
    const relay = new RecordingRelay();
    relay.reject.add(a.id);
    const r = await new RelayWorker({ db, relay, clock: clockNow(), log }).runOnce();
    expect(r).toMatchObject({ claimed: 2, published: 1, failed: 1 });
    const rows = await db.selectFrom('events').select(['id', 'published_at', 'last_error']).execute();
    expect(rows.find((x) => x.id === a.id)).toMatchObject({ published_at: null, last_error: 'rejected' });
    expect(rows.find((x) => x.id === b.id)?.published_at).not.toBeNull();
  });

  it('start()/stop(): the loop drains the backlog and stops cleanly', async () => {
    const campaign = await createCampaign(db);
    for (let i = 0; i < 7; i++) await createOutcomeEvent(db, campaign.id, { type: 'survey.not_reached', noCall: true });
    const relay = new RecordingRelay();
    const w = new RelayWorker({ db, relay, clock: { now: () => new Date() }, log, batchSize: 3, idleMs: 20 });
    w.start();
    for (let i = 0; i < 200 && relay.received.length < 7; i++) await new Promise((r) => setTimeout(r, 10));
    await w.stop();
    expect(relay.received).toHaveLength(7);
    expect(relay.received[0]).toMatchObject({ call_id: null, outcome: 'not_reached' });
  });
});

describe.runIf(testEngine() === 'postgres')('several relays at once (PostgreSQL)', () => {
  it('four relays on their own connections publish 1,000 events exactly once between them', async () => {
    const campaign = await createCampaign(db);
    const contact = await db.insertInto('contacts').values({ campaign_id: campaign.id, phone_number: '+393470009999' }).returning(['id']).executeTakeFirstOrThrow();
    await db.insertInto('events').values(Array.from({ length: 1000 }, () => ({ event_type: 'survey.refused' as const, campaign_id: campaign.id, contact_id: contact.id }))).execute();
    const relay = new RecordingRelay();
    const workers = await Promise.all([0, 1, 2, 3].map(async (i) => new RelayWorker({ db: await t.connectAgain(2), relay, clock: { now: () => new Date() }, log, batchSize: 50, relayId: `r${i}` })));
    const results = await Promise.all(workers.map(async (w) => {
      let n = 0;
      for (;;) {
        const r = await w.runOnce();
        if (r.claimed === 0) return n;
        n += r.published;
      }
    }));
    expect(results.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(results.filter((n) => n > 0).length).toBeGreaterThan(1);
    const ids = relay.received.map((m) => m.event_id);
    expect(ids).toHaveLength(1000);
    expect(new Set(ids).size).toBe(1000);
  });
});
