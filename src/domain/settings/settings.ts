/**
 * Rules of the admin settings: reading a stored section leniently over the
 * defaults, validating a section, applying an update (secrets sealed through a
 * function the caller provides, so this module stays pure), masking secrets for
 * display, and the slice of settings mirrored into `provider_configs`.
 */
import { type FieldProblem, ValidationError } from '../errors.js';
import {
  DEFAULT_SETTINGS,
  EMAIL_TRANSPORTS,
  isSecretEnvName,
  SECRET_FIELDS,
  type SecretInput,
  type Settings,
  SETTINGS_LLM_PROVIDERS,
  SETTINGS_SECTIONS,
  type SettingsPatch,
  type SettingsSection,
  type StoredSecret,
  TELEPHONY_PROVIDERS,
} from './types.js';

export const LIMITS = {
  maxConcurrentCalls: 1000,
  maxCallsPerSecond: 100,
  timeoutMs: { min: 100, max: 120_000 },
  retentionDays: { min: 1, max: 3650 },
  forbiddenTopics: 200,
  topicLength: 200,
  secretLength: 4096,
  textLength: 256,
  urlLength: 2048,
} as const;

/** What masked secrets look like; a value starting with this was echoed back, not typed. */
export const MASK = '••••';

const E164 = /^\+[1-9][0-9]{6,14}$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[[0-9A-Fa-f:.]{2,45}\]$/;
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const ACCOUNT_SID = /^[A-Za-z0-9]{1,64}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const oneOf = <T extends string>(values: readonly T[], v: unknown, d: T): T => ((values as readonly unknown[]).includes(v) ? (v as T) : d);
const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const str = (v: unknown, d: string | null): string | null => (typeof v === 'string' ? v : v === null ? null : d);
const bool = (v: unknown, d: boolean): boolean => (typeof v === 'boolean' ? v : d);

function storedSecret(v: unknown): StoredSecret {
  if (!isObject(v)) return null;
  if (v['kind'] === 'encrypted' && typeof v['envelope'] === 'string') return { kind: 'encrypted', envelope: v['envelope'] };
  if (v['kind'] === 'env' && typeof v['name'] === 'string') return { kind: 'env', name: v['name'] };
  return null;
}

/**
 * A stored section (jsonb) over the defaults. Unknown keys and ill-typed values
 * fall back to the default, so a value written by an older or newer version
 * never breaks reading.
 */
export function readSection<K extends SettingsSection>(section: K, raw: unknown, base: Settings[K] = DEFAULT_SETTINGS[section]): Settings[K] {
  const r = isObject(raw) ? raw : {};
  switch (section) {
    case 'telephony': {
      const d = base as Settings['telephony'];
      return {
        provider: oneOf(TELEPHONY_PROVIDERS, r['provider'], d.provider),
        account_sid: str(r['account_sid'], d.account_sid),
        auth_token: 'auth_token' in r ? storedSecret(r['auth_token']) : d.auth_token,
        caller_number: str(r['caller_number'], d.caller_number),
        max_concurrent_calls: num(r['max_concurrent_calls'], d.max_concurrent_calls),
        calls_per_second: num(r['calls_per_second'], d.calls_per_second),
      } satisfies Settings['telephony'] as Settings[K];
    }
    case 'llm': {
      const d = base as Settings['llm'];
      const topics = Array.isArray(r['forbidden_topics']) ? r['forbidden_topics'].filter((t): t is string => typeof t === 'string') : d.forbidden_topics;
      return {
        provider: oneOf(SETTINGS_LLM_PROVIDERS, r['provider'], d.provider),
        model: str(r['model'], d.model),
        base_url: str(r['base_url'], d.base_url),
        api_key: 'api_key' in r ? storedSecret(r['api_key']) : d.api_key,
        timeout_ms: num(r['timeout_ms'], d.timeout_ms),
        forbidden_topics: topics,
      } satisfies Settings['llm'] as Settings[K];
    }
    case 'email': {
      const d = base as Settings['email'];
      return {
        transport: oneOf(EMAIL_TRANSPORTS, r['transport'], d.transport),
        smtp_host: str(r['smtp_host'], d.smtp_host),
        smtp_port: num(r['smtp_port'], d.smtp_port),
        smtp_secure: bool(r['smtp_secure'], d.smtp_secure),
        smtp_user: str(r['smtp_user'], d.smtp_user),
        smtp_password: 'smtp_password' in r ? storedSecret(r['smtp_password']) : d.smtp_password,
        from_address: str(r['from_address'], d.from_address),
      } satisfies Settings['email'] as Settings[K];
    }
    case 'retention': {
      const d = base as Settings['retention'];
      return {
        recording_days: num(r['recording_days'], d.recording_days),
        transcript_days: num(r['transcript_days'], d.transcript_days),
      } satisfies Settings['retention'] as Settings[K];
    }
    default:
      throw new Error(`unknown settings section ${String(section)}`);
  }
}

