/**
 * A relay in a process of its own, for the test that kills it with SIGKILL
 * mid-run. Env: DATABASE_URL, AMQP_URL, AMQP_EXCHANGE, LEASE_MS, BATCH.
 * Prints `published <n>` after every batch.
 */
import { Kysely, PostgresDialect } from 'kysely';
import { AmqpRelay } from '../../src/adapters/relay/amqp/index.js';
import { createPgPool } from '../../src/db/connect.js';
import type { DB } from '../../src/db/schema/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { RelayWorker } from '../../src/workers/relay.js';

const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: createPgPool(process.env.DATABASE_URL!, 2) }) });
const relay = new AmqpRelay({ url: process.env.AMQP_URL!, exchange: process.env.AMQP_EXCHANGE! });
const worker = new RelayWorker({
  db, relay, clock: { now: () => new Date() }, log: createLogger({ level: 'silent' }),
  relayId: 'child', batchSize: Number(process.env.BATCH ?? 50), leaseMs: Number(process.env.LEASE_MS ?? 60_000),
});
let total = 0;
for (;;) {
  const r = await worker.runOnce();
  total += r.published;
  process.stdout.write(`published ${total}\n`);
  if (r.claimed === 0) await new Promise((res) => setTimeout(res, 50));
}
