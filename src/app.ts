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

export type Role = 'all' | 'api';

export interface App {
  readonly config: Config;
  readonly database: Database;
  readonly http: FastifyInstance;
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
    let stopped = false;
    return {
      config,
      database,
      http,
      async start() {
        return http.listen({ host: config.http.host, port: config.http.port });
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await http.close();
        if (!opts.database) await database.close();
      },
    };
  } catch (err) {
    if (!opts.database) await database.close();
    throw err;
  }
}