/** Every rule a section breaks, with `section.field` names. */
export function validateSection<K extends SettingsSection>(section: K, value: Settings[K]): FieldProblem[] {
  const out: FieldProblem[] = [];
  const bad = (field: string, code: string, message: string) => out.push({ field: `${section}.${field}`, code, message });
  const intIn = (field: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) bad(field, 'out_of_range', `must be a whole number from ${min} to ${max}`);
  };
  const text = (field: string, v: string | null, max: number = LIMITS.textLength) => {
    if (v === null) return;
    if (v.trim() === '') bad(field, 'blank', 'must not be blank (send null to clear it)');
    else if (v.length > max) bad(field, 'too_long', `must be at most ${max} characters`);
    else if (CONTROL.test(v)) bad(field, 'control_characters', 'must not contain line breaks or control characters');
  };
  const secretSet = (s: StoredSecret) => s !== null;

  switch (section) {
    case 'telephony': {
      const v = value as Settings['telephony'];
      text('account_sid', v.account_sid, 64);
      if (v.account_sid !== null && v.account_sid.trim() !== '' && !ACCOUNT_SID.test(v.account_sid)) bad('account_sid', 'invalid', 'must be letters and digits only (a Twilio account SID looks like AC followed by 32 hex digits)');
      if (v.caller_number !== null && !E164.test(v.caller_number)) bad('caller_number', 'invalid_e164', 'must be an E.164 number such as +390212345678');
      intIn('max_concurrent_calls', v.max_concurrent_calls, 1, LIMITS.maxConcurrentCalls);
      if (!(v.calls_per_second > 0 && v.calls_per_second <= LIMITS.maxCallsPerSecond)) bad('calls_per_second', 'out_of_range', `must be greater than 0 and at most ${LIMITS.maxCallsPerSecond}`);
      if (v.provider === 'twilio') {
        if (!v.account_sid) bad('account_sid', 'required', 'is required when the provider is twilio');
        if (!secretSet(v.auth_token)) bad('auth_token', 'required', 'is required when the provider is twilio');
        if (!v.caller_number) bad('caller_number', 'required', 'is required when the provider is twilio');
      }
      break;
    }
    case 'llm': {
      const v = value as Settings['llm'];
      text('model', v.model, 200);
      if (v.base_url !== null) {
        if (v.base_url.length > LIMITS.urlLength) bad('base_url', 'too_long', `must be at most ${LIMITS.urlLength} characters`);
        else if (!isHttpUrl(v.base_url)) bad('base_url', 'invalid_url', 'must be an http:// or https:// URL without credentials');
      }
      intIn('timeout_ms', v.timeout_ms, LIMITS.timeoutMs.min, LIMITS.timeoutMs.max);
      if (v.forbidden_topics.length > LIMITS.forbiddenTopics) bad('forbidden_topics', 'too_many', `must list at most ${LIMITS.forbiddenTopics} topics`);
      v.forbidden_topics.forEach((t, i) => {
        if (t.trim() === '') bad(`forbidden_topics.${i}`, 'blank', 'must not be blank');
        else if (t.length > LIMITS.topicLength) bad(`forbidden_topics.${i}`, 'too_long', `must be at most ${LIMITS.topicLength} characters`);
        else if (CONTROL.test(t)) bad(`forbidden_topics.${i}`, 'control_characters', 'must be one line');
      });
      if (v.provider !== 'none') {
        if (!v.model) bad('model', 'required', `is required when the provider is ${v.provider}`);
        if (!secretSet(v.api_key)) bad('api_key', 'required', `is required when the provider is ${v.provider}`);
        if (v.provider === 'azure-openai' && !v.base_url) bad('base_url', 'required', 'is required for azure-openai (your resource endpoint)');
      }
      break;
    }
    case 'email': {
      const v = value as Settings['email'];
      if (v.smtp_host !== null && !HOSTNAME.test(v.smtp_host)) bad('smtp_host', 'invalid_host', 'must be a host name or an IP address');
      intIn('smtp_port', v.smtp_port, 1, 65535);
      text('smtp_user', v.smtp_user);
      if (v.from_address !== null && (v.from_address.length > 254 || !EMAIL.test(v.from_address))) bad('from_address', 'invalid_email', 'must be an email address such as surveys@example.org');
      if (v.transport === 'smtp') {
        if (!v.smtp_host) bad('smtp_host', 'required', 'is required when the transport is smtp');
        if (!v.from_address) bad('from_address', 'required', 'is required when the transport is smtp');
        if (v.smtp_user && !secretSet(v.smtp_password)) bad('smtp_password', 'required', 'is required when an SMTP user is set');
      }
      break;
    }
    case 'retention': {
      const v = value as Settings['retention'];
      intIn('recording_days', v.recording_days, LIMITS.retentionDays.min, LIMITS.retentionDays.max);
      intIn('transcript_days', v.transcript_days, LIMITS.retentionDays.min, LIMITS.retentionDays.max);
      break;
    }
  }
  return out;
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password;
  } catch {
    return false;
  }
}

