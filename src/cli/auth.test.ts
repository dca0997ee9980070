import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKEN_SECRET } from '../../test/support/api.js';
import { runCli } from '../../test/support/cli.js';
import { freshTarget } from '../../test/support/db.js';
import { createTokenService } from '../http/auth/tokens.js';
import { parseTtl } from './auth.js';

let target: Awaited<ReturnType<typeof freshTarget>>;
beforeAll(async () => {
  target = await freshTarget();
  const seeded = await runCli(['db', 'seed'], target.env);
  expect(seeded.code, seeded.stderr).toBe(0);
});
afterAll(() => target.dispose());

describe('voicesurvey auth token', () => {
  it('prints a bearer token for a user found by email, bound to a revocable session', async () => {
    const env = { ...target.env, AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET };
    const res = await runCli(['auth', 'token', '--user', 'Admin@Demo.example.org', '--ttl', '2h', '--label', 'reporting job', '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as { token: string; token_id: string; user_id: string; role: string; expires_at: string };
    expect(out).toMatchObject({ user_id: 'a0000000-0000-4000-8000-000000000001', role: 'admin' });
    const expiresIn = new Date(out.expires_at).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(7000_000);
    expect(expiresIn).toBeLessThanOrEqual(7200_000);
    const claims = await createTokenService(TEST_TOKEN_SECRET, 900).verify(out.token);
    expect(claims).toEqual({ userId: out.user_id, sessionId: out.token_id });

    const revoked = await runCli(['auth', 'revoke', out.token_id], env);
    expect(revoked.stdout.trim()).toBe(`revoked ${out.token_id}`);
    const again = await runCli(['auth', 'revoke', out.token_id], env);
    expect(again.stdout).toMatch(/nothing to revoke/);
  });

  it('plain output is just the token; lookup by subject works', async () => {
    const res = await runCli(['auth', 'token', '--user', 'demo-viewer'], { ...target.env, AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('refuses without AUTH_TOKEN_SECRET (the server would not accept the token) and for unknown users', async () => {
    const noSecret = await runCli(['auth', 'token', '--user', 'demo-viewer'], target.env);
    expect(noSecret.code).toBe(78);
    expect(noSecret.stderr).toMatch(/AUTH_TOKEN_SECRET/);
    const unknown = await runCli(['auth', 'token', '--user', 'nobody@example.org'], { ...target.env, AUTH_TOKEN_SECRET: TEST_TOKEN_SECRET });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no user with email or subject/);
  });
});

describe('parseTtl', () => {
  it('accepts seconds and m/h/d units within 1 minute … 365 days', () => {
    expect(parseTtl('3600')).toBe(3600);
    expect(parseTtl('45m')).toBe(2700);
    expect(parseTtl('30d')).toBe(30 * 86400);
    expect(() => parseTtl('10s')).toThrow(/between/);
    expect(() => parseTtl('2y')).toThrow(/duration/);
  });
});
