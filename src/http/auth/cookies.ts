/**
 * The browser's credentials, as cookies:
 *
 * - `vsa_access`  — short-lived access token (httpOnly, SameSite=Lax, path /).
 * - `vsa_refresh` — rotating refresh token (httpOnly, SameSite=Strict, path /api/auth).
 * - `vsa_csrf`    — random value JavaScript echoes in `x-csrf-token` (readable, SameSite=Lax).
 * - `vsa_signin`  — state, nonce and PKCE verifier of a sign-in in progress,
 *                   encrypted (JWE, A256GCM) and valid 10 minutes (httpOnly, path /api/auth).
 *
 * All are `Secure` outside development and test.
 */
import { createHash, randomBytes } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply } from 'fastify';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { DomainError } from '../../domain/errors.js';
import type { PendingSignIn } from '../../domain/ports/identity.js';
import { CSRF_COOKIE } from '../route.js';
import { ACCESS_COOKIE } from './authenticate.js';

export const REFRESH_COOKIE = 'vsa_refresh';
export const SIGN_IN_COOKIE = 'vsa_signin';
export const AUTH_PATH = '/api/auth';
const SIGN_IN_TTL_SECONDS = 600;

export interface CookieSettings {
  /** Adds `Secure`; on outside development and test. */
  readonly secure: boolean;
}

export interface SessionCookies {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** When the refresh token expires; every cookie lives until then. */
  readonly expiresAt: Date;
  /** Kept across refreshes so in-flight requests keep a valid header. */
  readonly csrfToken?: string;
}

export const newCsrfToken = (): string => randomBytes(32).toString('base64url');

export function setSessionCookies(reply: FastifyReply, s: CookieSettings, c: SessionCookies): string {
  const expires = c.expiresAt;
  const csrf = c.csrfToken ?? newCsrfToken();
  reply.setCookie(ACCESS_COOKIE, c.accessToken, { path: '/', httpOnly: true, sameSite: 'lax', secure: s.secure, expires });
  reply.setCookie(REFRESH_COOKIE, c.refreshToken, { path: AUTH_PATH, httpOnly: true, sameSite: 'strict', secure: s.secure, expires });
  reply.setCookie(CSRF_COOKIE, csrf, { path: '/', httpOnly: false, sameSite: 'lax', secure: s.secure, expires });
  return csrf;
}

export function clearSessionCookies(reply: FastifyReply, s: CookieSettings): void {
  reply.clearCookie(ACCESS_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: s.secure });
  reply.clearCookie(REFRESH_COOKIE, { path: AUTH_PATH, httpOnly: true, sameSite: 'strict', secure: s.secure });
  reply.clearCookie(CSRF_COOKIE, { path: '/', httpOnly: false, sameSite: 'lax', secure: s.secure });
}

/** Seals and opens the pending sign-in cookie with a key derived from the token secret. */
export function createSignInSealer(tokenSecret: string) {
  const key = createHash('sha256').update(`voicesurvey sign-in state\0${tokenSecret}`).digest();
  return {
    async seal(p: PendingSignIn, now = new Date()): Promise<string> {
      const iat = Math.floor(now.getTime() / 1000);
      return new EncryptJWT({ st: p.state, no: p.nonce, cv: p.codeVerifier, rt: p.returnTo })
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setIssuedAt(iat)
        .setExpirationTime(iat + SIGN_IN_TTL_SECONDS)
        .encrypt(key);
    },
    /** Throws `auth.sign_in_state_missing` / `auth.sign_in_state_invalid` / `auth.sign_in_expired` (400). */
    async open(value: string | undefined): Promise<PendingSignIn> {
      if (!value) {
        throw new DomainError('auth.sign_in_state_missing', 'No sign-in is in progress in this browser (the sign-in cookie is missing); start signing in again.', 'unauthenticated');
      }
      try {
        const { payload } = await jwtDecrypt(value, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
        const { st, no, cv, rt } = payload as Record<string, unknown>;
        if (typeof st !== 'string' || typeof no !== 'string' || typeof cv !== 'string' || typeof rt !== 'string') throw new Error('incomplete');
        return { state: st, nonce: no, codeVerifier: cv, returnTo: rt };
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_JWT_EXPIRED') {
          throw new DomainError('auth.sign_in_expired', 'The sign-in took too long; start signing in again.', 'unauthenticated');
        }
        throw new DomainError('auth.sign_in_state_invalid', 'The sign-in cookie is invalid or was tampered with; start signing in again.', 'unauthenticated');
      }
    },
    setCookie(reply: FastifyReply, s: CookieSettings, sealed: string): void {
      reply.setCookie(SIGN_IN_COOKIE, sealed, { path: AUTH_PATH, httpOnly: true, sameSite: 'lax', secure: s.secure, maxAge: SIGN_IN_TTL_SECONDS });
    },
    clearCookie(reply: FastifyReply, s: CookieSettings): void {
      reply.clearCookie(SIGN_IN_COOKIE, { path: AUTH_PATH, httpOnly: true, sameSite: 'lax', secure: s.secure });
    },
  };
}
