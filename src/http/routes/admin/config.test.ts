import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, testEngine, type TestDatabase } from '../../../../test/support/db.js';
import { startApi, type TestApi } from '../../../../test/support/api.js';
import { createAesGcmSecretBox } from '../../../adapters/crypto/aes-gcm/secret-box.js';
import { effectiveSettings } from '../../../commands/settings/effective.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const ENV = { CONFIG_ENCRYPTION_KEY: KEY, TWILIO_AUTH_TOKEN: 'env-twilio-token-9876', DATABASE_URL_NOT_A_SECRET: 'x' };

let t: TestDatabase;
let api: TestApi;
let admin: Record<string, string>;
beforeAll(async () => {
  t = await freshDatabase();
  api = await startApi(t, ENV);
  admin = await api.as('admin');
});
afterAll(async () => {
  await api.close();
  await t.close();
});

const get = async () => {
  const res = await api.http.inject({ method: 'GET', url: '/api/admin/config', headers: admin });
  expect(res.statusCode).toBe(200);
  return res.json();
};
const put = (payload: unknown, headers = admin) => api.http.inject({ method: 'PUT', url: '/api/admin/config', headers, payload: payload as object });
const stored = async (section: string) =>
  (await t.db.selectFrom('app_settings').select(['value', 'version']).where('section', '=', section as 'llm').executeTakeFirst()) ?? null;

