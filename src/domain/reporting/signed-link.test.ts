import { describe, expect, it } from 'vitest';
import { signLink, verifyLink } from './signed-link.js';

const secret = 'x'.repeat(32);
const now = new Date('2026-03-02T09:00:00Z');

describe('signed download links', () => {
  it('verifies a link until it expires', () => {
    const { expires, signature } = signLink(secret, 'export:job-1', new Date(now.getTime() + 60_000));
    expect(verifyLink(secret, 'export:job-1', expires, signature, now)).toBe('ok');
    expect(verifyLink(secret, 'export:job-1', expires, signature, new Date(now.getTime() + 60_000))).toBe('expired');
  });

  it('rejects a tampered expiry, another resource, another secret, or missing parameters', () => {
    const { expires, signature } = signLink(secret, 'export:job-1', new Date(now.getTime() + 60_000));
    expect(verifyLink(secret, 'export:job-1', String(Number(expires) + 3_600_000), signature, now)).toBe('invalid');
    expect(verifyLink(secret, 'export:job-2', expires, signature, now)).toBe('invalid');
    expect(verifyLink('y'.repeat(32), 'export:job-1', expires, signature, now)).toBe('invalid');
    expect(verifyLink(secret, 'export:job-1', undefined, signature, now)).toBe('invalid');
    expect(verifyLink(secret, 'export:job-1', expires, 'short', now)).toBe('invalid');
    expect(verifyLink(secret, 'export:job-1', '1e9', signature, now)).toBe('invalid');
  });
});