/** Problems with a secret in an update (value or environment reference). */
function secretInputProblems(field: string, input: SecretInput): FieldProblem[] {
  if (input === null) return [];
  if (typeof input === 'string') {
    if (input.startsWith(MASK)) return [{ field, code: 'masked_value', message: 'looks like the masked value shown by the API; omit the field to keep the stored secret' }];
    if (input.length === 0) return [{ field, code: 'blank', message: 'must not be empty (send null to clear it)' }];
    if (input.length > LIMITS.secretLength) return [{ field, code: 'too_long', message: `must be at most ${LIMITS.secretLength} characters` }];
    if (CONTROL.test(input)) return [{ field, code: 'control_characters', message: 'must not contain line breaks or control characters' }];
    return [];
  }
  if (!isSecretEnvName(input.env)) {
    return [{ field: `${field}.env`, code: 'env_not_allowed', message: 'must name an allowed environment variable: VSA_SECRET_* or one of TWILIO_AUTH_TOKEN, OPENAI_API_KEY, ANTHROPIC_API_KEY, AZURE_OPENAI_API_KEY, SMTP_PASSWORD' }];
  }
  return [];
}

export interface AppliedUpdate {
  readonly next: Settings;
  /** `section.field` of every field whose value changed (secrets included, never their values). */
  readonly changed: readonly string[];
  readonly sections: readonly SettingsSection[];
}

/**
 * Applies an update to the current settings. Omitted fields (and omitted
 * secrets) are kept; `null` clears; a new secret value is sealed by `seal`.
 * Throws a ValidationError naming every problem, before sealing anything.
 */
