/** Liveness, readiness and version: public, cheap, no personal data. */
import { z } from 'zod';
import { VERSION } from '../../version.js';
import type { ApiServices } from '../api.js';
import { defineRoute, type RouteDef } from '../route.js';

const Status = z.object({ status: z.enum(['ok', 'unavailable']) });

export function healthRoutes(s: ApiServices): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/health',
      access: 'public',
      summary: 'Service status and version',
      tags: ['health'],
      response: { 200: Status.extend({ version: z.string() }) },
      handler: async () => ({ status: 'ok', version: VERSION }),
    }),
    defineRoute({
      method: 'GET',
      url: '/live',
      access: 'public',
      summary: 'Liveness: the process is running',
      tags: ['health'],
      response: { 200: Status },
      handler: async () => ({ status: 'ok' }),
    }),
    defineRoute({
      method: 'GET',
      url: '/ready',
      access: 'public',
      summary: 'Readiness: the database answers',
      tags: ['health'],
      response: { 200: Status.extend({ database: z.string() }), 503: Status.extend({ database: z.string() }) },
      handler: async (_req, reply) => {
        try {
          await s.database.ping();
          return { status: 'ok', database: s.database.engine };
        } catch {
          return reply.code(503).send({ status: 'unavailable', database: s.database.engine });
        }
      },
    }),
  ];
}
