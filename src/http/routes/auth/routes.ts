/**
 * Sign-in and sessions: OIDC login and callback, refresh-token rotation,
 * logout, and the signed-in user's profile and permissions.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { revokeSession, rotateRefreshToken, sessionOfRefreshToken, signIn } from '../../../commands/auth/sessions.js';
import { profileFromClaims, roleFromClaims, safeReturnTo } from '../../../domain/auth/identity.js';
import { PERMISSIONS, permissionsOf } from '../../../domain/auth/permissions.js';
import { DomainError } from '../../../domain/errors.js';
import { USER_ROLES, type UserRole } from '../../../db/schema/core.js';
import type { ApiServices } from '../../api.js';
import { clearSessionCookies, createSignInSealer, REFRESH_COOKIE, setSessionCookies, SIGN_IN_COOKIE } from '../../auth/cookies.js';
import { CSRF_COOKIE, defineRoute, principalOf, type RouteDef } from '../../route.js';

/** Per client address; generous for people, tight for scripts. */
const SIGN_IN_LIMIT = { max: 30, timeWindow: '1 minute' } as const;
const REFRESH_LIMIT = { max: 60, timeWindow: '1 minute' } as const;

const Me = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.enum(USER_ROLES),
  permissions: z.array(z.enum(PERMISSIONS)),
  via: z.enum(['cookie', 'bearer']),
  session_expires_at: z.string().nullable(),
});

const Refreshed = z.object({
  access_token_expires_at: z.string(),
  refresh_token_expires_at: z.string(),
});

const CSRF_SHAPE = /^[A-Za-z0-9_-]{32,128}$/;

