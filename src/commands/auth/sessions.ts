/**
 * Sessions: sign-in (user row + session + first refresh token, one
 * transaction), refresh-token rotation with reuse detection, logout, and
 * long-lived API tokens bound to a revocable session row.
 *
 * Refresh tokens are random 256-bit strings; only their sha256 is stored. Each
 * refresh marks the presented token used and issues its successor (parent_id
 * chain). Presenting a used token again means two parties hold the chain —
 * a stolen token — so the whole session is revoked.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { DB, SessionRevokeReason, UserRole, UsersTable } from '../../db/schema/index.js';
import type { IdentityProfile } from '../../domain/auth/identity.js';
import { DomainError } from '../../domain/errors.js';
import { recordAudit } from '../audit.js';

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
const newRefreshToken = (): string => randomBytes(32).toString('base64url');

export interface SessionPolicy {
  /** Refresh token lifetime; renewed by every refresh. */
  readonly idleTtlSeconds: number;
  /** Absolute session lifetime from sign-in. */
  readonly maxTtlSeconds: number;
}

export interface SignInInput {
  readonly profile: IdentityProfile;
  /** Role granted by the IdP claim, or null to keep the user row's (or the default for a new user). */
  readonly claimedRole: UserRole | null;
  readonly defaultRole: UserRole;
  readonly userAgent?: string;
  readonly correlationId?: string;
}

export interface IssuedSession {
  readonly user: Selectable<UsersTable>;
  readonly sessionId: string;
  readonly refreshToken: string;
  /** When the refresh token (and so the cookies) expire. */
  readonly refreshExpiresAt: Date;
  readonly created: boolean;
}

const addSeconds = (d: Date, s: number) => new Date(d.getTime() + s * 1000);
const earliest = (a: Date, b: Date) => (a.getTime() <= b.getTime() ? a : b);

/**
 * Creates or updates the user by OIDC subject, then opens a browser session.
 * A different account already holding the email → `auth.account_conflict` (409):
 * accounts are never linked by email alone.
 */
export async function signIn(db: Kysely<DB>, input: SignInInput, policy: SessionPolicy, now = new Date()): Promise<IssuedSession> {
  // Two first sign-ins of the same new user at once: one insert wins, the other
  // hits a unique key (subject or email) or a serialization/deadlock error;
  // running again finds the row and updates it.
  for (let attempt = 1; ; attempt++) {
    try {
      return await signInOnce(db, input, policy, now);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= 3 || (code !== '23505' && code !== '40001' && code !== '40P01')) throw err;
    }
  }
}

async function signInOnce(db: Kysely<DB>, input: SignInInput, policy: SessionPolicy, now: Date): Promise<IssuedSession> {
  return db.transaction().execute(async (trx) => {
    const { profile } = input;
    const existing = await trx.selectFrom('users').selectAll().where('oidc_sub', '=', profile.subject).forUpdate().executeTakeFirst();
    const clash = await trx
      .selectFrom('users')
      .select('id')
      .where('email', '=', profile.email)
      // A row with our own subject is not a clash: it is a concurrent first sign-in
      // that committed after our lookup (the insert below then fails and we retry).
      .where('oidc_sub', '!=', profile.subject)
      .$if(!!existing, (q) => q.where('id', '!=', existing!.id))
      .executeTakeFirst();
    if (clash) {
      throw new DomainError('auth.account_conflict', 'Another account already uses this email address; ask an administrator to resolve it.', 'conflict');
    }
    let user: Selectable<UsersTable>;
    if (!existing) {
      user = await trx
        .insertInto('users')
        .values({ oidc_sub: profile.subject, email: profile.email, name: profile.name, role: input.claimedRole ?? input.defaultRole })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actor: { userId: user.id, role: user.role },
        action: 'user.create',
        target: { type: 'user', id: user.id },
        after: { role: user.role, source: 'oidc' },
        correlationId: input.correlationId,
      });
    } else {
      const role = input.claimedRole ?? existing.role;
      user = await trx
        .updateTable('users')
        .set({ email: profile.email, name: profile.name, role })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (role !== existing.role) {
        await recordAudit(trx, {
          actor: { userId: user.id, role },
          action: 'user.role_change',
          target: { type: 'user', id: user.id },
          before: { role: existing.role },
          after: { role, source: 'oidc_claim' },
          correlationId: input.correlationId,
        });
      }
    }
    const session = await trx
      .insertInto('auth_sessions')
      .values({
        user_id: user.id,
        kind: 'browser',
        created_at: now,
        last_used_at: now,
        expires_at: addSeconds(now, policy.maxTtlSeconds),
        user_agent_hash: input.userAgent ? hashToken(input.userAgent) : null,
      })
      .returning(['id', 'expires_at'])
      .executeTakeFirstOrThrow();
    const refreshToken = newRefreshToken();
    const refreshExpiresAt = earliest(addSeconds(now, policy.idleTtlSeconds), session.expires_at);
    await trx
      .insertInto('refresh_tokens')
      .values({ session_id: session.id, token_hash: hashToken(refreshToken), created_at: now, expires_at: refreshExpiresAt })
      .execute();
    await recordAudit(trx, {
      actor: { userId: user.id, role: user.role },
      action: 'auth.sign_in',
      target: { type: 'session', id: session.id },
      correlationId: input.correlationId,
    });
    return { user, sessionId: session.id, refreshToken, refreshExpiresAt, created: !existing };
  });
}

