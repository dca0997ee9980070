/**
 * A small shared key/value cache with expiry. In memory for one process;
 * Redis when several API processes must see the same entries.
 */
export interface CacheStore {
  /** The stored value, or null when absent or expired. */
  get(key: string): Promise<string | null>;
  /** Stores `value` under `key` for `ttlMs` milliseconds (replacing any previous value). */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Removes the key (no error when absent). */
  delete(key: string): Promise<void>;
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
}