export function authRoutes(s: ApiServices): RouteDef[] {
  const { config, db, tokens, auth } = s;
  const cookies = { secure: config.env === 'production' };
  const sealer = createSignInSealer(config.auth.tokenSecret);
  const policy = { idleTtlSeconds: config.auth.sessionIdleTtlSeconds, maxTtlSeconds: config.auth.sessionMaxTtlSeconds };
  const oidcConfig = config.auth.oidc;

  const identity = () => {
    if (!auth.identity) throw new DomainError('auth.not_configured', 'Sign-in is not configured on this server.', 'unavailable');
    return auth.identity;
  };

  /** Access token + cookies for a session; returns the expiry of the access token. */
  async function issueCookies(reply: FastifyReply, userId: string, sessionId: string, refreshToken: string, refreshExpiresAt: Date, csrfToken?: string) {
    const access = await tokens.issue({ userId, sessionId });
    setSessionCookies(reply, cookies, { accessToken: access.token, refreshToken, expiresAt: refreshExpiresAt, ...(csrfToken ? { csrfToken } : {}) });
    reply.header('cache-control', 'no-store');
    return access.expiresAt;
  }

  return [
    defineRoute({
      method: 'GET',
      url: '/api/auth/login',
      access: 'public',
      summary: 'Start signing in (redirects to the identity provider)',
      description: 'Redirects the browser to the OpenID Connect provider (authorization code flow with PKCE). After sign-in the browser returns to `return_to` (a path on this site).',
      tags: ['auth'],
      query: z.strictObject({ return_to: z.string().max(2000).optional() }),
      rateLimit: SIGN_IN_LIMIT,
      handler: async (req, reply) => {
        const idp = identity();
        if (oidcConfig.mode === 'dev') {
          // The built-in provider's cookies and ours must share one host name: a browser
          // that opened http://localhost while the server is http://127.0.0.1 is moved over first.
          const canonical = new URL(idp.redirectUri());
          if (req.host && req.host !== canonical.host) {
            return reply.redirect(`${canonical.origin}${req.url}`, 302);
          }
        }
        const { url, pending } = await idp.begin(safeReturnTo(req.query.return_to));
        sealer.setCookie(reply, cookies, await sealer.seal(pending));
        return reply.header('cache-control', 'no-store').redirect(url.href, 302);
      },
    }),

    defineRoute({
      method: 'GET',
      url: '/api/auth/callback',
      access: 'public',
      summary: 'Finish signing in (the identity provider redirects here)',
      description: 'Checks state, nonce and PKCE, creates or updates the user, opens a session and sets the session cookies, then redirects to where sign-in started.',
      tags: ['auth'],
      // Providers add their own parameters (session_state, iss, …); openid-client validates what matters.
      query: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
      rateLimit: SIGN_IN_LIMIT,
      handler: async (req, reply) => {
        const idp = identity();
        const pending = await sealer.open(req.cookies[SIGN_IN_COOKIE]);
        sealer.clearCookie(reply, cookies);
        const callbackUrl = new URL(req.url, 'http://callback.invalid');
        const claims = await idp.complete(callbackUrl, pending);
        const profile = profileFromClaims(claims);
        const claimedRole = roleFromClaims(claims, oidcConfig.roleClaim, oidcConfig.roleMap);
        const ua = req.headers['user-agent'];
        const session = await signIn(
          db,
          { profile, claimedRole, defaultRole: oidcConfig.defaultRole, correlationId: req.id, ...(ua ? { userAgent: ua } : {}) },
          policy,
        );
        req.log.info({ user_id: session.user.id, session_id: session.sessionId, created: session.created, role: session.user.role }, 'signed in');
        await issueCookies(reply, session.user.id, session.sessionId, session.refreshToken, session.refreshExpiresAt);
        return reply.redirect(pending.returnTo, 302);
      },
    }),

    defineRoute({
      method: 'POST',
      url: '/api/auth/refresh',
      access: 'public',
      summary: 'Rotate the refresh token and get a new access token',
      description:
        'Uses the `vsa_refresh` cookie (SameSite=Strict, so other sites cannot trigger it). The presented refresh token is spent: using it again ends the whole session. Serialize refreshes in the client (one at a time, across tabs).',
      tags: ['auth'],
      // Authenticated by the SameSite=Strict refresh cookie, not the access cookie.
      csrfExempt: true,
      rateLimit: REFRESH_LIMIT,
      response: { 200: Refreshed },
      handler: async (req, reply) => {
        const presented = req.cookies[REFRESH_COOKIE];
        if (!presented) throw new DomainError('auth.refresh_token_missing', 'No refresh token was sent; sign in again.', 'unauthenticated');
        let rotated;
        try {
          rotated = await rotateRefreshToken(db, presented, policy);
        } catch (err) {
          if (err instanceof DomainError && (err.code === 'auth.refresh_token_reused' || err.code === 'auth.session_revoked' || err.code === 'auth.session_expired')) {
            const owner = await sessionOfRefreshToken(db, presented);
            if (owner) auth.sessions.forget(owner.sessionId);
            clearSessionCookies(reply, cookies);
          }
          throw err;
        }
        const csrf = req.cookies[CSRF_COOKIE];
        const expiresAt = await issueCookies(reply, rotated.userId, rotated.sessionId, rotated.refreshToken, rotated.refreshExpiresAt, csrf && CSRF_SHAPE.test(csrf) ? csrf : undefined);
        return { access_token_expires_at: expiresAt.toISOString(), refresh_token_expires_at: rotated.refreshExpiresAt.toISOString() };
      },
    }),

    defineRoute({
      method: 'POST',
      url: '/api/auth/logout',
      access: 'public',
      summary: 'Sign out: end the session and clear its cookies',
      description: 'Revokes the browser session (its access and refresh tokens stop working at once). Idempotent: answers 204 even when already signed out.',
      tags: ['auth'],
      rateLimit: REFRESH_LIMIT,
      handler: async (req, reply) => {
        let sessionId = req.principal?.sessionId;
        let actor: { userId: string; role: UserRole | null } | null = req.principal ? { userId: req.principal.userId, role: req.principal.role } : null;
        const refresh = req.cookies[REFRESH_COOKIE];
        if (!sessionId && refresh) {
          const owner = await sessionOfRefreshToken(db, refresh);
          if (owner) {
            sessionId = owner.sessionId;
            actor = { userId: owner.userId, role: null };
          }
        }
        if (sessionId) {
          await revokeSession(db, sessionId, 'logout', actor, req.id);
          auth.sessions.forget(sessionId);
        }
        clearSessionCookies(reply, cookies);
        return reply.header('cache-control', 'no-store').code(204).send();
      },
    }),

    defineRoute({
      method: 'GET',
      url: '/api/auth/me',
      access: 'authenticated',
      summary: 'The signed-in user: profile, role and permissions',
      tags: ['auth'],
      response: { 200: Me },
      handler: async (req: FastifyRequest) => {
        const principal = principalOf(req);
        const user = await db.selectFrom('users').select(['id', 'name', 'email', 'role']).where('id', '=', principal.userId).executeTakeFirstOrThrow();
        let sessionExpiresAt: string | null = null;
        if (principal.sessionId) {
          const row = await db.selectFrom('auth_sessions').select('expires_at').where('id', '=', principal.sessionId).executeTakeFirst();
          sessionExpiresAt = row ? row.expires_at.toISOString() : null;
        }
        return {
          id: user.id,
          name: user.name,
          email: user.email,
          role: user.role,
          permissions: [...permissionsOf(config.auth.matrix, user.role)],
          via: principal.via,
          session_expires_at: sessionExpiresAt,
        };
      },
    }),
  ];
}

