/**
 * npm run bench:outbox — outbox relay and follow-up email throughput.
 *
 * 1. 100,000 events → RabbitMQ through the relay (claim → publish with
 *    confirms → mark published), compared in the same run with raw amqplib
 *    publishing the same messages with publisher confirms (the physical
 *    reference: what the broker and the client library can do without a
 *    database). Both publish persistent messages to a durable queue bound to
 *    the exchange. Target: relay ≥ 0.5 × raw.
 * 2. Follow-up emails to a loopback SMTP server through the email worker
 *    (create notification → claim → render → send → record), compared with raw
 *    nodemailer sending the same rendered messages over the same pool.
 *
 * Database: DATABASE_URL (a fresh `vsa_bench_*` database is created on that
 * server and dropped afterwards) or, when unset, embedded PGlite in a temporary
 * directory. RabbitMQ: BENCH_AMQP_URL or amqp://guest:guest@127.0.0.1:5672.
 * Sizes: BENCH_EVENTS (100000), BENCH_EMAILS (2000), BENCH_RELAYS (4 on PostgreSQL, 1 on PGlite).
 * Prints one JSON object.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { Kysely, PostgresDialect, sql } from 'kysely';
import nodemailer from 'nodemailer';
import { SmtpMailer } from '../src/adapters/email/smtp/index.js';
import { AmqpRelay } from '../src/adapters/relay/amqp/index.js';
import { createPgPool, openDatabase } from '../src/db/connect.js';
import { Migrator } from '../src/db/migrator.js';
import type { DB } from '../src/db/schema/index.js';
import { createLogger } from '../src/observability/logger.js';
import { EmailWorker } from '../src/workers/email.js';
import { RelayWorker } from '../src/workers/relay.js';
import { startSmtpServer } from '../test/support/smtp.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const EMAILS = Number(process.env.BENCH_EMAILS ?? 2_000);
const AMQP_URL = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const BATCH = 1_000;
const log = createLogger({ level: 'silent' });
const clock = { now: () => new Date() };

async function openBenchDb(): Promise<{ engine: string; db: Kysely<DB>; extra(): Promise<Kysely<DB>>; close(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `vsa_bench_${randomBytes(4).toString('hex')}`;
    const admin = createPgPool(url, 1);
    await admin.query(`create database "${name}"`);
    const u = new URL(url);
    u.pathname = `/${name}`;
    const pools: Kysely<DB>[] = [];
    const make = (max: number) => {
      const k = new Kysely<DB>({ dialect: new PostgresDialect({ pool: createPgPool(u.toString(), max) }) });
      pools.push(k);
      return k;
    };
    const db = make(4);
    await new Migrator(db).up();
    return {
      engine: 'postgres', db,
      extra: async () => make(2),
      async close() {
        for (const k of pools) await k.destroy();
        await admin.query(`drop database if exists "${name}" with (force)`);
        await admin.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'vsa-bench-'));
  const database = await openDatabase({ engine: 'pglite', dataDir: dir });
  await new Migrator(database.db).up();
  return {
    engine: 'pglite', db: database.db,
    extra: async () => database.db,
    async close() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function seed(db: Kysely<DB>, events: number, emails: boolean): Promise<string> {
  const tpl = await db.insertInto('email_templates').values({
    name: 'Bench', type: 'refused', locale: 'en', subject: 'Thanks, {{organization_name}}',
    body_text: 'Hello,\nthanks for your time with {{campaign_name}}.\n{{organization_name}}',
    body_html: '<p>Hello,</p><p>thanks for your time with <b>{{campaign_name}}</b>.</p><p>{{organization_name}}</p>',
  }).returning('id').executeTakeFirstOrThrow();
  const campaign = await db.insertInto('campaigns').values({
    name: 'Bench campaign', organization_name: 'Bench Ltd', ...(emails ? { email_refused_template_id: tpl.id } : {}),
  }).returning('id').executeTakeFirstOrThrow();
  const contacts = Math.max(1, Math.min(events, 10_000));
  await sql`insert into contacts (campaign_id, phone_number, email, state)
            select ${campaign.id}::uuid, '+39347' || lpad(g::text, 7, '0'), 'bench' || g || '@example.org', 'refused'
            from generate_series(1, ${contacts}::int) g`.execute(db);
  await sql`insert into events (event_type, campaign_id, contact_id, payload, created_at, notified_at)
            select 'survey.refused', ${campaign.id}::uuid, c.id, '{"attempts": 1}'::jsonb,
                   now() - make_interval(secs => ${events}::int - g), ${emails ? null : sql`now()`}
            from generate_series(1, ${events}::int) g
            join (select id, row_number() over (order by id) as n from contacts where campaign_id = ${campaign.id}::uuid) c
              on c.n = ((g - 1) % ${contacts}::int) + 1`.execute(db);
  return campaign.id;
}

async function rawAmqp(exchange: string, body: Buffer, n: number): Promise<number> {
  const conn = await amqp.connect(AMQP_URL);
  try {
    const ch = await conn.createConfirmChannel();
    const started = performance.now();
    for (let i = 0; i < n; i += BATCH) {
      for (let j = i; j < Math.min(n, i + BATCH); j++) {
        ch.publish(exchange, 'survey.refused', body, { persistent: true, contentType: 'application/json', messageId: String(j) });
      }
      await ch.waitForConfirms();
    }
    return (performance.now() - started) / 1000;
  } finally {
    await conn.close();
  }
}

async function main() {
  const bench = await openBenchDb();
  const exchange = `vsa.bench.${Date.now()}`;
  const queue = `${exchange}.q`;
  const admin = await amqp.connect(AMQP_URL);
  const ach = await admin.createChannel();
  await ach.assertExchange(exchange, 'topic', { durable: true });
  await ach.assertQueue(queue, { durable: true });
  await ach.bindQueue(queue, exchange, 'survey.*');
  const result: Record<string, unknown> = { bench: 'outbox', date: new Date().toISOString(), engine: bench.engine, node: process.version };
  try {
    // ── relay vs raw amqplib ──
    await seed(bench.db, EVENTS, false);
    const sample = Buffer.from(JSON.stringify({
      event_id: '8d7f5a9e-0000-4000-8000-000000000001', event_type: 'survey.refused', campaign_id: '8d7f5a9e-0000-4000-8000-000000000002',
      contact_id: '8d7f5a9e-0000-4000-8000-000000000003', call_id: null, timestamp: new Date().toISOString(), outcome: 'refused', attempts: 1,
    }));
    const rawSeconds = await rawAmqp(exchange, sample, EVENTS);
    await ach.purgeQueue(queue);

    const relays = Number(process.env.BENCH_RELAYS ?? (bench.engine === 'postgres' ? 4 : 1));
    const adapters: AmqpRelay[] = [];
    const workers = await Promise.all(Array.from({ length: relays }, async (_, i) => {
      const adapter = new AmqpRelay({ url: AMQP_URL, exchange });
      adapters.push(adapter);
      return new RelayWorker({ db: i === 0 ? bench.db : await bench.extra(), relay: adapter, clock, log, batchSize: BATCH });
    }));
    const started = performance.now();
    await Promise.all(workers.map(async (w) => {
      for (;;) {
        const r = await w.runOnce();
        if (r.claimed === 0) break;
        if (r.failed > 0) throw new Error(`relay failed ${r.failed} events`);
      }
    }));
    const relaySeconds = (performance.now() - started) / 1000;
    for (const a of adapters) await a.close();
    const unpublished = await bench.db.selectFrom('events').select(bench.db.fn.countAll<number>().as('n')).where('published_at', 'is', null).executeTakeFirstOrThrow();
    const inQueue = (await ach.checkQueue(queue)).messageCount;
    await ach.purgeQueue(queue);
    result.relay = {
      events: EVENTS, relays, batch: BATCH,
      raw_amqplib_confirms_per_s: Math.round(EVENTS / rawSeconds),
      relay_per_s: Math.round(EVENTS / relaySeconds),
      ratio: Number((rawSeconds / relaySeconds).toFixed(2)),
      target_ratio: 0.5,
      unpublished_after: Number(unpublished.n),
      messages_in_queue: inQueue,
    };

    // ── emails ──
    await bench.db.deleteFrom('events').execute();
    await seed(bench.db, EMAILS, true);
    const smtp = await startSmtpServer({ parse: false });
    const mailer = new SmtpMailer({ host: '127.0.0.1', port: smtp.port, security: 'none', pool: true, maxConnections: 4 });
    try {
      const w = new EmailWorker({ db: bench.db, mailer, clock, log, from: 'Bench <bench@example.org>', messageIdDomain: 'example.org', batchSize: 100, concurrency: 4 });
      const t0 = performance.now();
      for (;;) {
        const r = await w.runOnce();
        if (r.claimed === 0 && r.created === 0) break;
      }
      const workerSeconds = (performance.now() - t0) / 1000;
      const sent = smtp.messages.length;

      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true, pool: true, maxConnections: 4 });
      const t1 = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: 4 }, async () => {
        while (next < EMAILS) {
          const i = next++;
          await transport.sendMail({
            from: 'Bench <bench@example.org>', to: `raw${i}@example.org`, subject: 'Thanks, Bench Ltd',
            text: 'Hello,\nthanks for your time with Bench campaign.\nBench Ltd', html: '<p>Hello,</p><p>thanks for your time with <b>Bench campaign</b>.</p><p>Bench Ltd</p>',
            messageId: `<raw${i}@example.org>`,
          });
        }
      }));
      const rawMailSeconds = (performance.now() - t1) / 1000;
      transport.close();
      result.email = {
        emails: EMAILS, sent_by_worker: sent, smtp_connections: 4,
        raw_nodemailer_per_s: Math.round(EMAILS / rawMailSeconds),
        worker_per_s: Math.round(sent / workerSeconds),
        ratio: Number((rawMailSeconds / workerSeconds).toFixed(2)),
      };
    } finally {
      await mailer.close();
      await smtp.close();
    }
  } finally {
    await ach.deleteQueue(queue).catch(() => {});
    await ach.deleteExchange(exchange).catch(() => {});
    await admin.close().catch(() => {});
    await bench.close();
  }
  console.log(JSON.stringify(result));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