export interface RotatedToken {
  readonly userId: string;
  readonly sessionId: string;
  readonly refreshToken: string;
  readonly refreshExpiresAt: Date;
}

const invalid = () => new DomainError('auth.invalid_refresh_token', 'The refresh token is not valid; sign in again.', 'unauthenticated');

/**
 * Exchanges a refresh token for its successor. Used token presented again →
 * the session is revoked (`auth.refresh_token_reused`). Expired token or ended
 * session → `auth.session_expired`; revoked session → `auth.session_revoked`.
 */
export async function rotateRefreshToken(db: Kysely<DB>, token: string, policy: SessionPolicy, now = new Date()): Promise<RotatedToken> {
  const outcome = await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('refresh_tokens as r')
      .innerJoin('auth_sessions as s', 's.id', 'r.session_id')
      .select(['r.id', 'r.session_id', 'r.expires_at', 'r.used_at', 's.user_id', 's.expires_at as session_expires_at', 's.revoked_at'])
      .where('r.token_hash', '=', hashToken(token))
      .forUpdate()
      .executeTakeFirst();
    if (!row) return { error: invalid() };
    if (row.revoked_at) return { error: new DomainError('auth.session_revoked', 'This session has ended; sign in again.', 'unauthenticated') };
    if (row.used_at) {
      await revokeSessionIn(trx, row.session_id, 'refresh_reuse', now);
      await recordAudit(trx, {
        actor: { userId: row.user_id, role: null },
        action: 'auth.refresh_reuse',
        target: { type: 'session', id: row.session_id },
        outcome: 'denied',
        details: { reason: 'a refresh token was presented after it had been rotated; the session was revoked' },
      });
      return {
        error: new DomainError('auth.refresh_token_reused', 'This refresh token was already used; the session has been ended for safety. Sign in again.', 'unauthenticated'),
      };
    }
    if (row.expires_at.getTime() <= now.getTime() || row.session_expires_at.getTime() <= now.getTime()) {
      return { error: new DomainError('auth.session_expired', 'The session has expired; sign in again.', 'unauthenticated') };
    }
    await trx.updateTable('refresh_tokens').set({ used_at: now }).where('id', '=', row.id).execute();
    const next = newRefreshToken();
    const refreshExpiresAt = earliest(addSeconds(now, policy.idleTtlSeconds), row.session_expires_at);
    await trx
      .insertInto('refresh_tokens')
      .values({ session_id: row.session_id, parent_id: row.id, token_hash: hashToken(next), created_at: now, expires_at: refreshExpiresAt })
      .execute();
    await trx.updateTable('auth_sessions').set({ last_used_at: now }).where('id', '=', row.session_id).execute();
    return { value: { userId: row.user_id, sessionId: row.session_id, refreshToken: next, refreshExpiresAt } };
  });
  // Errors are thrown after the transaction so the reuse revocation commits.
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}

