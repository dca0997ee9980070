/**
 * The HTTP server: Fastify with our logger. Routes are registered here by area.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import type { Logger } from '../observability/logger.js';
import { VERSION } from '../version.js';

export interface ServerDeps {
  config: Config;
  database: Database;
  log: Logger;
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    disableRequestLogging: false,
    bodyLimit: 1024 * 1024,
    trustProxy: false,
  });

  app.get('/health', async () => ({ status: 'ok', version: VERSION }));
  app.get('/live', async () => ({ status: 'ok' }));
  app.get('/ready', async (_req, reply) => {
    try {
      await deps.database.ping();
      return { status: 'ok', database: deps.database.engine };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: deps.database.engine });
    }
  });

  return app;
}
