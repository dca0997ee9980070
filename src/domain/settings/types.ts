/**
 * Admin settings: what each section holds, its defaults, and how secrets are
 * represented when stored. Plain data; no I/O.
 */
import type { SettingsSection } from '../../db/schema/admin.js';

export { SETTINGS_SECTIONS, type SettingsSection } from '../../db/schema/admin.js';

/**
 * A secret as stored: an encrypted envelope (see `SecretBox`), a reference to an
 * allow-listed environment variable read at start-up, or nothing.
 */
export type StoredSecret = { readonly kind: 'encrypted'; readonly envelope: string } | { readonly kind: 'env'; readonly name: string } | null;

/** A secret in an update: a new value, `null` to clear it, or an environment reference. Omit the field to keep it. */
export type SecretInput = string | null | { readonly env: string };

export const TELEPHONY_PROVIDERS = ['simulator', 'twilio'] as const;
export const SETTINGS_LLM_PROVIDERS = ['none', 'openai', 'anthropic', 'azure-openai'] as const;
export const EMAIL_TRANSPORTS = ['file', 'smtp'] as const;

export interface TelephonySettings {
  readonly provider: (typeof TELEPHONY_PROVIDERS)[number];
  readonly account_sid: string | null;
  readonly auth_token: StoredSecret;
  /** E.164 caller id. */
  readonly caller_number: string | null;
  readonly max_concurrent_calls: number;
  readonly calls_per_second: number;
}

export interface LlmSettings {
  readonly provider: (typeof SETTINGS_LLM_PROVIDERS)[number];
  readonly model: string | null;
  readonly base_url: string | null;
  readonly api_key: StoredSecret;
  readonly timeout_ms: number;
  /** Topics the agent must decline to discuss (guardrail prompt input). */
  readonly forbidden_topics: readonly string[];
}

export interface EmailSettings {
  readonly transport: (typeof EMAIL_TRANSPORTS)[number];
  readonly smtp_host: string | null;
  readonly smtp_port: number;
  /** TLS from the first byte (port 465); false means STARTTLS when offered. */
  readonly smtp_secure: boolean;
  readonly smtp_user: string | null;
  readonly smtp_password: StoredSecret;
  readonly from_address: string | null;
}

export interface RetentionSettings {
  readonly recording_days: number;
  readonly transcript_days: number;
}

export interface Settings {
  readonly telephony: TelephonySettings;
  readonly llm: LlmSettings;
  readonly email: EmailSettings;
  readonly retention: RetentionSettings;
}

/** Update of one section: any subset of its fields; secret fields take `SecretInput`. */
export type SectionPatch<S> = { -readonly [K in keyof S]?: S[K] extends StoredSecret ? SecretInput : S[K] extends readonly string[] ? string[] : S[K] };

export type SettingsPatch = { readonly [K in SettingsSection]?: SectionPatch<Settings[K]> };

/** The secret fields of each section. */
export const SECRET_FIELDS: { readonly [K in SettingsSection]: readonly (keyof Settings[K] & string)[] } = {
  telephony: ['auth_token'],
  llm: ['api_key'],
  email: ['smtp_password'],
  retention: [],
};

export const DEFAULT_SETTINGS: Settings = {
  telephony: { provider: 'simulator', account_sid: null, auth_token: null, caller_number: null, max_concurrent_calls: 10, calls_per_second: 1 },
  llm: { provider: 'none', model: null, base_url: null, api_key: null, timeout_ms: 8000, forbidden_topics: [] },
  email: { transport: 'file', smtp_host: null, smtp_port: 587, smtp_secure: false, smtp_user: null, smtp_password: null, from_address: null },
  retention: { recording_days: 180, transcript_days: 180 },
};

/**
 * Environment variables a secret may reference: any `VSA_SECRET_*` name, plus the
 * providers' conventional names. Only these are captured in the configuration
 * snapshot, so a settings reference cannot read arbitrary process variables
 * (database URL, token secret, encryption key…).
 */
export const SECRET_ENV_NAMES = ['TWILIO_AUTH_TOKEN', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'AZURE_OPENAI_API_KEY', 'SMTP_PASSWORD'] as const;
export const SECRET_ENV_PREFIX = 'VSA_SECRET_';

export const isSecretEnvName = (name: string): boolean =>
  (SECRET_ENV_NAMES as readonly string[]).includes(name) || /^VSA_SECRET_[A-Z0-9_]{1,64}$/.test(name);
