/**
 * Encryption of secrets stored in the database (provider credentials, API keys,
 * SMTP passwords). The core decides *what* is secret; an adapter decides how it
 * is sealed. Envelopes are opaque, versioned strings.
 */
export interface SecretBox {
  /**
   * Encrypts `plaintext` for storage. `context` (e.g. `telephony.auth_token`) is
   * authenticated with the ciphertext, so an envelope copied into another field
   * does not open there.
   */
  seal(plaintext: string, context: string): string;
  /**
   * Decrypts an envelope made by `seal` under the same `context`. Throws
   * `DomainError('settings.secret_undecryptable')` when it was tampered with,
   * sealed for another context, or sealed with a key this process does not have.
   */
  open(envelope: string, context: string): string;
  /** True when the envelope was sealed with a key other than the current one (re-encrypt it). */
  isStale(envelope: string): boolean;
}
