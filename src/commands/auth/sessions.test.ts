import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testEngine, type TestDatabase } from '../../../test/support/db.js';
import { createUser } from '../../../test/support/factories.js';
import { hashToken, isSessionActive, pruneSessions, revokeSession, rotateRefreshToken, signIn } from './sessions.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await freshDatabase();
});
afterAll(() => t.close());

const policy = { idleTtlSeconds: 3600, maxTtlSeconds: 5400 };
let n = 0;
const input = (over: Partial<Parameters<typeof signIn>[1]> = {}) => {
  n++;
  return { profile: { subject: `sub-s-${n}`, email: `s${n}@example.org`, name: `S ${n}` }, claimedRole: null, defaultRole: 'viewer' as const, ...over };
};
const codeOf = (p: Promise<unknown>) => p.then(() => 'resolved', (e: { code?: string }) => e.code);

describe('sessions', () => {
  it('refresh tokens form a chain; expiry is clamped to the session end', async () => {
    const t0 = new Date('2026-03-02T09:00:00Z');
    const s = await signIn(t.db, input(), policy, t0);
    expect(s.refreshExpiresAt.toISOString()).toBe('2026-03-02T10:00:00.000Z');
    const r1 = await rotateRefreshToken(t.db, s.refreshToken, policy, new Date('2026-03-02T09:50:00Z'));
    // idle 1 h from 09:50 would be 10:50, but the session ends at 10:30.
    expect(r1.refreshExpiresAt.toISOString()).toBe('2026-03-02T10:30:00.000Z');
    const rows = await t.db.selectFrom('refresh_tokens').selectAll().where('session_id', '=', s.sessionId).orderBy('created_at').execute();
    expect(rows).toHaveLength(2);
    expect(rows[1]!.parent_id).toBe(rows[0]!.id);
    expect(rows[0]!.used_at).not.toBeNull();
    expect(rows[1]!.token_hash).toBe(hashToken(r1.refreshToken));
    expect(await codeOf(rotateRefreshToken(t.db, r1.refreshToken, policy, new Date('2026-03-02T10:31:00Z')))).toBe('auth.session_expired');
  });

  it('an idle session expires with its refresh token', async () => {
    const t0 = new Date('2026-03-02T09:00:00Z');
    const s = await signIn(t.db, input(), policy, t0);
    expect(await codeOf(rotateRefreshToken(t.db, s.refreshToken, policy, new Date('2026-03-02T10:00:01Z')))).toBe('auth.session_expired');
    expect(await codeOf(rotateRefreshToken(t.db, 'not-a-token', policy))).toBe('auth.invalid_refresh_token');
  });

  it('reuse of a spent token revokes the session and is audited', async () => {
    const s = await signIn(t.db, input(), policy);
    await rotateRefreshToken(t.db, s.refreshToken, policy);
    expect(await codeOf(rotateRefreshToken(t.db, s.refreshToken, policy))).toBe('auth.refresh_token_reused');
    expect(await isSessionActive(t.db, s.sessionId)).toBe(false);
    const row = await t.db.selectFrom('auth_sessions').select('revoked_reason').where('id', '=', s.sessionId).executeTakeFirstOrThrow();
    expect(row.revoked_reason).toBe('refresh_reuse');
    const audit = await t.db.selectFrom('audit_log').select('outcome').where('action', '=', 'auth.refresh_reuse').where('target_id', '=', s.sessionId).execute();
    expect(audit).toEqual([{ outcome: 'denied' }]);
  });

  it('revoking is idempotent and prune removes ended sessions with their tokens', async () => {
    const s = await signIn(t.db, input(), policy);
    expect(await revokeSession(t.db, s.sessionId, 'logout', null)).toBe(true);
    expect(await revokeSession(t.db, s.sessionId, 'logout', null)).toBe(false);
    const live = await signIn(t.db, input(), policy);
    await pruneSessions(t.db, new Date(Date.now() + 1000));
    expect(await t.db.selectFrom('auth_sessions').select('id').where('id', '=', s.sessionId).execute()).toEqual([]);
    expect(await t.db.selectFrom('refresh_tokens').select('id').where('session_id', '=', s.sessionId).execute()).toEqual([]);
    expect(await isSessionActive(t.db, live.sessionId)).toBe(true);
  });

  it('never links accounts by email: another account with the email → auth.account_conflict', async () => {
    await createUser(t.db, { email: 'taken@example.org' });
    expect(await codeOf(signIn(t.db, input({ profile: { subject: 'new-sub', email: 'taken@example.org', name: 'X' } }), policy))).toBe('auth.account_conflict');
    expect(await t.db.selectFrom('users').select('id').where('oidc_sub', '=', 'new-sub').execute()).toEqual([]);
  });

  it.runIf(testEngine() === 'postgres')('two simultaneous first sign-ins of one user create one row', async () => {
    const db2 = await t.connectAgain(2);
    const profile = { subject: 'racer', email: 'racer@example.org', name: 'Racer' };
    const [a, b] = await Promise.all([signIn(t.db, input({ profile }), policy), signIn(db2, input({ profile }), policy)]);
    expect(a.user.id).toBe(b.user.id);
    expect(await t.db.selectFrom('users').select('id').where('oidc_sub', '=', 'racer').execute()).toHaveLength(1);
  });
});
