/**
 * Short-lived signed access tokens (JWT, HS256 via jose). They name the user and,
 * for browser sessions, the session; the role is read from the user row on each
 * request so a role change takes effect at once.
 */
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { DomainError } from '../../domain/errors.js';

const ISSUER = 'voicesurveyagent';
const AUDIENCE = 'voicesurveyagent-api';

export interface AccessClaims {
  readonly userId: string;
  readonly sessionId?: string;
}

export interface TokenService {
  /** Signs an access token valid for the configured lifetime (or `ttlSeconds`). */
  issue(claims: AccessClaims, opts?: { ttlSeconds?: number; now?: Date }): Promise<{ token: string; expiresAt: Date }>;
  /** Verifies a token; throws DomainError `auth.token_expired` or `auth.invalid_token`. */
  verify(token: string, now?: Date): Promise<AccessClaims>;
}

export function createTokenService(secret: string, ttlSeconds: number): TokenService {
  const key = new TextEncoder().encode(secret);
  return {
    async issue(claims, opts = {}) {
      const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
      const exp = now + (opts.ttlSeconds ?? ttlSeconds);
      const jwt = new SignJWT(claims.sessionId ? { sid: claims.sessionId } : {})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(now)
        .setExpirationTime(exp);
      return { token: await jwt.sign(key), expiresAt: new Date(exp * 1000) };
    },
    async verify(token, now) {
      try {
        const { payload } = await jwtVerify(token, key, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['HS256'],
          ...(now ? { currentDate: now } : {}),
        });
        if (typeof payload.sub !== 'string') throw new DomainError('auth.invalid_token', 'The access token is invalid.', 'unauthenticated');
        return typeof payload['sid'] === 'string' ? { userId: payload.sub, sessionId: payload['sid'] } : { userId: payload.sub };
      } catch (err) {
        if (err instanceof DomainError) throw err;
        if (err instanceof joseErrors.JWTExpired) {
          throw new DomainError('auth.token_expired', 'The access token has expired; refresh it or sign in again.', 'unauthenticated');
        }
        throw new DomainError('auth.invalid_token', 'The access token is invalid.', 'unauthenticated');
      }
    },
  };
}