describe('admin configuration', () => {
  it('starts from the defaults, version 0, secrets unset', async () => {
    const c = await get();
    expect(c.telephony).toEqual({
      version: 0, updated_at: null, updated_by: null, provider: 'simulator', account_sid: null,
      auth_token: { set: false, source: null, masked: null, env: null, usable: false },
      caller_number: null, max_concurrent_calls: 10, calls_per_second: 1,
    });
    expect(c.retention).toMatchObject({ version: 0, recording_days: 180, transcript_days: 180 });
  });

  it('round-trips settings: secrets masked in responses, encrypted at rest, decrypted for workers', async () => {
    const res = await put({
      llm: { version: 0, provider: 'openai', model: 'gpt-4o-mini', api_key: 'sk-test-abcdefghijklmnop-WXYZ', timeout_ms: 5000, forbidden_topics: ['politics', 'religion', 'politics'] },
      email: { version: 0, transport: 'smtp', smtp_host: 'smtp.example.org', smtp_port: 465, smtp_secure: true, smtp_user: 'mailer', smtp_password: 'smtp-pass-1234567890', from_address: 'surveys@example.org' },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(JSON.stringify(body)).not.toContain('sk-test-abcdefghijklmnop');
    expect(JSON.stringify(body)).not.toContain('smtp-pass-1234567890');
    expect(body.llm).toMatchObject({ version: 1, provider: 'openai', model: 'gpt-4o-mini', timeout_ms: 5000, forbidden_topics: ['politics', 'religion'] });
    expect(body.llm.api_key).toEqual({ set: true, source: 'stored', masked: '••••WXYZ', env: null, usable: true });
    expect(body.email.smtp_password).toEqual({ set: true, source: 'stored', masked: '••••7890', env: null, usable: true });
    const me = await api.user('admin');
    expect(body.llm.updated_by).toEqual({ id: me.id, name: me.name });
    expect(await get()).toEqual(body);

    // At rest: an AES-GCM envelope that is not the plaintext and opens with the configured key.
    const row = await stored('llm');
    const raw = JSON.stringify(row!.value);
    expect(raw).not.toContain('sk-test-abcdefghijklmnop');
    const envelope = (row!.value as { api_key: { kind: string; envelope: string } }).api_key;
    expect(envelope.kind).toBe('encrypted');
    expect(createAesGcmSecretBox(Buffer.from(KEY, 'base64')).open(envelope.envelope, 'llm.api_key')).toBe('sk-test-abcdefghijklmnop-WXYZ');

    const eff = await effectiveSettings(t.db, api.app.config);
    expect(eff.llm).toMatchObject({ provider: 'openai', api_key: 'sk-test-abcdefghijklmnop-WXYZ', timeout_ms: 5000 });
    expect(eff.email).toMatchObject({ smtp_host: 'smtp.example.org', smtp_port: 465, smtp_secure: true, smtp_password: 'smtp-pass-1234567890' });
    expect(eff.unusable_secrets).toEqual([]);

    // The audit record has before/after with the secrets masked and names what changed.
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'config.update').orderBy('occurred_at', 'desc').executeTakeFirstOrThrow();
    expect(JSON.stringify(audit)).not.toContain('sk-test-abcdefghijklmnop');
    expect(JSON.stringify(audit)).not.toContain('smtp-pass-1234567890');
    expect(audit).toMatchObject({ actor_user_id: me.id, target_type: 'settings', target_id: 'llm,email' });
    expect(audit.before).toMatchObject({ llm: { provider: 'none', api_key: null } });
    expect(audit.after).toMatchObject({ llm: { provider: 'openai', api_key: '[redacted]' } });
    expect((audit.details as { changed_fields: string[] }).changed_fields).toEqual(expect.arrayContaining(['llm.api_key', 'email.smtp_password', 'llm.model']));
    // No email addresses in audit images: the sender shows only its domain.
    expect(audit.after).toMatchObject({ email: { from_address: '***@example.org', smtp_password: '[redacted]' } });
    expect(JSON.stringify(audit)).not.toContain('surveys@');
  });

  it('keeps a secret when omitted, replaces it when sent, clears it on null', async () => {
    const v = (await get()).llm.version;
    const envelopeOf = async () => ((await stored('llm'))!.value as { api_key: { envelope: string } | null }).api_key;
    const before = await envelopeOf();
    const kept = await put({ llm: { version: v, timeout_ms: 6000 } });
    expect(kept.statusCode).toBe(200);
    expect(kept.json().llm.api_key.masked).toBe('••••WXYZ');
    expect(await envelopeOf()).toEqual(before);

    const replaced = await put({ llm: { version: v + 1, api_key: 'sk-replacement-0000000-ABCD' } });
    expect(replaced.json().llm.api_key.masked).toBe('••••ABCD');

    const cleared = await put({ llm: { version: v + 2, provider: 'none', api_key: null } });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().llm.api_key).toEqual({ set: false, source: null, masked: null, env: null, usable: false });
    expect(await envelopeOf()).toBeNull();
  });

  it('references an allow-listed environment variable instead of storing a secret', async () => {
    const v = (await get()).telephony.version;
    const res = await put({ telephony: { version: v, provider: 'twilio', account_sid: 'AC0123456789abcdef0123456789abcdef', auth_token: { env: 'TWILIO_AUTH_TOKEN' }, caller_number: '+390212345678' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().telephony.auth_token).toEqual({ set: true, source: 'env', masked: '••••9876', env: 'TWILIO_AUTH_TOKEN', usable: true });
    expect(JSON.stringify(await stored('telephony'))).not.toContain('env-twilio-token');
    expect((await effectiveSettings(t.db, api.app.config)).telephony.auth_token).toBe('env-twilio-token-9876');
    const audit = await t.db.selectFrom('audit_log').select('after').where('action', '=', 'config.update').orderBy('occurred_at', 'desc').executeTakeFirstOrThrow();
    expect(audit.after).toMatchObject({ telephony: { caller_number: '+39021*****78', auth_token: '[redacted]' } });

    const denied = await put({ telephony: { version: v + 1, auth_token: { env: 'CONFIG_ENCRYPTION_KEY' } } });
    expect(denied.statusCode).toBe(422);
    expect(denied.json().errors).toEqual([{ field: 'telephony.auth_token.env', code: 'env_not_allowed', message: expect.stringContaining('VSA_SECRET_') }]);
  });

  it('keeps provider_configs in step for the fields it has', async () => {
    const c = await get();
    const res = await put({ telephony: { version: c.telephony.version, max_concurrent_calls: 4 }, retention: { version: c.retention.version, recording_days: 30, transcript_days: 60 } });
    expect(res.statusCode).toBe(200);
    const rows = await t.db.selectFrom('provider_configs').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ provider_type: 'telephony_api', provider_name: 'twilio', outbound_number: '+390212345678', max_concurrent_calls: 4, recording_retention_days: 30, transcript_retention_days: 60, llm_provider: null });
  });

  it('refuses a stale version with 409 and writes nothing', async () => {
    const c = await get();
    const auditsBefore = await t.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'config.update').executeTakeFirstOrThrow();
    const res = await put({ retention: { version: c.retention.version - 1, recording_days: 99 }, llm: { version: c.llm.version, model: 'changed' } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'settings.version_conflict', details: { section: 'retention', current_version: c.retention.version } });
    expect(await get()).toEqual(c);
    const auditsAfter = await t.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'config.update').executeTakeFirstOrThrow();
    expect(auditsAfter.n).toBe(auditsBefore.n);
  });

  it('detects a tampered ciphertext: shown as set but unusable, never as a value', async () => {
    const c = await get();
    await put({ llm: { version: c.llm.version, api_key: 'sk-tamper-target-000000-TTTT' } });
    const row = (await stored('llm'))!;
    const value = row.value as { api_key: { kind: string; envelope: string } };
    const parts = value.api_key.envelope.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = ct[0]! ^ 0xff;
    parts[3] = ct.toString('base64url');
    await sql`update app_settings set value = ${JSON.stringify({ ...value, api_key: { kind: 'encrypted', envelope: parts.join('.') } })}::jsonb where section = 'llm'`.execute(t.db);
    const after = await get();
    expect(after.llm.api_key).toEqual({ set: true, source: 'stored', masked: '••••', env: null, usable: false });
    const eff = await effectiveSettings(t.db, api.app.config);
    expect(eff.llm.api_key).toBeNull();
    expect(eff.unusable_secrets).toEqual(['llm.api_key']);
  });

  it('rejects rule violations with every field named (422) and writes nothing', async () => {
    const c = await get();
    const res = await put({ telephony: { version: c.telephony.version, caller_number: '12345', calls_per_second: -1 }, retention: { version: c.retention.version, transcript_days: 0 } });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['telephony.caller_number', 'telephony.calls_per_second', 'retention.transcript_days']);
    expect(await get()).toEqual(c);
    const masked = await put({ email: { version: c.email.version, smtp_password: '••••7890' } });
    expect(masked.statusCode).toBe(422);
    expect(masked.json().errors[0]).toMatchObject({ field: 'email.smtp_password', code: 'masked_value' });
  });

  it.runIf(testEngine() === 'postgres')('two admins saving the same version at once: one wins, the other gets 409', async () => {
    const c = await get();
    const [a, b] = await Promise.all([
      put({ retention: { version: c.retention.version, recording_days: 11 } }),
      put({ retention: { version: c.retention.version, recording_days: 12 } }),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    expect((await get()).retention.version).toBe(c.retention.version + 1);

    // The very first save of a section races on the insert instead of the row lock.
    await t.db.deleteFrom('app_settings').where('section', '=', 'retention').execute();
    const [x, y] = await Promise.all([put({ retention: { version: 0, recording_days: 21 } }), put({ retention: { version: 0, recording_days: 22 } })]);
    expect([x.statusCode, y.statusCode].sort()).toEqual([200, 409]);
    expect((await get()).retention.version).toBe(1);
  });
});
