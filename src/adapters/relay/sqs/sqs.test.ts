import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../../test/support/db.js';
import { createOutcomeEvent } from '../../../../test/support/event-factories.js';
import { createCampaign } from '../../../../test/support/factories.js';
import { SqsTestDouble } from '../../../../test/support/sqs-test-double.js';
import type { DB } from '../../../db/schema/index.js';
import type { RelayMessage } from '../../../domain/ports/event-relay.js';
import { createLogger } from '../../../observability/logger.js';
import { RelayWorker } from '../../../workers/relay.js';
import { SqsRelay } from './index.js';

const log = createLogger({ level: 'silent' });
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

let t: TestDatabase;
let db: Kysely<DB>;
let sqs: SqsTestDouble;
beforeAll(async () => {
  t = await freshDatabase();
  db = t.db;
  sqs = await new SqsTestDouble().start();
});
afterAll(async () => {
  await sqs.stop();
  await t.close();
});
beforeEach(async () => {
  await db.deleteFrom('events').execute();
  sqs.messages.length = 0;
});

const relayFor = (queue: string) => new SqsRelay({ queueUrl: sqs.queueUrl(queue), region: 'eu-south-1', endpoint: sqs.endpoint, credentials });

describe('SQS relay (against the SQS JSON-protocol test double)', () => {
  it('FIFO: group = campaign, deduplication id = call id + type, campaign order kept, batches of 10', async () => {
    const c1 = await createCampaign(db);
    const c2 = await createCampaign(db);
    const base = Date.now() - 60_000;
    const events = [];
    for (let i = 0; i < 25; i++) events.push(await createOutcomeEvent(db, i % 2 ? c1.id : c2.id, { type: 'survey.refused', createdAt: new Date(base + i) }));
    const relay = relayFor('events.fifo');
    try {
      const r = await new RelayWorker({ db, relay, clock: { now: () => new Date() }, log }).runOnce();
      expect(r).toMatchObject({ claimed: 25, published: 25, failed: 0 });
    } finally {
      await relay.close();
    }
    expect(sqs.messages).toHaveLength(25);
    const attempts = await db.selectFrom('call_attempts').select(['id', 'call_id']).execute();
    const callIdOf = new Map(attempts.map((a) => [a.id, a.call_id]));
    for (const m of sqs.messages) {
      const body = JSON.parse(m.body) as RelayMessage;
      expect(m.groupId).toBe(body.campaign_id);
      const ev = events.find((e) => e.id === body.event_id)!;
      expect(m.dedupId).toBe(`${callIdOf.get(ev.call_attempt_id!)}:survey.refused`);
    }
    for (const c of [c1, c2]) {
      const sent = sqs.messages.filter((m) => m.groupId === c.id).map((m) => (JSON.parse(m.body) as RelayMessage).event_id);
      expect(sent).toEqual(events.filter((e) => e.campaign_id === c.id).map((e) => e.id));
    }
  });

  it('a re-published event is dropped by FIFO deduplication', async () => {
    const c = await createCampaign(db);
    await createOutcomeEvent(db, c.id);
    const relay = relayFor('dedup.fifo');
    try {
      const w = new RelayWorker({ db, relay, clock: { now: () => new Date() }, log });
      await w.runOnce();
      await db.updateTable('events').set({ published_at: null, next_attempt_at: new Date(Date.now() - 1000) }).execute();
      const before = sqs.duplicatesDropped;
      expect(await w.runOnce()).toMatchObject({ published: 1 });
      expect(sqs.duplicatesDropped).toBe(before + 1);
      expect(sqs.messages).toHaveLength(1);
    } finally {
      await relay.close();
    }
  });

  it('standard queue: no FIFO fields', async () => {
    const c = await createCampaign(db);
    await createOutcomeEvent(db, c.id);
    const relay = relayFor('plain');
    try {
      expect(await new RelayWorker({ db, relay, clock: { now: () => new Date() }, log }).runOnce()).toMatchObject({ published: 1 });
    } finally {
      await relay.close();
    }
    expect(sqs.messages[0]).toMatchObject({ queue: 'plain' });
    expect(sqs.messages[0]!.groupId).toBeUndefined();
  });

  it('service errors and an unreachable endpoint: back off, then deliver', async () => {
    const c = await createCampaign(db);
    const e = await createOutcomeEvent(db, c.id);
    const relay = relayFor('outage.fifo');
    let now = Date.now() + 1_000;
    const w = new RelayWorker({ db, relay, clock: { now: () => new Date(now) }, log, backoff: { baseMs: 1_000, capMs: 60_000 } });
    try {
      sqs.failNext(10, 503);
      expect(await w.runOnce()).toMatchObject({ claimed: 1, failed: 1 });
      let row = await db.selectFrom('events').selectAll().where('id', '=', e.id).executeTakeFirstOrThrow();
      expect(row.last_error).toBeTruthy();
      sqs.failNext(0);
      await sqs.down();
      now = row.next_attempt_at.getTime() + 1;
      expect(await w.runOnce()).toMatchObject({ claimed: 1, failed: 1 });
      row = await db.selectFrom('events').selectAll().where('id', '=', e.id).executeTakeFirstOrThrow();
      expect(row.next_attempt_at.getTime() - now).toBeGreaterThanOrEqual(2_000);
      await sqs.up();
      now = row.next_attempt_at.getTime() + 1;
      expect(await w.runOnce()).toMatchObject({ claimed: 1, published: 1 });
      expect(sqs.messages.map((m) => (JSON.parse(m.body) as RelayMessage).event_id)).toEqual([e.id]);
    } finally {
      await relay.close();
    }
  });
});
