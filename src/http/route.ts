/**
 * How every API route is declared: method, URL, the access it requires, zod
 * schemas for what it accepts and returns, and a handler. Reading order of a
 * request: rate limit → authenticate → authorize → validate → command → present.
 *
 *   export const getCampaign = defineRoute({
 *     method: 'GET', url: '/api/campaigns/:id', access: 'campaign:read',
 *     summary: 'Read a campaign', tags: ['campaigns'],
 *     params: IdParams, response: { 200: CampaignSchema },
 *     handler: async (req) => presentCampaign(await loadCampaign(db, req.params.id), req.principal),
 *   });
 *
 * `registerRoutes` refuses (at start-up) a route whose access is not a known
 * permission, and the server refuses any `/api` route registered some other way.
 */
import { timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { type Access, can, isPermission, type Permission, type PermissionMatrix } from '../domain/auth/permissions.js';
import { DomainError } from '../domain/errors.js';
import type { Principal } from './auth/principal.js';

type Schema = z.ZodType;
type Out<T> = T extends Schema ? z.output<T> : undefined;

export type ApiRequest<P, Q, B> = Omit<FastifyRequest, 'params' | 'query' | 'body'> & {
  params: P;
  query: Q;
  body: B;
};

export interface RouteDef<P extends Schema | undefined = Schema | undefined, Q extends Schema | undefined = Schema | undefined, B extends Schema | undefined = Schema | undefined> {
  readonly method: Extract<HTTPMethods, 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'>;
  readonly url: string;
  /** A permission from the matrix, or `public` / `authenticated`. */
  readonly access: Access;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** Response schemas by status. Fields not in the schema are dropped on the way out. */
  readonly response?: Readonly<Record<number, Schema>>;
  /** Per-route rate limit (sign-in, webhooks, uploads). */
  readonly rateLimit?: { readonly max: number; readonly timeWindow: number | string };
  readonly bodyLimit?: number;
  /** Skip the CSRF check (only for routes that authenticate by other means). */
  readonly csrfExempt?: boolean;
  handler(req: ApiRequest<Out<P>, Out<Q>, Out<B>>, reply: FastifyReply): Promise<unknown>;
}

/** Identity function that gives the handler precise types from the schemas. */
export function defineRoute<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(
  def: RouteDef<P, Q, B>,
): RouteDef {
  return def as unknown as RouteDef;
}

export interface RouteSecurity {
  readonly matrix: PermissionMatrix;
  /** Writes a denied-access record (user, route, time) to the audit log. */
  onDenied(req: FastifyRequest, permission: Permission): Promise<void>;
}

export const CSRF_COOKIE = 'vsa_csrf';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function csrfOk(req: FastifyRequest): boolean {
  const cookie = req.cookies?.[CSRF_COOKIE];
  const header = req.headers[CSRF_HEADER];
  if (!cookie || typeof header !== 'string') return false;
  const a = Buffer.from(cookie);
  const b = Buffer.from(header);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Throws unless the principal may use a route with this access. */
export function authorize(principal: Principal | null, access: Access, matrix: PermissionMatrix): void {
  if (access === 'public') return;
  if (!principal) throw new DomainError('auth.required', 'Sign in or send a bearer token to use this endpoint.', 'unauthenticated');
  if (access === 'authenticated') return;
  if (!can(matrix, principal.role, access)) {
    throw new DomainError('auth.forbidden', `Your role (${principal.role}) does not have the "${access}" permission.`, 'forbidden', { permission: access });
  }
}

export function registerRoutes(app: FastifyInstance, routes: readonly RouteDef[], security: RouteSecurity): void {
  for (const r of routes) {
    if (r.access !== 'public' && r.access !== 'authenticated' && !isPermission(r.access)) {
      throw new Error(`route ${r.method} ${r.url} declares unknown access "${String(r.access)}"`);
    }
    const schema: Record<string, unknown> = { summary: r.summary, tags: [...r.tags] };
    if (r.description) schema['description'] = r.description;
    if (r.params) schema['params'] = r.params;
    if (r.query) schema['querystring'] = r.query;
    if (r.body) schema['body'] = r.body;
    if (r.response) schema['response'] = r.response;
    if (r.access !== 'public') schema['security'] = [{ bearer: [] }, { cookie: [] }];

    app.withTypeProvider<ZodTypeProvider>().route({
      method: r.method,
      url: r.url,
      schema,
      ...(r.bodyLimit ? { bodyLimit: r.bodyLimit } : {}),
      config: { access: r.access, ...(r.rateLimit ? { rateLimit: r.rateLimit } : {}) },
      onRequest: async (req) => {
        try {
          authorize(req.principal, r.access, security.matrix);
        } catch (err) {
          if (err instanceof DomainError && err.kind === 'forbidden') await security.onDenied(req, r.access as Permission);
          throw err;
        }
        if (req.principal?.via === 'cookie' && !SAFE_METHODS.has(req.method) && !r.csrfExempt && !csrfOk(req)) {
          throw new DomainError('auth.csrf_failed', `State-changing requests with a session cookie must echo the ${CSRF_COOKIE} cookie in the ${CSRF_HEADER} header.`, 'forbidden');
        }
      },
      handler: async (req, reply) => r.handler(req as never, reply),
    });
  }
}

/** The principal of a request that passed `authorize` for a non-public route. */
export function principalOf(req: { principal: Principal | null }): Principal {
  if (!req.principal) throw new DomainError('auth.required', 'Sign in to use this endpoint.', 'unauthenticated');
  return req.principal;
}
