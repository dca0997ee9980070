/**
 * The composition root: the one place that turns configuration into running
 * parts. Everything else receives what it needs as arguments.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/connect.js';
import { Migrator } from './db/migrator.js';
import { buildServer } from './http/server.js';
import type { Logger } from './observability/logger.js';
import { createReportingServices, type ReportingServices } from './reporting-services.js';
import { ExportWorker } from './workers/export-worker.js';

export type Role = 'all' | 'api';

export interface App {
  readonly config: Config;
  readonly database: Database;
  readonly http: FastifyInstance;
  readonly reporting: ReportingServices;
  /** Starts listening (and, in later roles, the loops). Returns the bound URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

export interface BuildOptions {
  role?: Role;
  /** Use this database instead of opening one from the configuration (tests). */
  database?: Database;
  /** Replace reporting adapters (tests: an S3 test double, a fake clock). */
  reporting?: Parameters<typeof createReportingServices>[3];
}

export async function buildApp(config: Config, log: Logger, opts: BuildOptions = {}): Promise<App> {
  const database = opts.database ?? (await openDatabase(config.database, log));
  let reporting: ReportingServices | undefined;
  try {
    if (config.database.migrateOnStart) {
      await new Migrator(database.db, { log }).up();
    }
    const services = createReportingServices(config, database.db, log, opts.reporting);
    reporting = services;
    const http = await buildServer({ config, database, log, reporting: services });
    // Role `all` runs the export jobs in-process; later worker roles can run it alone.
    const exportWorker = (opts.role ?? 'all') === 'all' ? new ExportWorker(database.db, services.exportDeps) : null;
    let stopped = false;
    return {
      config,
      database,
      http,
      reporting: services,
      async start() {
        const url = await http.listen({ host: config.http.host, port: config.http.port });
        exportWorker?.start();
        return url;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await exportWorker?.stop();
        await http.close();
        await services.close();
        if (!opts.database) await database.close();
      },
    };
  } catch (err) {
    await reporting?.close();
    if (!opts.database) await database.close();
    throw err;
  }
}
