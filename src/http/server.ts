/**
 * The HTTP server: Fastify with our logger, correlation ids, security headers,
 * problem+json errors, zod validation, an OpenAPI document and the routes of
 * every area. Routes are plain data (`RouteDef`), collected in `api.ts`.
 */
import { setMaxListeners } from 'node:events';
import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import type { Logger } from '../observability/logger.js';
import { createReportingServices, type ReportingServices } from '../reporting-services.js';
import { VERSION } from '../version.js';
import { recordAudit } from '../commands/audit.js';
import { createSessionChecker } from '../commands/auth/sessions.js';
import type { IdentityProvider } from '../domain/ports/identity.js';
import { type ApiServices, apiRoutes } from './api.js';
import { createAuthenticator, type Authenticator } from './auth/authenticate.js';
import { createTokenService } from './auth/tokens.js';
import { errorHandler, problem, sendProblem, toProblem } from './problem.js';
import { registerRoutes, type RouteDef } from './route.js';

export interface ServerDeps {
  config: Config;
  database: Database;
  log: Logger;
  /** Extra routes (other areas, tests). */
  routes?: readonly RouteDef[];
  /** Replaces the default authenticator (e.g. to add session checks). */
  authenticator?: Authenticator;
  /** The OIDC client for `/api/auth/login` and `/api/auth/callback` (built by app.ts). */
  identity?: IdentityProvider | null;
  /** Registers plugins that are not `RouteDef`s (webhooks, identity provider). Their routes must set `config.access`. */
  plugins?: readonly ((app: FastifyInstance) => Promise<void>)[];
  /** Reporting adapters (stats cache, export storage); built from config (and closed with the server) when absent. */
  reporting?: ReportingServices;
}

/** One registered route and who may call it (for the route × role test and docs). */
export interface RouteInfo {
  readonly method: string;
  readonly url: string;
  readonly access: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: readonly RouteInfo[];
  }
}

const CORRELATION_HEADER = 'x-correlation-id';
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Routes registered by documentation plugins; everything else must declare its access. */
const UNGUARDED_PREFIXES = ['/api/docs'];

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: config.api.bodyLimitBytes,
    trustProxy: false,
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'correlation_id' }),
    genReqId: (req) => {
      const given = req.headers[CORRELATION_HEADER];
      return typeof given === 'string' && CORRELATION_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false } },
  });
  // JSON only (webhook and upload plugins add their own parsers): a text/plain body is a 415, not a string.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, problem(404, 'route.not_found', `No endpoint ${req.method} ${req.url.split('?')[0]}.`, req.id)),
  );
  app.addHook('onRequest', async (req, reply) => {
    reply.header(CORRELATION_HEADER, req.id);
  });

  // Every route must say who may call it; a route that does not fails start-up.
  const routeTable: RouteInfo[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    if (UNGUARDED_PREFIXES.some((p) => route.url.startsWith(p))) return;
    const access = (route.config as { access?: string } | undefined)?.access;
    if (!access) throw new Error(`route ${String(route.method)} ${route.url} does not declare its access (config.access)`);
    for (const method of [route.method].flat()) if (method !== 'HEAD') routeTable.push({ method: String(method), url: route.url, access });
  });

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    hsts: config.env === 'production',
  });
  await app.register(fastifyCookie);
  // CSV uploads: parts are streamed to the route (req.file()), never buffered; one file per request.
  await app.register(fastifyMultipart, { limits: { fileSize: config.imports.maxBytes + 1, files: 1, fields: 20, parts: 21 } });
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) => Object.assign(new Error(`Too many requests; retry in ${ctx.after}.`), { statusCode: 429 }),
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'voicesurveyagent API', version: VERSION, description: 'Outbound phone surveys: campaigns, contacts, calls, results.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'vsa_access' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });

  const tokens = createTokenService(config.auth.tokenSecret, config.auth.accessTokenTtlSeconds);
  const sessions = createSessionChecker(deps.database.db);
  const authenticator =
    deps.authenticator ?? createAuthenticator({ db: deps.database.db, tokens, isSessionActive: (id) => sessions.isActive(id) });
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    try {
      req.principal = await authenticator.authenticate(req);
    } catch (err) {
      // A stale or revoked cookie must not lock anyone out of the public routes
      // (signing in again, refreshing, logging out, health checks): there it
      // simply counts as anonymous. Everywhere else bad credentials are a 401.
      if ((req.routeOptions.config as { access?: string } | undefined)?.access !== 'public') throw err;
      req.principal = null;
    }
  });

  const reporting = deps.reporting ?? createReportingServices(config, deps.database.db, deps.log);
  if (!deps.reporting) app.addHook('onClose', () => reporting.close());
  // Event streams never finish by themselves: end them before the server waits for open requests.
  const closing = new AbortController();
  setMaxListeners(0, closing.signal); // one listener per open stream
  app.addHook('preClose', async () => closing.abort());
  const services: ApiServices = {
    config,
    database: deps.database,
    db: deps.database.db,
    tokens,
    log: deps.log,
    auth: { identity: deps.identity ?? null, sessions },
    reporting,
    closing: closing.signal,
  };
  const routes = [...apiRoutes(services), ...(deps.routes ?? [])];
  registerRoutes(app, routes, {
    matrix: config.auth.matrix,
    async onDenied(req, permission) {
      const principal = req.principal;
      req.log.warn({ user_id: principal?.userId, role: principal?.role, route: req.routeOptions.url, method: req.method, permission }, 'access denied');
      await recordAudit(deps.database.db, {
        actor: principal ? { userId: principal.userId, role: principal.role } : null,
        action: 'access.denied',
        target: { type: 'route', id: `${req.method} ${req.routeOptions.url ?? req.url}` },
        outcome: 'denied',
        details: { permission },
        correlationId: req.id,
      }).catch((err: unknown) => req.log.error({ err }, 'could not audit a denied access'));
    },
  });
  for (const plugin of deps.plugins ?? []) await plugin(app);

  // The OpenAPI document, generated from the routes' own schemas.
  app.get('/api/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () => app.swagger());

  return app;
}

/** Status for a thrown error, for code that builds responses outside a route (tests, plugins). */
export const statusOf = (err: unknown): number => toProblem(err, '-').problem.status;
