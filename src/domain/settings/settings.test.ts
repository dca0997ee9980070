import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { applySettingsUpdate, defaultsFromProviderConfig, maskSecret, providerConfigMirror, readSection, secretView, validateSection } from './settings.js';
import { DEFAULT_SETTINGS, isSecretEnvName } from './types.js';

const seal = (p: string, c: string) => `sealed(${c}:${p.length})`;

function problemsOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.problems.map((p) => [p.field, p.code]);
    throw err;
  }
  return [];
}

describe('applySettingsUpdate', () => {
  it('changes only the fields sent and seals new secrets', () => {
    const r = applySettingsUpdate(DEFAULT_SETTINGS, { telephony: { provider: 'twilio', account_sid: 'AC123', auth_token: 'tok-abcdefgh1234', caller_number: '+390212345678' } }, seal);
    expect(r.next.telephony).toEqual({ ...DEFAULT_SETTINGS.telephony, provider: 'twilio', account_sid: 'AC123', caller_number: '+390212345678', auth_token: { kind: 'encrypted', envelope: 'sealed(telephony.auth_token:16)' } });
    expect(r.next.llm).toBe(DEFAULT_SETTINGS.llm);
    expect(r.changed).toEqual(['telephony.provider', 'telephony.account_sid', 'telephony.auth_token', 'telephony.caller_number']);
  });

  it('keeps an omitted secret, clears it on null, references an allowed environment variable', () => {
    const first = applySettingsUpdate(DEFAULT_SETTINGS, { llm: { provider: 'openai', model: 'gpt-4o-mini', api_key: 'sk-1234567890abcd' } }, seal).next;
    const kept = applySettingsUpdate(first, { llm: { timeout_ms: 5000 } }, seal).next;
    expect(kept.llm.api_key).toEqual(first.llm.api_key);
    const env = applySettingsUpdate(first, { llm: { api_key: { env: 'OPENAI_API_KEY' } } }, seal).next;
    expect(env.llm.api_key).toEqual({ kind: 'env', name: 'OPENAI_API_KEY' });
    const cleared = applySettingsUpdate(first, { llm: { provider: 'none', api_key: null } }, seal).next;
    expect(cleared.llm.api_key).toBeNull();
  });

  it('refuses environment variables outside the allow-list', () => {
    expect(problemsOf(() => applySettingsUpdate(DEFAULT_SETTINGS, { llm: { api_key: { env: 'DATABASE_URL' } } }, seal))).toEqual([['llm.api_key.env', 'env_not_allowed']]);
    expect(isSecretEnvName('VSA_SECRET_TWILIO')).toBe(true);
    expect(isSecretEnvName('CONFIG_ENCRYPTION_KEY')).toBe(false);
    expect(isSecretEnvName('AUTH_TOKEN_SECRET')).toBe(false);
  });

  it('refuses a masked value echoed back as a new secret', () => {
    expect(problemsOf(() => applySettingsUpdate(DEFAULT_SETTINGS, { email: { smtp_password: '••••1234' } }, seal))).toEqual([['email.smtp_password', 'masked_value']]);
  });

  it('lists every problem across sections before sealing anything', () => {
    let sealed = 0;
    const problems = problemsOf(() =>
      applySettingsUpdate(
        DEFAULT_SETTINGS,
        {
          telephony: { caller_number: '0212345678', max_concurrent_calls: 0, calls_per_second: 0, auth_token: 'x'.repeat(20) },
          llm: { provider: 'azure-openai', timeout_ms: 50, base_url: 'ftp://x', forbidden_topics: ['ok', ' ', 'a\nb'] },
          email: { transport: 'smtp', smtp_port: 70000, from_address: 'not-an-email' },
          retention: { recording_days: 0, transcript_days: 1.5 },
        },
        (p, c) => (sealed++, seal(p, c)),
      ),
    );
    expect(sealed).toBe(0);
    expect(problems).toEqual([
      ['telephony.caller_number', 'invalid_e164'],
      ['telephony.max_concurrent_calls', 'out_of_range'],
      ['telephony.calls_per_second', 'out_of_range'],
      ['llm.base_url', 'invalid_url'],
      ['llm.timeout_ms', 'out_of_range'],
      ['llm.forbidden_topics.1', 'blank'],
      ['llm.forbidden_topics.2', 'control_characters'],
      ['llm.model', 'required'],
      ['llm.api_key', 'required'],
      ['email.smtp_port', 'out_of_range'],
      ['email.from_address', 'invalid_email'],
      ['email.smtp_host', 'required'],
      ['retention.recording_days', 'out_of_range'],
      ['retention.transcript_days', 'out_of_range'],
    ]);
  });

  it('requires Twilio credentials when Twilio is chosen', () => {
    expect(problemsOf(() => applySettingsUpdate(DEFAULT_SETTINGS, { telephony: { provider: 'twilio' } }, seal))).toEqual([
      ['telephony.account_sid', 'required'],
      ['telephony.auth_token', 'required'],
      ['telephony.caller_number', 'required'],
    ]);
  });

  it('refuses an empty update', () => {
    expect(problemsOf(() => applySettingsUpdate(DEFAULT_SETTINGS, {}, seal))).toEqual([['(root)', 'empty']]);
  });
});

