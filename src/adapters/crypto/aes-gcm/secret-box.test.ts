import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../domain/errors.js';
import { createAesGcmSecretBox } from './secret-box.js';

const key = randomBytes(32);

describe('AES-256-GCM secret box', () => {
  const box = createAesGcmSecretBox(key);

  it('round-trips, with a fresh IV every time', () => {
    const a = box.seal('sk-live-123456789', 'llm.api_key');
    const b = box.seal('sk-live-123456789', 'llm.api_key');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[0-9a-f]{8}\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(a).not.toContain('sk-live');
    expect(box.open(a, 'llm.api_key')).toBe('sk-live-123456789');
    expect(box.open(b, 'llm.api_key')).toBe('sk-live-123456789');
  });

  it('detects a tampered ciphertext, tag or IV', () => {
    const env = box.seal('secret-value', 'email.smtp_password');
    const parts = env.split('.');
    for (const i of [2, 3, 4]) {
      const p = [...parts];
      const raw = Buffer.from(p[i]!, 'base64url');
      raw[0] = raw[0]! ^ 1;
      p[i] = raw.toString('base64url');
      expect(() => box.open(p.join('.'), 'email.smtp_password')).toThrow(expect.objectContaining({ code: 'settings.secret_undecryptable' }));
    }
  });

  it('does not open an envelope moved to another field', () => {
    const env = box.seal('secret-value', 'telephony.auth_token');
    expect(() => box.open(env, 'llm.api_key')).toThrow(DomainError);
  });

  it('opens values sealed with a previous key after rotation, and marks them stale', () => {
    const oldKey = randomBytes(32);
    const old = createAesGcmSecretBox(oldKey).seal('rotated', 'llm.api_key');
    expect(() => box.open(old, 'llm.api_key')).toThrow(/key this process does not have/);
    const rotated = createAesGcmSecretBox(key, [oldKey]);
    expect(rotated.open(old, 'llm.api_key')).toBe('rotated');
    expect(rotated.isStale(old)).toBe(true);
    expect(rotated.isStale(rotated.seal('x', 'c'))).toBe(false);
  });

  it('rejects garbage envelopes with a domain error, not a crash', () => {
    for (const bad of ['', 'plaintext', 'v2.a.b.c.d', 'v1.00000000.AAAA.AAAA.AAAA']) {
      expect(() => box.open(bad, 'x')).toThrow(DomainError);
    }
  });
});