async function revokeSessionIn(trx: Transaction<DB>, sessionId: string, reason: SessionRevokeReason, now: Date): Promise<boolean> {
  const res = await trx
    .updateTable('auth_sessions')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** Revokes a session (idempotent). Its access tokens stop working; its refresh tokens are refused. */
export async function revokeSession(db: Kysely<DB>, sessionId: string, reason: SessionRevokeReason, actor: { userId: string; role: UserRole | null } | null, correlationId?: string, now = new Date()): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const revoked = await revokeSessionIn(trx, sessionId, reason, now);
    if (revoked) {
      await recordAudit(trx, {
        actor,
        action: reason === 'logout' ? 'auth.sign_out' : 'auth.session_revoke',
        target: { type: 'session', id: sessionId },
        details: { reason },
        correlationId,
      });
    }
    return revoked;
  });
}

/** The session a refresh token belongs to (any state), for logout with only the refresh cookie. */
export async function sessionOfRefreshToken(db: Kysely<DB>, token: string): Promise<{ sessionId: string; userId: string } | undefined> {
  const row = await db
    .selectFrom('refresh_tokens as r')
    .innerJoin('auth_sessions as s', 's.id', 'r.session_id')
    .select(['s.id', 's.user_id'])
    .where('r.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  return row ? { sessionId: row.id, userId: row.user_id } : undefined;
}

/** True while the session is neither revoked nor past its absolute expiry. */
export async function isSessionActive(db: Kysely<DB>, sessionId: string, now = new Date()): Promise<boolean> {
  const row = await db
    .selectFrom('auth_sessions')
    .select(['revoked_at', 'expires_at'])
    .where('id', '=', sessionId)
    .executeTakeFirst();
  return !!row && row.revoked_at === null && row.expires_at.getTime() > now.getTime();
}

/**
 * Session check for the authenticator with a short in-process cache (a few
 * seconds), so a busy console does not query per request. A logout in this
 * process takes effect at once (`forget`); in another API process within `ttlMs`.
 */
export function createSessionChecker(db: Kysely<DB>, ttlMs = 5000, maxEntries = 10_000) {
  const cache = new Map<string, { active: boolean; until: number }>();
  return {
    async isActive(sessionId: string): Promise<boolean> {
      const hit = cache.get(sessionId);
      const t = Date.now();
      if (hit && hit.until > t) return hit.active;
      // Not a UUID → cannot be ours (and must not reach a uuid column).
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sessionId)) return false;
      const active = await isSessionActive(db, sessionId);
      if (cache.size >= maxEntries) cache.clear();
      cache.set(sessionId, { active, until: t + ttlMs });
      return active;
    },
    forget(sessionId: string): void {
      cache.delete(sessionId);
    },
  };
}
export type SessionChecker = ReturnType<typeof createSessionChecker>;

/**
 * A session row for a bearer API token (no refresh token): the token names it,
 * so revoking the row (or deleting the user) stops the token before it expires.
 */
export async function createApiTokenSession(db: Kysely<DB>, userId: string, ttlSeconds: number, label: string | null, now = new Date()): Promise<{ sessionId: string; expiresAt: Date }> {
  const row = await db
    .insertInto('auth_sessions')
    .values({ user_id: userId, kind: 'api_token', created_at: now, last_used_at: now, expires_at: addSeconds(now, ttlSeconds), label })
    .returning(['id', 'expires_at'])
    .executeTakeFirstOrThrow();
  return { sessionId: row.id, expiresAt: row.expires_at };
}

/**
 * Deletes sessions (with their refresh-token chains) that ended — expired or
 * revoked — before `before`. For the retention worker; returns how many.
 */
export async function pruneSessions(db: Kysely<DB>, before: Date): Promise<number> {
  const res = await db
    .deleteFrom('auth_sessions')
    .where((eb) => eb.or([eb('expires_at', '<', before), eb('revoked_at', '<', before)]))
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
