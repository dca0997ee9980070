/**
 * AES-256-GCM secret box. Envelope (version 1):
 *
 *   v1.<key id>.<iv>.<ciphertext>.<tag>      (base64url parts)
 *
 * - a fresh random 96-bit IV per value (GCM's nonce must never repeat under a key);
 * - the 128-bit tag authenticates the ciphertext and the context (AAD), so
 *   tampering, truncation or moving an envelope to another field is detected;
 * - the key id (8 hex chars of a SHA-256 of the key, not the key) lets a process
 *   that holds previous keys open old envelopes during a key rotation.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { DomainError } from '../../../domain/errors.js';
import type { SecretBox } from '../../../domain/ports/secret-box.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const keyId = (key: Buffer): string => createHash('sha256').update('vsa-secret-key-id:').update(key).digest('hex').slice(0, 8);

const undecryptable = (why: string) =>
  new DomainError('settings.secret_undecryptable', `A stored secret could not be decrypted (${why}). Re-enter it, or configure the key it was encrypted with.`, 'unavailable');

export function createAesGcmSecretBox(currentKey: Buffer, previousKeys: readonly Buffer[] = []): SecretBox {
  for (const k of [currentKey, ...previousKeys]) if (k.length !== 32) throw new Error('AES-256-GCM keys must be 32 bytes');
  const currentId = keyId(currentKey);
  const keys = new Map<string, Buffer>();
  for (const k of previousKeys) keys.set(keyId(k), k);
  keys.set(currentId, currentKey);

  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(`${VERSION}:${context}`, 'utf8'));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, currentId, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(envelope, context) {
      const parts = envelope.split('.');
      if (parts.length !== 5 || parts[0] !== VERSION) throw undecryptable('unknown envelope format');
      const [, kid, ivPart, ctPart, tagPart] = parts as [string, string, string, string, string];
      const key = keys.get(kid);
      if (!key) throw undecryptable('encrypted with a key this process does not have');
      const iv = Buffer.from(ivPart, 'base64url');
      const tag = Buffer.from(tagPart, 'base64url');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw undecryptable('malformed envelope');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(`${VERSION}:${context}`, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(Buffer.from(ctPart, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw undecryptable('authentication failed: the value was altered or belongs elsewhere');
      }
    },
    isStale(envelope) {
      return envelope.split('.')[1] !== currentId;
    },
  };
}