export function applySettingsUpdate(current: Settings, patch: SettingsPatch, seal: (plaintext: string, context: string) => string): AppliedUpdate {
  const problems: FieldProblem[] = [];
  const drafts: Partial<Record<SettingsSection, Record<string, unknown>>> = {};
  const sections = SETTINGS_SECTIONS.filter((s) => patch[s] !== undefined);
  if (sections.length === 0) {
    throw new ValidationError('settings.empty_update', 'Send at least one section to change (telephony, llm, email, retention).', [
      { field: '(root)', code: 'empty', message: 'names no section' },
    ]);
  }
  for (const section of sections) {
    const p = patch[section] as Record<string, unknown>;
    const secrets = SECRET_FIELDS[section] as readonly string[];
    const draft: Record<string, unknown> = { ...current[section] };
    for (const [field, value] of Object.entries(p)) {
      if (value === undefined) continue;
      if (secrets.includes(field)) {
        const input = value as SecretInput;
        const found = secretInputProblems(`${section}.${field}`, input);
        problems.push(...found);
        if (found.length) continue;
        draft[field] = input === null ? null : typeof input === 'string' ? { kind: 'pending', plaintext: input } : { kind: 'env', name: input.env };
      } else {
        draft[field] = field === 'forbidden_topics' && Array.isArray(value) ? [...new Set((value as string[]).map((t) => t.trim()))] : value;
      }
    }
    // Validate with pending secrets standing in as "set".
    const asStored = { ...draft } as Record<string, unknown>;
    for (const f of secrets) if (isObject(asStored[f]) && (asStored[f] as { kind: string }).kind === 'pending') asStored[f] = { kind: 'encrypted', envelope: '' };
    problems.push(...validateSection(section, asStored as never));
    drafts[section] = draft;
  }
  if (problems.length) throw new ValidationError('settings.invalid', `The settings are invalid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);

  const next: Record<string, unknown> = { ...current };
  const changed: string[] = [];
  for (const section of sections) {
    const draft = drafts[section]!;
    for (const f of SECRET_FIELDS[section] as readonly string[]) {
      const d = draft[f] as { kind: string; plaintext?: string } | null;
      if (d && d.kind === 'pending') draft[f] = { kind: 'encrypted', envelope: seal(d.plaintext!, `${section}.${f}`) };
    }
    for (const f of Object.keys(patch[section] as object)) {
      const before = (current[section] as unknown as Record<string, unknown>)[f];
      const after = draft[f];
      const isSecret = (SECRET_FIELDS[section] as readonly string[]).includes(f);
      // A re-sent secret counts as changed: its envelope differs even for the same value.
      if (isSecret ? (patch[section] as Record<string, unknown>)[f] !== undefined && (before !== null || after !== null) : JSON.stringify(before) !== JSON.stringify(after)) {
        changed.push(`${section}.${f}`);
      }
    }
    next[section] = draft;
  }
  return { next: next as unknown as Settings, changed, sections };
}

/** `••••` plus the last four characters, only when that reveals at most a third of the value. */
export function maskSecret(plaintext: string): string {
  return plaintext.length >= 12 ? `${MASK}${plaintext.slice(-4)}` : MASK;
}

/** How a secret is shown: never its value. */
export interface SecretView {
  readonly set: boolean;
  readonly source: 'stored' | 'env' | null;
  /** `••••1234` for stored secrets (when decryptable), `••••` otherwise; null when unset. */
  readonly masked: string | null;
  /** The referenced environment variable, for `source: env`. */
  readonly env: string | null;
  /** For `source: env`: whether that variable had a value when the process started. For `stored`: whether it decrypts. */
  readonly usable: boolean;
}

/**
 * The display form of a stored secret. `plaintext` is the decrypted stored value
 * (undefined when it did not decrypt), or the environment value for references.
 */
export function secretView(secret: StoredSecret, plaintext: string | undefined): SecretView {
  if (secret === null) return { set: false, source: null, masked: null, env: null, usable: false };
  if (secret.kind === 'env') return { set: true, source: 'env', masked: plaintext ? maskSecret(plaintext) : null, env: secret.name, usable: plaintext !== undefined && plaintext !== '' };
  return { set: true, source: 'stored', masked: plaintext === undefined ? MASK : maskSecret(plaintext), env: null, usable: plaintext !== undefined };
}

/** The columns of `provider_configs` (schema 0001) that mirror the settings. */
export interface ProviderConfigMirror {
  readonly provider_name: string;
  readonly outbound_number: string | null;
  readonly max_concurrent_calls: number;
  readonly llm_provider: 'openai' | 'anthropic' | 'azure-openai' | null;
  readonly llm_model: string | null;
  readonly recording_retention_days: number;
  readonly transcript_retention_days: number;
}

export function providerConfigMirror(s: Settings): ProviderConfigMirror {
  return {
    provider_name: s.telephony.provider,
    outbound_number: s.telephony.caller_number,
    max_concurrent_calls: s.telephony.max_concurrent_calls,
    llm_provider: s.llm.provider === 'none' ? null : s.llm.provider,
    llm_model: s.llm.model,
    recording_retention_days: s.retention.recording_days,
    transcript_retention_days: s.retention.transcript_days,
  };
}

/**
 * Defaults seen through an existing `provider_configs` row (databases set up
 * before the settings table existed, or seeded demo data): sections never saved
 * through the API start from what that row says.
 */
export function defaultsFromProviderConfig(row: (Omit<Partial<ProviderConfigMirror>, 'llm_provider'> & { llm_provider?: string | null }) | undefined): Settings {
  if (!row) return DEFAULT_SETTINGS;
  const d = DEFAULT_SETTINGS;
  const provider = (TELEPHONY_PROVIDERS as readonly string[]).includes(row.provider_name ?? '') ? (row.provider_name as Settings['telephony']['provider']) : d.telephony.provider;
  const llmProvider = row.llm_provider && (SETTINGS_LLM_PROVIDERS as readonly string[]).includes(row.llm_provider) ? (row.llm_provider as Settings['llm']['provider']) : d.llm.provider;
  return {
    // Credentials never lived in provider_configs; a twilio row without them reads as "twilio, credentials missing".
    telephony: { ...d.telephony, provider, caller_number: row.outbound_number ?? null, max_concurrent_calls: row.max_concurrent_calls ?? d.telephony.max_concurrent_calls },
    llm: { ...d.llm, provider: llmProvider, model: row.llm_model ?? null },
    email: d.email,
    retention: { recording_days: row.recording_retention_days ?? d.retention.recording_days, transcript_days: row.transcript_retention_days ?? d.retention.transcript_days },
  };
}
