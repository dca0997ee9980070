/**
 * Where export files (and later other large files) are kept: a local
 * directory by default, an S3-compatible bucket by configuration. Keys are
 * relative paths of `[A-Za-z0-9._-]` segments separated by `/`.
 */
import type { Readable } from 'node:stream';

export interface BlobStore {
  /** Stores the stream's bytes under `key` (replacing an existing blob) and returns how many were written. The blob appears whole or not at all. */
  put(key: string, body: Readable, opts: { contentType: string }): Promise<{ bytes: number }>;
  /** A stream of the blob's bytes; DomainError `blob.not_found` when there is none. */
  get(key: string): Promise<Readable>;
  /** Removes the blob; no error when it does not exist. */
  delete(key: string): Promise<void>;
}

/** Checks a blob key; throws on anything that could escape the store's root. */
export function assertBlobKey(key: string): void {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(key) || key.split('/').some((s) => s === '.' || s === '..')) {
    throw new Error(`invalid blob key: ${key}`);
  }
}
