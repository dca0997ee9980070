/**
 * The composition root: the one place that turns configuration into running
 * parts. Everything else receives what it needs as arguments.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/connect.js';
import { Migrator } from './db/migrator.js';
import { buildServer } from './http/server.js';
import { webConsole } from './http/web.js';
import type { Logger } from './observability/logger.js';
import { createMailer } from './adapters/email/index.js';
import { createEventRelay } from './adapters/relay/index.js';
import { systemClock } from './domain/clock.js';
import { buildOutboxWorkers, type OutboxWorkers } from './workers/outbox.js';

export type Role = 'all' | 'api';

export interface App {
  readonly config: Config;
  readonly database: Database;
  readonly http: FastifyInstance;
  /** Relay and email workers; null in the `api` role. */
  readonly outbox: OutboxWorkers | null;
  /** Starts listening (and, in later roles, the loops). Returns the bound URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

export interface BuildOptions {
  role?: Role;
  /** Use this database instead of opening one from the configuration (tests). */
  database?: Database;
  /** Serve the built console at `/` (default true; it is skipped with a warning when not built). */
  web?: boolean;
}

export async function buildApp(config: Config, log: Logger, opts: BuildOptions = {}): Promise<App> {
  const database = opts.database ?? (await openDatabase(config.database, log));
  try {
    if (config.database.migrateOnStart) {
      await new Migrator(database.db, { log }).up();
    }
    const http = await buildServer({ config, database, log, plugins: opts.web === false ? [] : [webConsole()] });
    const role = opts.role ?? 'all';
    const outbox = role === 'all'
      ? buildOutboxWorkers({ config, db: database.db, log, clock: systemClock, relay: createEventRelay(config.relay, log), mailer: createMailer(config.email.transport) })
      : null;
    let stopped = false;
    return {
      config,
      database,
      http,
      outbox,
      async start() {
        const url = await http.listen({ host: config.http.host, port: config.http.port });
        outbox?.start();
        return url;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await outbox?.stop();
        await http.close();
        if (!opts.database) await database.close();
      },
    };
  } catch (err) {
    if (!opts.database) await database.close();
    throw err;
  }
}
