/**
 * Who is making a request, once authenticated. Routes read `request.principal`
 * (null when anonymous); the route layer rejects anonymous access to protected
 * routes before the handler runs.
 */
import type { UserRole } from '../../db/schema/core.js';

export interface Principal {
  readonly userId: string;
  readonly role: UserRole;
  readonly name: string;
  /** How the credential arrived: browser cookie (CSRF-checked) or `Authorization: Bearer`. */
  readonly via: 'cookie' | 'bearer';
  /** The browser session the access token belongs to, when it has one. */
  readonly sessionId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}
