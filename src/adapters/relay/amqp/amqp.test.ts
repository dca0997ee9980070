import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv } from '../../../../test/support/cli.js';
import { freshDatabase, testEngine, type TestDatabase } from '../../../../test/support/db.js';
import { createOutcomeEvent } from '../../../../test/support/event-factories.js';
import { createCampaign } from '../../../../test/support/factories.js';
import { RABBITMQ_URL, serviceAvailable, TcpProxy } from '../../../../test/support/services.js';
import { claimUnpublishedEvents } from '../../../commands/outbox/relay.js';
import type { DB } from '../../../db/schema/index.js';
import { buildRelayMessage } from '../../../domain/events/message.js';
import type { RelayMessage } from '../../../domain/ports/event-relay.js';
import { createLogger } from '../../../observability/logger.js';
import { RelayWorker } from '../../../workers/relay.js';
import { AmqpRelay } from './index.js';

const log = createLogger({ level: 'silent' });
const rabbit = await serviceAvailable('RabbitMQ', 5672);

describe.runIf(rabbit)('AMQP relay against RabbitMQ', () => {
  let t: TestDatabase;
  let db: Kysely<DB>;
  let conn: amqp.ChannelModel;
  let ch: amqp.Channel;
  const exchange = `vsa.test.${process.pid}.${Date.now()}`;
  let queue: string;

  beforeAll(async () => {
    t = await freshDatabase();
    db = t.db;
    conn = await amqp.connect(RABBITMQ_URL);
    ch = await conn.createChannel();
    await ch.assertExchange(exchange, 'topic', { durable: true });
    queue = (await ch.assertQueue('', { exclusive: true })).queue;
    await ch.bindQueue(queue, exchange, 'survey.*');
  });
  afterAll(async () => {
    await ch.deleteExchange(exchange).catch(() => {});
    await conn.close().catch(() => {});
    await t.close();
  });

  /** Reads until `n` messages arrived (or the time runs out). */
  async function drain(n: number, timeoutMs = 5_000): Promise<amqp.GetMessage[]> {
    const got: amqp.GetMessage[] = [];
    const until = Date.now() + timeoutMs;
    while (got.length < n && Date.now() < until) {
      const m = await ch.get(queue, { noAck: true });
      if (m) got.push(m);
      else await new Promise((r) => setTimeout(r, 20));
    }
    // anything extra that is already there
    for (let m = await ch.get(queue, { noAck: true }); m; m = await ch.get(queue, { noAck: true })) got.push(m);
    return got;
  }

  it('publishes persistent JSON messages to a durable topic exchange, routing key = event type', async () => {
    const campaign = await createCampaign(db);
    const done = await createOutcomeEvent(db, campaign.id, { answers: ['7', '3', 'ok'] });
    const refused = await createOutcomeEvent(db, campaign.id, { type: 'survey.refused' });
    const relay = new AmqpRelay({ url: RABBITMQ_URL, exchange });
    try {
      const w = new RelayWorker({ db, relay, clock: { now: () => new Date() }, log });
      expect(await w.runOnce()).toMatchObject({ claimed: 2, published: 2 });
    } finally {
      await relay.close();
    }
    const msgs = await drain(2);
    expect(msgs.map((m) => m.fields.routingKey)).toEqual(['survey.completed', 'survey.refused']);
    const first = msgs[0]!;
    expect(first.properties).toMatchObject({ deliveryMode: 2, contentType: 'application/json', messageId: done.id, type: 'survey.completed' });
    expect(first.properties.headers?.['x-deduplication-key']).toMatch(/:survey\.completed$/);
    const body = JSON.parse(first.content.toString()) as RelayMessage;
    expect(body).toMatchObject({ event_id: done.id, campaign_id: campaign.id, outcome: 'completed', answers: { q1: '7', q2: '3', q3: 'ok' } });
    expect(JSON.parse(msgs[1]!.content.toString())).toMatchObject({ event_id: refused.id, outcome: 'refused' });
    const exch = await conn.createChannel();
    await exch.checkExchange(exchange); // exists (durable, declared by the relay)
    await exch.close();
  });

  it('broker down: the relay backs off, then delivers everything when the broker returns', async () => {
    const proxy = await new TcpProxy(5672).start();
    const url = `amqp://guest:guest@127.0.0.1:${proxy.port}`;
    const relay = new AmqpRelay({ url, exchange, confirmTimeoutMs: 3_000 });
    let now = Date.now() + 1_000;
    const clock = { now: () => new Date(now) };
    const w = new RelayWorker({ db, relay, clock, log, backoff: { baseMs: 1_000, capMs: 10_000 } });
    try {
      const campaign = await createCampaign(db);
      const a = await createOutcomeEvent(db, campaign.id, { type: 'survey.refused' });
      expect(await w.runOnce()).toMatchObject({ published: 1 }); // connected through the proxy
      await drain(1);

      await proxy.down();
      const b = await createOutcomeEvent(db, campaign.id, { type: 'survey.refused' });
      const c = await createOutcomeEvent(db, campaign.id, { type: 'survey.not_reached' });
      now = Date.now() + 1_000;
      expect(await w.runOnce()).toMatchObject({ claimed: 2, published: 0, failed: 2 });
      const failed = await db.selectFrom('events').selectAll().where('id', 'in', [b.id, c.id]).execute();
      for (const r of failed) {
        expect(r.published_at).toBeNull();
        expect(r.last_error).toBeTruthy();
        expect(r.next_attempt_at.getTime()).toBeGreaterThan(now);
      }
      expect((await w.runOnce()).claimed).toBe(0); // backing off

      await proxy.up();
      now = Math.max(...failed.map((r) => r.next_attempt_at.getTime())) + 1;
      expect(await w.runOnce()).toMatchObject({ claimed: 2, published: 2 });
      const msgs = await drain(2);
      expect(msgs.map((m) => (JSON.parse(m.content.toString()) as RelayMessage).event_id).sort()).toEqual([b.id, c.id].sort());
      expect(a.id).toBeTruthy();
    } finally {
      await relay.close();
      await proxy.down();
    }
  });

  it('killed mid-batch: nothing is lost, the repeats are counted', async () => {
    await db.updateTable('events').set({ published_at: new Date() }).where('published_at', 'is', null).execute();
    const campaign = await createCampaign(db);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await createOutcomeEvent(db, campaign.id, { type: 'survey.refused' })).id);
    let now = Date.now() + 1_000;
    const clock = { now: () => new Date(now) };
    // Relay A: claims 20, publishes 8 to RabbitMQ, then its process dies (no result recorded, connection cut).
    const a = new AmqpRelay({ url: RABBITMQ_URL, exchange });
    const claimed = await db.transaction().execute((trx) => claimUnpublishedEvents(trx, { relayId: 'a', limit: 20, now: clock.now(), leaseMs: 30_000 }));
    expect((await a.publish(claimed.slice(0, 8).map(buildRelayMessage))).published).toHaveLength(8);
    await a.close();

    const b = new AmqpRelay({ url: RABBITMQ_URL, exchange });
    try {
      const w = new RelayWorker({ db, relay: b, clock, log, relayId: 'b', leaseMs: 30_000 });
      expect((await w.runOnce()).claimed).toBe(0);
      now += 31_000;
      expect(await w.runOnce()).toMatchObject({ claimed: 20, published: 20, possibleDuplicates: 20 });
    } finally {
      await b.close();
    }
    const got = (await drain(28)).map((m) => (JSON.parse(m.content.toString()) as RelayMessage).event_id);
    expect(new Set(got)).toEqual(new Set(ids));
    expect(got.length - new Set(got).size).toBe(8);
  });

  it.runIf(testEngine() === 'postgres')('a relay process killed with SIGKILL mid-run loses nothing; the repeats are counted', async () => {
    await db.updateTable('events').set({ published_at: new Date() }).where('published_at', 'is', null).execute();
    const campaign = await createCampaign(db);
    const contact = await db.insertInto('contacts').values({ campaign_id: campaign.id, phone_number: '+393470001234' }).returning('id').executeTakeFirstOrThrow();
    const ids = (await db.insertInto('events').values(Array.from({ length: 3000 }, () => ({ event_type: 'survey.refused' as const, campaign_id: campaign.id, contact_id: contact.id }))).returning('id').execute()).map((r) => r.id);
    await drain(0, 100); // empty the queue

    const script = fileURLToPath(new URL('../../../../test/support/relay-child.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: childEnv({ DATABASE_URL: t.url!, AMQP_URL: RABBITMQ_URL, AMQP_EXCHANGE: exchange, LEASE_MS: '60000', BATCH: '100' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let published = 0;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killed = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        const m = /published (\d+)\n(?![\s\S]*published)/.exec(d.toString());
        if (m) published = Number(m[1]);
        if (published >= 500 && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
      setTimeout(() => reject(new Error(`child relay did not get going: ${stderr}`)), 30_000);
    });
    await killed;
    expect(published).toBeGreaterThanOrEqual(500);
    expect(published).toBeLessThan(3000); // killed mid-run

    // A new relay, after the dead one's lease: everything goes out.
    const relay = new AmqpRelay({ url: RABBITMQ_URL, exchange });
    const w = new RelayWorker({ db, relay, clock: { now: () => new Date(Date.now() + 61_000) }, log, batchSize: 500 });
    try {
      while ((await w.runOnce()).claimed > 0);
    } finally {
      await relay.close();
    }
    const unpublished = await db.selectFrom('events').select('id').where('published_at', 'is', null).execute();
    expect(unpublished).toEqual([]);
    const got = (await drain(3000, 10_000)).map((m) => (JSON.parse(m.content.toString()) as RelayMessage).event_id);
    expect(new Set(got)).toEqual(new Set(ids)); // nothing lost
    const duplicates = got.length - new Set(got).size;
    // Every repeat was announced: at most the dead relay's unfinished claim.
    expect(duplicates).toBeLessThanOrEqual(w.totals.possibleDuplicates);
    expect(w.totals.possibleDuplicates).toBeLessThanOrEqual(100);
  }, 60_000);
});
