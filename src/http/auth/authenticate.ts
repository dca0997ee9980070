/**
 * Resolves the principal of a request from `Authorization: Bearer …` or the
 * access-token cookie. Anonymous requests resolve to null; bad credentials throw
 * (401 with a specific code) rather than silently becoming anonymous.
 */
import type {} from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema/index.js';
import { DomainError } from '../../domain/errors.js';
import type { Principal } from './principal.js';
import type { TokenService } from './tokens.js';

export const ACCESS_COOKIE = 'vsa_access';

export interface Authenticator {
  authenticate(req: FastifyRequest): Promise<Principal | null>;
}

export interface AuthenticatorDeps {
  db: Kysely<DB>;
  tokens: TokenService;
  /** Optional check that a browser session is still live (logout revokes it). */
  isSessionActive?: (sessionId: string) => Promise<boolean>;
}

export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  return {
    async authenticate(req) {
      const header = req.headers.authorization;
      let token: string | undefined;
      let via: Principal['via'] = 'bearer';
      if (header !== undefined) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
        if (!m) throw new DomainError('auth.invalid_authorization_header', 'The Authorization header must be "Bearer <token>".', 'unauthenticated');
        token = m[1];
      } else {
        const cookie = req.cookies?.[ACCESS_COOKIE];
        if (cookie) {
          token = cookie;
          via = 'cookie';
        }
      }
      if (!token) return null;
      const claims = await deps.tokens.verify(token);
      if (claims.sessionId && deps.isSessionActive && !(await deps.isSessionActive(claims.sessionId))) {
        throw new DomainError('auth.session_revoked', 'This session has ended; sign in again.', 'unauthenticated');
      }
      const user = await deps.db
        .selectFrom('users')
        .select(['id', 'role', 'name'])
        .where('id', '=', claims.userId)
        .executeTakeFirst();
      if (!user) throw new DomainError('auth.unknown_user', 'The account for this token no longer exists.', 'unauthenticated');
      return { userId: user.id, role: user.role, name: user.name, via, ...(claims.sessionId ? { sessionId: claims.sessionId } : {}) };
    },
  };
}