describe('reading, masking, mirroring', () => {
  it('reads stored sections leniently over the defaults', () => {
    expect(readSection('retention', { recording_days: 30, transcript_days: 'x', extra: 1 })).toEqual({ recording_days: 30, transcript_days: 180 });
    expect(readSection('llm', null)).toEqual(DEFAULT_SETTINGS.llm);
    expect(readSection('telephony', { auth_token: { kind: 'weird' } }).auth_token).toBeNull();
  });

  it('masks secrets: last four only for long values, never the value', () => {
    expect(maskSecret('sk-abcdefghijkl1234')).toBe('••••1234');
    expect(maskSecret('short')).toBe('••••');
    expect(secretView({ kind: 'encrypted', envelope: 'e' }, 'sk-abcdefghijkl1234')).toEqual({ set: true, source: 'stored', masked: '••••1234', env: null, usable: true });
    expect(secretView({ kind: 'encrypted', envelope: 'e' }, undefined)).toMatchObject({ set: true, masked: '••••', usable: false });
    expect(secretView({ kind: 'env', name: 'SMTP_PASSWORD' }, undefined)).toEqual({ set: true, source: 'env', masked: null, env: 'SMTP_PASSWORD', usable: false });
    expect(secretView(null, undefined)).toEqual({ set: false, source: null, masked: null, env: null, usable: false });
  });

  it('mirrors telephony, LLM and retention into provider_configs columns and reads them back', () => {
    const s = applySettingsUpdate(DEFAULT_SETTINGS, { telephony: { caller_number: '+390212345678', max_concurrent_calls: 7 }, retention: { recording_days: 30 } }, seal).next;
    const mirror = providerConfigMirror(s);
    expect(mirror).toEqual({ provider_name: 'simulator', outbound_number: '+390212345678', max_concurrent_calls: 7, llm_provider: null, llm_model: null, recording_retention_days: 30, transcript_retention_days: 180 });
    const back = defaultsFromProviderConfig(mirror);
    expect(back.telephony.max_concurrent_calls).toBe(7);
    expect(back.retention.recording_days).toBe(30);
    expect(defaultsFromProviderConfig({ provider_name: 'unknown-carrier', llm_provider: 'google' })).toMatchObject({ telephony: { provider: 'simulator' }, llm: { provider: 'none' } });
  });

  it('validates the defaults cleanly', () => {
    for (const s of ['telephony', 'llm', 'email', 'retention'] as const) expect(validateSection(s, DEFAULT_SETTINGS[s])).toEqual([]);
  });
});
