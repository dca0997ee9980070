/**
 * Expiring download links: the path, the expiry instant and an HMAC-SHA256
 * over both with a server secret. Stateless, so any API process holding the
 * same secret (EXPORT_LINK_SECRET) can verify a link another one issued.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const sign = (secret: string, resource: string, expiresMs: number): string =>
  createHmac('sha256', secret).update(`${resource}\n${expiresMs}`).digest('base64url');

/** Query parameters for a link to `resource` (e.g. `export:<job id>`) valid until `expiresAt`. */
export function signLink(secret: string, resource: string, expiresAt: Date): { expires: string; signature: string } {
  const ms = expiresAt.getTime();
  return { expires: String(ms), signature: sign(secret, resource, ms) };
}

export type LinkCheck = 'ok' | 'expired' | 'invalid';

/** Checks a link's parameters; constant-time comparison of the signature. */
export function verifyLink(secret: string, resource: string, expires: string | undefined, signature: string | undefined, now: Date): LinkCheck {
  if (!expires || !signature || !/^\d{1,15}$/.test(expires)) return 'invalid';
  const expected = Buffer.from(sign(secret, resource, Number(expires)));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  return Number(expires) <= now.getTime() ? 'expired' : 'ok';
}
