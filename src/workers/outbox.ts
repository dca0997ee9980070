/**
 * The outbox workers as one unit for the composition root: the email worker
 * always (the file mailer by default), the relay worker unless the relay
 * adapter is `none` (then events simply stay in the database).
 */
import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { DB } from '../db/schema/index.js';
import type { Clock } from '../domain/clock.js';
import type { EventRelay } from '../domain/ports/event-relay.js';
import type { Mailer } from '../domain/ports/mailer.js';
import type { Logger } from '../observability/logger.js';
import { EmailWorker } from './email.js';
import { RelayWorker } from './relay.js';

export interface OutboxWorkers {
  readonly relay: RelayWorker | null;
  readonly email: EmailWorker;
  start(): void;
  /** Stops both loops (in-flight work is recorded first) and closes the adapters. */
  stop(): Promise<void>;
}

export function buildOutboxWorkers(deps: {
  config: Config;
  db: Kysely<DB>;
  log: Logger;
  clock: Clock;
  relay: EventRelay;
  mailer: Mailer;
}): OutboxWorkers {
  const { config, db, log, clock } = deps;
  const relay = config.relay.adapter === 'none'
    ? null
    : new RelayWorker({ db, relay: deps.relay, clock, log, batchSize: config.relay.batchSize });
  const email = new EmailWorker({
    db, mailer: deps.mailer, clock, log, from: config.email.from, messageIdDomain: config.email.messageIdDomain,
    retry: { maxAttempts: config.email.maxRetries + 1, baseMs: config.email.retryBaseMs, capMs: 3_600_000 },
  });
  return {
    relay,
    email,
    start() {
      relay?.start();
      email.start();
    },
    async stop() {
      await Promise.all([relay?.stop(), email.stop()]);
      await Promise.all([deps.relay.close(), deps.mailer.close()]);
    },
  };
}
