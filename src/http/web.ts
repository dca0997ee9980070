/**
 * Serves the built console (dist/web) at `/`, with index.html for client-side
 * routes. The API stays under `/api`; unknown `/api` paths remain 404 problems.
 */
import { existsSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { problem, sendProblem } from './problem.js';

export const WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));

export function webConsole(root = WEB_ROOT) {
  return async (app: FastifyInstance): Promise<void> => {
    if (!existsSync(join(root, 'index.html'))) {
      app.log.warn('the console is not built (npm run build:web); serving the API only');
      return;
    }
    await app.register(fastifyStatic, { root, serve: false });
    app.get('/*', { schema: { hide: true }, config: { access: 'public' } }, async (req, reply) => {
      const path = decodeURIComponent(req.url.split('?')[0] ?? '/');
      if (path.startsWith('/api/') || path === '/api') {
        return sendProblem(reply, problem(404, 'route.not_found', `No endpoint ${req.method} ${path}.`, req.id));
      }
      const file = normalize(path).replace(/^(\.\.[/\\])+/, '').replace(/^[/\\]+/, '');
      const full = join(root, file);
      if (file && full.startsWith(root) && existsSync(full) && statSync(full).isFile()) {
        // Hashed assets never change; everything else is revalidated.
        const immutable = file.startsWith('assets/');
        return reply.sendFile(file, { maxAge: immutable ? 31536000000 : 0, immutable });
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html', { maxAge: 0 });
    });
  };
}
