/**
 * The settings as workers use them: secrets decrypted (or read from the
 * allow-listed environment snapshot), everything else as saved by the admin.
 *
 *   const s = await effectiveSettings(db, config);
 *   s.telephony.max_concurrent_calls; s.telephony.auth_token; // string | null
 *
 * Read it when starting a unit of work (a scheduler tick, a batch of emails),
 * not once per process: admins change settings at run time.
 */
import type { Kysely } from 'kysely';
import { createAesGcmSecretBox } from '../../adapters/crypto/aes-gcm/secret-box.js';
import type { Config } from '../../config.js';
import type { DB } from '../../db/schema/index.js';
import type { SecretBox } from '../../domain/ports/secret-box.js';
import type { EmailSettings, LlmSettings, RetentionSettings, SettingsSection, StoredSecret, TelephonySettings } from '../../domain/settings/types.js';
import { loadSettings } from './settings.js';

type Opened<S> = { readonly [K in keyof S]: S[K] extends StoredSecret ? string | null : S[K] };

export interface EffectiveSettings {
  readonly telephony: Opened<TelephonySettings>;
  readonly llm: Opened<LlmSettings>;
  readonly email: Opened<EmailSettings>;
  readonly retention: RetentionSettings;
  /** `section.field` of secrets that are set but unusable (undecryptable, or their environment variable is empty); they read as null. */
  readonly unusable_secrets: readonly string[];
  /** Each section's version, to notice a change cheaply. */
  readonly versions: { readonly [K in SettingsSection]: number };
}

/** The secret box for this configuration (current key, plus previous keys for rotation). */
export const secretBoxFor = (config: Config): SecretBox => createAesGcmSecretBox(config.secrets.encryptionKey, config.secrets.previousKeys);

/** Opens a stored secret: plaintext, or undefined when it cannot be used. */
export function openSecret(secret: StoredSecret, context: string, box: Pick<SecretBox, 'open'>, env: Readonly<Record<string, string>>): string | undefined {
  if (secret === null) return undefined;
  if (secret.kind === 'env') return env[secret.name] || undefined;
  try {
    return box.open(secret.envelope, context);
  } catch {
    return undefined;
  }
}

export async function effectiveSettingsWith(db: Kysely<DB>, box: Pick<SecretBox, 'open'>, env: Readonly<Record<string, string>>): Promise<EffectiveSettings> {
  const { settings: s, meta } = await loadSettings(db);
  const unusable: string[] = [];
  const open = (secret: StoredSecret, context: string): string | null => {
    const v = openSecret(secret, context, box, env);
    if (secret !== null && v === undefined) unusable.push(context);
    return v ?? null;
  };
  return {
    telephony: { ...s.telephony, auth_token: open(s.telephony.auth_token, 'telephony.auth_token') },
    llm: { ...s.llm, api_key: open(s.llm.api_key, 'llm.api_key') },
    email: { ...s.email, smtp_password: open(s.email.smtp_password, 'email.smtp_password') },
    retention: s.retention,
    unusable_secrets: unusable,
    versions: { telephony: meta.telephony.version, llm: meta.llm.version, email: meta.email.version, retention: meta.retention.version },
  };
}

/** Runtime settings with secrets decrypted, for workers and adapters. */
export function effectiveSettings(db: Kysely<DB>, config: Config): Promise<EffectiveSettings> {
  return effectiveSettingsWith(db, secretBoxFor(config), config.secrets.env);
}
