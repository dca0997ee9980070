/** Request and response shapes of the admin routes (configuration, users, audit log). */
import { z } from 'zod';
import { USER_ROLES } from '../../../db/schema/core.js';
import { EMAIL_TRANSPORTS, SETTINGS_LLM_PROVIDERS, TELEPHONY_PROVIDERS } from '../../../domain/settings/types.js';

const num = z.number({ message: 'must be a number' });
const str = z.string({ message: 'must be a string' });
const nullableStr = z.string({ message: 'must be a string or null' }).nullable();
const version = z.number({ message: 'must be the version you read (a number)' }).int('must be a whole number').min(0, 'must be 0 or more');

/** A new secret value, `null` to clear, or `{ "env": "NAME" }`; omit to keep. */
const SecretInput = z.union([z.string(), z.null(), z.strictObject({ env: z.string().max(100, 'must be at most 100 characters') })], {
  message: 'must be a new value (string), null to clear it, or {"env": "VARIABLE_NAME"}; omit it to keep the stored secret',
});

export const ConfigUpdateBody = z
  .strictObject({
    telephony: z
      .strictObject({
        version,
        provider: z.enum(TELEPHONY_PROVIDERS).optional(),
        account_sid: nullableStr.optional(),
        auth_token: SecretInput.optional(),
        caller_number: nullableStr.optional(),
        max_concurrent_calls: num.optional(),
        calls_per_second: num.optional(),
      })
      .optional(),
    llm: z
      .strictObject({
        version,
        provider: z.enum(SETTINGS_LLM_PROVIDERS).optional(),
        model: nullableStr.optional(),
        base_url: nullableStr.optional(),
        api_key: SecretInput.optional(),
        timeout_ms: num.optional(),
        forbidden_topics: z.array(str).optional(),
      })
      .optional(),
    email: z
      .strictObject({
        version,
        transport: z.enum(EMAIL_TRANSPORTS).optional(),
        smtp_host: nullableStr.optional(),
        smtp_port: num.optional(),
        smtp_secure: z.boolean({ message: 'must be true or false' }).optional(),
        smtp_user: nullableStr.optional(),
        smtp_password: SecretInput.optional(),
        from_address: nullableStr.optional(),
      })
      .optional(),
    retention: z.strictObject({ version, recording_days: num.optional(), transcript_days: num.optional() }).optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'must name at least one section (telephony, llm, email, retention)' });

const SecretView = z.object({
  set: z.boolean(),
  source: z.enum(['stored', 'env']).nullable(),
  masked: z.string().nullable(),
  env: z.string().nullable(),
  usable: z.boolean(),
});

const Meta = {
  version: z.number(),
  updated_at: z.string().nullable(),
  updated_by: z.object({ id: z.string(), name: z.string() }).nullable(),
};

export const ConfigView = z.object({
  telephony: z.object({
    ...Meta,
    provider: z.enum(TELEPHONY_PROVIDERS),
    account_sid: z.string().nullable(),
    auth_token: SecretView,
    caller_number: z.string().nullable(),
    max_concurrent_calls: z.number(),
    calls_per_second: z.number(),
  }),
  llm: z.object({
    ...Meta,
    provider: z.enum(SETTINGS_LLM_PROVIDERS),
    model: z.string().nullable(),
    base_url: z.string().nullable(),
    api_key: SecretView,
    timeout_ms: z.number(),
    forbidden_topics: z.array(z.string()),
  }),
  email: z.object({
    ...Meta,
    transport: z.enum(EMAIL_TRANSPORTS),
    smtp_host: z.string().nullable(),
    smtp_port: z.number(),
    smtp_secure: z.boolean(),
    smtp_user: z.string().nullable(),
    smtp_password: SecretView,
    from_address: z.string().nullable(),
  }),
  retention: z.object({ ...Meta, recording_days: z.number(), transcript_days: z.number() }),
});

const limit = z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(50);
const cursor = z.string().max(2000, 'is too long').optional();

export const UserIdParams = z.strictObject({ id: z.uuid({ message: 'must be a UUID' }) });

export const UserListQuery = z.strictObject({
  q: z.string().max(200, 'must be at most 200 characters').optional(),
  role: z.enum(USER_ROLES).optional(),
  page: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(100000, 'must be at most 100000').default(1),
  page_size: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be between 1 and 100').max(100, 'must be between 1 and 100').default(20),
});

export const RoleBody = z.strictObject({ role: z.enum(USER_ROLES) });

export const UserView = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.enum(USER_ROLES),
  created_at: z.string(),
  updated_at: z.string(),
});

export const UserPage = z.object({ items: z.array(UserView), page: z.number(), page_size: z.number(), total: z.number() });

export const AuditQueryString = z.strictObject({
  action: z
    .string()
    .regex(/^[a-z_]+(\.[a-z_]*)*$/, 'must be an action or its prefix, like "template" or "config.update"')
    .max(100, 'must be at most 100 characters')
    .optional(),
  actor: z.uuid({ message: 'must be a user id (UUID)' }).optional(),
  target_type: z.string().max(100, 'must be at most 100 characters').optional(),
  target_id: z.string().max(200, 'must be at most 200 characters').optional(),
  outcome: z.enum(['success', 'denied', 'failure']).optional(),
  from: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z' }).optional(),
  to: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time such as 2026-01-31T00:00:00Z' }).optional(),
  limit,
  cursor,
});

const Json = z.record(z.string(), z.unknown()).nullable();

export const AuditEntryView = z.object({
  id: z.string(),
  occurred_at: z.string(),
  actor: z.object({ user_id: z.string(), name: z.string().nullable(), role: z.enum(USER_ROLES).nullable() }).nullable(),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string().nullable() }).nullable(),
  outcome: z.enum(['success', 'denied', 'failure']),
  before: Json,
  after: Json,
  details: Json,
  correlation_id: z.string().nullable(),
});

export const AuditPage = z.object({ items: z.array(AuditEntryView), next_cursor: z.string().nullable() });
